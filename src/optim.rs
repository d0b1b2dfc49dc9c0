//! Adam with global gradient-norm clipping, whose state can be saved and restored.
//!
//! dfdx 0.13's `Adam` keeps its moment estimates private, so a checkpoint could not
//! resume training *exactly*, and dfdx has no gradient clipping. This optimiser does both.
//! It walks a model's parameters with dfdx's `TensorCollection` visitor, and keeps the
//! moments on the host as plain `Vec<f32>` (one per parameter tensor, in visit order):
//!
//! g ← g · min(1, max_norm / ‖g‖)          (clip the whole gradient's length)
//! m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²
//! θ ← θ − η · m̂ / (√v̂ + ε),  m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
//!
//! With a weight decay λ > 0 it is *AdamW* (Loshchilov & Hutter): before the step, every
//! matrix (a parameter with two or more axes) shrinks by θ ← θ − η λ θ. Vectors (biases,
//! LayerNorm gains) are not decayed, as in nanoGPT and PyTorch practice.
//!
//! Copying parameters and gradients to the host costs a little time per step on the CPU
//! (and more on a GPU); the gain is exact, inspectable state.

use dfdx::nn::tensor_collection::{
    RecursiveWalker, TensorCollection, TensorOptions, TensorVisitor, ViewTensorMut, ViewTensorRef,
};
use dfdx::prelude::*;
use serde::{Deserialize, Serialize};

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

/// Adam's state: the step count and the two moment estimates of every parameter.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClippedAdam {
    /// The hyper-parameters.
    pub settings: AdamSettings,
    /// Updates done so far (t in the bias correction).
    pub t: u64,
    /// First-moment estimates m, one vector per parameter tensor.
    pub m: Vec<Vec<f32>>,
    /// Second-moment estimates v.
    pub v: Vec<Vec<f32>>,
}

/// Copies, for every trainable parameter (visit order), either its values or, given
/// `grads`, its gradient to the host.
struct Gather<'a, D: Device<f32>> {
    grads: Option<&'a Gradients<f32, D>>,
    out: Vec<Vec<f32>>,
    ranks: Vec<usize>,
}

impl<D: Device<f32>> TensorVisitor<f32, D> for Gather<'_, D> {
    type Viewer = ViewTensorRef;
    type Err = D::Err;
    type E2 = f32;
    type D2 = D;
    fn visit<S: Shape>(
        &mut self,
        opts: TensorOptions<S, f32, D>,
        t: &Tensor<S, f32, D>,
    ) -> Result<Option<Tensor<S, f32, D>>, D::Err> {
        if opts.do_gradient_update {
            self.ranks.push(S::NUM_DIMS);
            self.out.push(match self.grads {
                Some(grads) => grads.get(t).as_vec(),
                None => t.as_vec(),
            });
        }
        Ok(None)
    }
}

fn gather<M: TensorCollection<f32, D>, D: Device<f32>>(
    model: &M,
    grads: Option<&Gradients<f32, D>>,
) -> Option<(Vec<Vec<f32>>, Vec<usize>)> {
    let mut g = Gather {
        grads,
        out: Vec::new(),
        ranks: Vec::new(),
    };
    let walked = M::iter_tensors(&mut RecursiveWalker {
        m: model,
        f: &mut g,
    });
    walked.ok().map(|_| (g.out, g.ranks))
}

/// Copies every trainable parameter (visit order) to the host.
pub fn parameters<M: TensorCollection<f32, D>, D: Device<f32>>(model: &M) -> Vec<Vec<f32>> {
    gather(model, None).map(|(p, _)| p).unwrap_or_default()
}

/// The number of axes of every trainable parameter (visit order): 1 for a bias or a
/// LayerNorm gain, 2 for a weight matrix or an embedding table.
pub fn parameter_ranks<M: TensorCollection<f32, D>, D: Device<f32>>(model: &M) -> Vec<usize> {
    gather(model, None).map(|(_, r)| r).unwrap_or_default()
}

