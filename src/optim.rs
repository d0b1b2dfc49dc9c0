//! Adam with global gradient-norm clipping, whose state can be saved and restored.
//!
//! dfdx 0.13's `Adam` keeps its moment estimates private, so a checkpoint could not
//! resume training *exactly*, and dfdx has no gradient clipping. This optimiser does both.
//! Its moments are tensors on the model's device, one per parameter tensor, and every
//! update is a handful of tensor operations there: per step, only the gradient's length
//! comes back to the host.
//!
//! g ← g · min(1, max_norm / ‖g‖)          (clip the whole gradient's length)
//! m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²
//! θ ← θ − η · m̂ / (√v̂ + ε),  m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
//!
//! With a weight decay λ > 0 it is *AdamW* (Loshchilov & Hutter): every matrix (a
//! parameter with two or more axes) also shrinks, θ ← θ − η λ θ. Vectors (biases,
//! LayerNorm gains) are not decayed, as in nanoGPT and PyTorch practice.

use dfdx::prelude::*;
use serde::{Deserialize, Serialize};

use crate::params::{ParamVisitor, Params};

/// Adam's hyper-parameters plus the clipping threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdamSettings {
    /// β₁, β₂: decay of the gradient and squared-gradient averages.
    pub betas: [f32; 2],
    /// ε, added to the denominator.
    pub eps: f32,
    /// Clip the global gradient norm to this value (`None`: no clipping).
    pub max_grad_norm: Option<f32>,
    /// Decoupled weight decay λ for matrices (AdamW); 0 is plain Adam.
    #[serde(default)]
    pub weight_decay: f32,
}

impl Default for AdamSettings {
    fn default() -> Self {
        AdamSettings {
            betas: [0.9, 0.999],
            eps: 1e-8,
            max_grad_norm: Some(1.0),
            weight_decay: 0.0,
        }
    }
}

/// A parameter's moments, flat: one number per number of the parameter.
pub type Moment<D> = Tensor<(usize,), f32, D>;

/// Adam's state: the step count and the two moment estimates of every parameter.
#[derive(Debug, Clone)]
pub struct ClippedAdam<D: Storage<f32>> {
    /// The hyper-parameters.
    pub settings: AdamSettings,
    /// Updates done so far (t in the bias correction).
    pub t: u64,
    /// First-moment estimates m, one per parameter tensor (empty before the first step).
    pub m: Vec<Moment<D>>,
    /// Second-moment estimates v.
    pub v: Vec<Moment<D>>,
}

/// Every parameter's gradient, flat, in the model's order (zeros for a parameter the
/// loss did not reach).
struct Gradient<'a, D: Storage<f32>> {
    grads: &'a mut Gradients<f32, D>,
    flat: Vec<Moment<D>>,
}

impl<D: Device<f32>> ParamVisitor<f32, D> for Gradient<'_, D> {
    fn visit<S: Shape>(&mut self, p: &mut Tensor<S, f32, D>) {
        let n = p.shape().num_elements();
        // A parameter without a gradient (unused in this loss) gets zeros, not a panic.
        let allocated = self.grads.try_alloc_for(p).is_ok();
        let g = match allocated {
            true => self.grads.get(p).reshape_like(&(n,)),
            false => p.device().zeros_like(&(n,)),
        };
        self.flat.push(g);
    }
}

/// The update θ ← θ − η (m̂ / (√v̂ + ε) + λ θ) of every parameter, in the model's order.
struct Update<'a, D: Storage<f32>> {
    adam: &'a mut ClippedAdam<D>,
    grads: std::vec::IntoIter<Moment<D>>,
    k: usize,
    lr: f32,
}

impl<D: Device<f32>> ParamVisitor<f32, D> for Update<'_, D> {
    fn visit<S: Shape>(&mut self, p: &mut Tensor<S, f32, D>) {
        let Some(g) = self.grads.next() else { return };
        let s = self.adam.settings;
        let [b1, b2] = s.betas;
        let t = self.adam.t as i32;
        let (c1, c2) = (1.0 - b1.powi(t), 1.0 - b2.powi(t));
        let (m, v) = (&mut self.adam.m[self.k], &mut self.adam.v[self.k]);
        m.axpy(b1, &g, 1.0 - b1); // m ← β₁ m + (1 − β₁) g
        v.axpy(b2, &g.square(), 1.0 - b2); // v ← β₂ v + (1 − β₂) g²
        let step = (m.clone() / c1) / ((v.clone() / c2).sqrt() + s.eps); // m̂ / (√v̂ + ε)
        let decay = if S::NUM_DIMS >= 2 {
            s.weight_decay
        } else {
            0.0
        };
        let shape = *p.shape();
        p.axpy(1.0 - self.lr * decay, &step.reshape_like(&shape), -self.lr);
        self.k += 1;
    }
}

impl<D: Device<f32>> ClippedAdam<D> {
    /// A fresh optimiser (moments allocated on the first step).
    pub fn new(settings: AdamSettings) -> Self {
        ClippedAdam {
            settings,
            t: 0,
            m: Vec::new(),
            v: Vec::new(),
        }
    }

    /// One update of `model` with learning rate `lr`; returns the gradient norm before
    /// clipping (a useful number to log: spikes announce instability).
    // ANCHOR: adam_step
    pub fn step<M: Params<f32, D>>(
        &mut self,
        model: &mut M,
        grads: &mut Gradients<f32, D>,
        lr: f32,
    ) -> f32 {
        let mut gradient = Gradient {
            grads,
            flat: Vec::new(),
        };
        model.clone().visit_params(&mut gradient);
        let mut g = gradient.flat;
        let norm = global_norm(&g); // the only number that comes back to the host
        if let Some(max) = self.settings.max_grad_norm
            && norm > max
        {
            let scale = max / norm; // shorten the whole gradient, keep its direction
            g = g.into_iter().map(|x| x * scale).collect();
        }
        if self.m.len() != g.len() {
            self.m = g.iter().map(|x| x.device().zeros_like(x.shape())).collect();
            self.v = self.m.clone();
        }
        self.t += 1;
        model.visit_params(&mut Update {
            adam: self,
            grads: g.into_iter(),
            k: 0,
            lr,
        });
        norm
    }
    // ANCHOR_END: adam_step

    /// Host copies of the moments (m, v), for a checkpoint.
    pub fn moments(&self) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
        (
            self.m.iter().map(|x| x.as_vec()).collect(),
            self.v.iter().map(|x| x.as_vec()).collect(),
        )
    }

    /// An optimiser continuing from saved state: step count `t` and host moments.
    pub fn resume(
        dev: &D,
        settings: AdamSettings,
        t: u64,
        (m, v): (Vec<Vec<f32>>, Vec<Vec<f32>>),
    ) -> Self {
        let load = |xs: Vec<Vec<f32>>| {
            xs.into_iter()
                .map(|x| {
                    let n = x.len();
                    dev.tensor_from_vec(x, (n,))
                })
                .collect()
        };
        ClippedAdam {
            settings,
            t,
            m: load(m),
            v: load(v),
        }
    }
}

/// The length ‖g‖ of all gradients taken together as one vector, computed on their device.
pub fn global_norm<D: Device<f32>>(grads: &[Moment<D>]) -> f32 {
    let squares = grads.iter().map(|g| g.clone().square().sum::<Rank0, _>());
    match squares.reduce(|a, b| a + b) {
        Some(total) => total.as_vec()[0].sqrt(),
        None => 0.0,
    }
}
