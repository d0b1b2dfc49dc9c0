//! The two players: small multi-layer perceptrons whose input and output sizes are set
//! when the model is built (noise length, sample size, packing).

use std::marker::PhantomData;

use dfdx::prelude::*;
use rand::rngs::StdRng;

use super::{Identity, LeakyRelu, Nonlinearity, Relu, Tanh};
use crate::layers::{Dense, seeded};
use crate::params::{ParamVisitor, Params};

/// A three-layer perceptron: inputs → `H` → `H` → outputs, with nonlinearity `A` after
/// the hidden layers and `Out` on the output.
#[derive(Debug, Clone)]
pub struct Mlp<const H: usize, A, Out, D: Storage<f32>> {
    /// First layer, inputs → H.
    pub l1: Dense<usize, Const<H>, f32, D>,
    /// Second layer, H → H.
    pub l2: Dense<Const<H>, Const<H>, f32, D>,
    /// Output layer, H → outputs.
    pub l3: Dense<Const<H>, usize, f32, D>,
    /// The nonlinearities (types, no data).
    pub act: PhantomData<(A, Out)>,
}

impl<const H: usize, A: Nonlinearity, Out: Nonlinearity, D: Device<f32>> Mlp<H, A, Out, D> {
    /// PyTorch's initialisation of the same `nn.Linear` layers (uniform in ±1/√fan-in).
    pub fn new(dev: &D, inputs: usize, outputs: usize, rng: &mut StdRng) -> Self {
        Mlp {
            l1: Dense::pytorch(dev, (inputs, Const), rng),
            l2: Dense::pytorch(dev, (Const, Const), rng),
            l3: Dense::pytorch(dev, (Const, outputs), rng),
            act: PhantomData,
        }
    }

    /// A batch of rows through the three layers: (B, inputs) → (B, outputs).
    // ANCHOR: mlp_forward
    pub fn forward<T: Tape<f32, D>>(
        &self,
        x: Tensor<(usize, usize), f32, D, T>,
    ) -> Tensor<(usize, usize), f32, D, T> {
        let h = A::apply(self.l1.forward(x)); // h₁ = act(W₁x + b₁)
        let h = A::apply(self.l2.forward(h)); // h₂ = act(W₂h₁ + b₂)
        Out::apply(self.l3.forward(h)) // out(W₃h₂ + b₃)
    }
    // ANCHOR_END: mlp_forward
}

impl<const H: usize, A: Clone, Out: Clone, D: Device<f32>> Params<f32, D> for Mlp<H, A, Out, D> {
    fn visit_params(&mut self, v: &mut impl ParamVisitor<f32, D>) {
        self.l1.visit_params(v);
        self.l2.visit_params(v);
        self.l3.visit_params(v);
    }
}

/// The generator and discriminator of one GAN, with hidden width `H`.
#[derive(Debug, Clone)]
pub struct Gan<const H: usize, A, Out, D: Storage<f32>> {
    /// G: noise (B, noise_dim) → samples (B, sample_dim).
    pub g: Mlp<H, A, Out, D>,
    /// D: packed samples (B / pack, pack · sample_dim) → one logit each.
    pub d: Mlp<H, A, Identity, D>,
    /// Length of the noise vector z.
    pub noise_dim: usize,
    /// Numbers per sample (2 on the plane, 64 pixels for a digit).
    pub sample_dim: usize,
    /// Samples the discriminator judges together (1 = vanilla GAN).
    pub pack: usize,
}

impl<const H: usize, A: Nonlinearity, Out: Nonlinearity, D: Device<f32>> Gan<H, A, Out, D> {
    /// Both networks freshly initialised (PyTorch's default for `nn.Linear`), with their
    /// weights drawn from a generator seeded with `seed`.
    pub fn new(dev: &D, (noise_dim, sample_dim, pack): (usize, usize, usize), seed: u64) -> Self {
        let rng = &mut seeded(seed);
        Gan {
            g: Mlp::new(dev, noise_dim, sample_dim, rng),
            d: Mlp::new(dev, pack * sample_dim, 1, rng),
            noise_dim,
            sample_dim,
            pack,
        }
    }

    /// Samples from noise given row-major on the host (B × noise_dim numbers); row-major
    /// result.
    pub fn generate(&self, noise: &[f32]) -> Vec<f32> {
        let dev = self.g.l1.weight.device();
        let z = dev.tensor_from_vec(
            noise.to_vec(),
            (noise.len() / self.noise_dim, self.noise_dim),
        );
        self.g.forward(z).as_vec()
    }

    /// The name a checkpoint records: a checkpoint loads only into the same model.
    pub fn name(&self, data: &str) -> String {
        format!(
            "GAN {data} H{H} noise{} x{} pack{}",
            self.noise_dim, self.sample_dim, self.pack
        )
    }
}

impl<const H: usize, A: Clone, Out: Clone, D: Device<f32>> Params<f32, D> for Gan<H, A, Out, D> {
    fn visit_params(&mut self, v: &mut impl ParamVisitor<f32, D>) {
        self.g.visit_params(v);
        self.d.visit_params(v);
    }
}

/// The 2-D mixtures' GAN: hidden 128 × 2, ReLU, as the PyTorch reference `gan_ring.py`.
pub type PlaneGan<D> = Gan<128, Relu, Identity, D>;

/// The digits GAN: hidden 256 × 2, LeakyReLU(0.2), tanh pixels, as `gan_digits.py`.
pub type DigitsGan<D> = Gan<256, LeakyRelu, Tanh, D>;