/// Writes host values into every trainable parameter (visit order); `false` if the
/// number or sizes of the tensors do not match.
pub fn set_parameters<M: TensorCollection<f32, D>, D: Device<f32>>(
    model: &mut M,
    values: &[Vec<f32>],
) -> bool {
    if values.len() != parameters(model).len() {
        return false;
    }
    struct Set<'a> {
        values: &'a [Vec<f32>],
        next: usize,
        ok: bool,
    }
    impl<D: Device<f32>> TensorVisitor<f32, D> for Set<'_> {
        type Viewer = ViewTensorMut;
        type Err = D::Err;
        type E2 = f32;
        type D2 = D;
        fn visit<S: Shape>(
            &mut self,
            opts: TensorOptions<S, f32, D>,
            t: &mut Tensor<S, f32, D>,
        ) -> Result<Option<Tensor<S, f32, D>>, D::Err> {
            if opts.do_gradient_update {
                match self.values.get(self.next) {
                    Some(v) if v.len() == t.shape().num_elements() => t.copy_from(v),
                    _ => self.ok = false,
                }
                self.next += 1;
            }
            Ok(None)
        }
    }
    let mut set = Set {
        values,
        next: 0,
        ok: true,
    };
    let walked = M::iter_tensors(&mut RecursiveWalker {
        m: model,
        f: &mut set,
    });
    walked.is_ok() && set.ok
}

/// The length ‖g‖ of all gradients taken together as one vector.
pub fn global_norm(grads: &[Vec<f32>]) -> f32 {
    grads.iter().flatten().map(|g| g * g).sum::<f32>().sqrt()
}

impl ClippedAdam {
    /// A fresh optimiser (moments allocated on the first step).
    pub fn new(settings: AdamSettings) -> Self {
        ClippedAdam {
            settings,
            ..Default::default()
        }
    }

    /// One update of `model` with learning rate `lr`; returns the gradient norm before
    /// clipping (a useful number to log: spikes announce instability).
    // ANCHOR: adam_step
    pub fn step<M: TensorCollection<f32, D>, D: Device<f32>>(
        &mut self,
        model: &mut M,
        grads: &Gradients<f32, D>,
        lr: f32,
    ) -> f32 {
        let Some((mut g, ranks)) = gather(&*model, Some(grads)) else {
            return f32::NAN;
        };
        let norm = global_norm(&g);
        if let Some(max) = self.settings.max_grad_norm
            && norm > max
        {
            let scale = max / norm; // shorten the whole gradient, keep its direction
            g.iter_mut().flatten().for_each(|x| *x *= scale);
        }
        if self.m.len() != g.len() {
            self.m = g.iter().map(|x| vec![0.0; x.len()]).collect();
            self.v = self.m.clone();
        }
        self.t += 1;
        let [b1, b2] = self.settings.betas;
        let (c1, c2) = (1.0 - b1.powi(self.t as i32), 1.0 - b2.powi(self.t as i32));
        let mut params = parameters(model);
        for (k, p) in params.iter_mut().enumerate() {
            let decay = if ranks[k] >= 2 {
                self.settings.weight_decay
            } else {
                0.0
            };
            if decay > 0.0 {
                p.iter_mut().for_each(|x| *x -= lr * decay * *x); // AdamW: shrink matrices
            }
            let (m, v) = (&mut self.m[k], &mut self.v[k]);
            for j in 0..p.len() {
                m[j] = b1 * m[j] + (1.0 - b1) * g[k][j];
                v[j] = b2 * v[j] + (1.0 - b2) * g[k][j] * g[k][j];
                p[j] -= lr * (m[j] / c1) / ((v[j] / c2).sqrt() + self.settings.eps);
            }
        }
        set_parameters(model, &params);
        norm
    }
    // ANCHOR_END: adam_step
}
