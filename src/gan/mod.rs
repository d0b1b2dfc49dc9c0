//! Chapter 8 — generative adversarial networks: a generator and a discriminator, trained
//! against each other.
//!
//! The generator G maps noise z ~ N(0, I) to a sample x = G(z); the discriminator D maps a
//! sample to a logit, D(x) = log-odds that x is real. They play the minimax game
//!
//! min_G max_D  E_x[log σ(D(x))] + E_z[log(1 − σ(D(G(z))))]
//!
//! by alternating one Adam step for D and one for G (see [`train`](train_gan)). Both are
//! small MLPs (dfdx 0.13's convolutions need a nightly compiler):
//! Linear → act → Linear → act → Linear, with ReLU on the 2-D mixtures and LeakyReLU(0.2)
//! and a tanh output on the digits, exactly like the PyTorch references in
//! `shared/bench/ref/`.
//!
//! *Packing* (PacGAN, Lin et al. 2018) is built in: with `pack = m`, D judges m samples at a
//! time, concatenated into one input of m·X numbers. `pack = 1` is the vanilla GAN.

use std::fmt::Debug;

use dfdx::nn::modules::Linear;
use dfdx::prelude::*;

pub mod figures;
pub mod metrics;
mod run;
mod train;

pub use metrics::{Classifier, DigitMetrics, ModeMetrics, mode_metrics};
pub use run::*;
pub use train::{
    Eval, Finish, GanConfig, GanLog, Players, RealData, StepLosses, check_shapes, gan_step, losses,
    noise, step_rng, train_gan,
};

/// An activation function chosen in the type (so a model's type says what it computes).
pub trait Activation: Debug + Clone + Copy + Default + Send + Sync + 'static {
    /// Applies the function elementwise.
    fn apply<S: Shape, D: Device<f32>, T: Tape<f32, D>>(
        x: Tensor<S, f32, D, T>,
    ) -> Tensor<S, f32, D, T>;
}

/// max(0, x).
#[derive(Debug, Clone, Copy, Default)]
pub struct Relu;

/// max(0.2 x, x): lets a little gradient through for negative inputs.
#[derive(Debug, Clone, Copy, Default)]
pub struct LeakyRelu;

/// x, unchanged (a discriminator's logit, a generator's output on the plane).
#[derive(Debug, Clone, Copy, Default)]
pub struct Identity;

/// tanh x: squashes a generator's pixels into [−1, 1], the range of the scaled images.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tanh;

impl Activation for Relu {
    fn apply<S: Shape, D: Device<f32>, T: Tape<f32, D>>(
        x: Tensor<S, f32, D, T>,
    ) -> Tensor<S, f32, D, T> {
        x.relu()
    }
}

impl Activation for LeakyRelu {
    fn apply<S: Shape, D: Device<f32>, T: Tape<f32, D>>(
        x: Tensor<S, f32, D, T>,
    ) -> Tensor<S, f32, D, T> {
        x.prelu(0.2)
    }
}

impl Activation for Identity {
    fn apply<S: Shape, D: Device<f32>, T: Tape<f32, D>>(
        x: Tensor<S, f32, D, T>,
    ) -> Tensor<S, f32, D, T> {
        x
    }
}

impl Activation for Tanh {
    fn apply<S: Shape, D: Device<f32>, T: Tape<f32, D>>(
        x: Tensor<S, f32, D, T>,
    ) -> Tensor<S, f32, D, T> {
        x.tanh()
    }
}

/// A three-layer perceptron: `I` inputs, two hidden layers of `H`, `O` outputs; activation
/// `A` after the hidden layers and `Out` on the output.
#[derive(Debug, Clone)]
pub struct Mlp<const I: usize, const H: usize, const O: usize, A, Out, F: Dtype, D: Storage<F>> {
    /// First layer, I → H.
    pub l1: Linear<I, H, F, D>,
    /// Second layer, H → H.
    pub l2: Linear<H, H, F, D>,
    /// Output layer, H → O.
    pub l3: Linear<H, O, F, D>,
    /// The hidden activation (a type, no data).
    pub act: A,
    /// The output activation (a type, no data).
    pub out: Out,
}

impl<const I: usize, const H: usize, const O: usize, A, Out, D> TensorCollection<f32, D>
    for Mlp<I, H, O, A, Out, f32, D>
where
    A: Activation,
    Out: Activation,
    D: Device<f32>,
{
    type To<F2: Dtype, D2: Device<F2>> = Mlp<I, H, O, A, Out, F2, D2>;

    fn iter_tensors<Vis: ModuleVisitor<Self, f32, D>>(
        visitor: &mut Vis,
    ) -> Result<Option<Self::To<Vis::E2, Vis::D2>>, Vis::Err> {
        visitor.visit_fields(
            (
                Self::module("l1", |s| &s.l1, |s| &mut s.l1),
                Self::module("l2", |s| &s.l2, |s| &mut s.l2),
                Self::module("l3", |s| &s.l3, |s| &mut s.l3),
            ),
            |(l1, l2, l3)| Mlp {
                l1,
                l2,
                l3,
                act: A::default(),
                out: Out::default(),
            },
        )
    }
}

impl<const I: usize, const H: usize, const O: usize, A, Out, D> Mlp<I, H, O, A, Out, f32, D>
where
    A: Activation,
    Out: Activation,
    D: Device<f32>,
{
    /// A batch of rows through the three layers: (B, I) → (B, O).
    // ANCHOR: mlp_forward
    pub fn forward<T: Tape<f32, D>>(
        &self,
        x: Tensor<(usize, Const<I>), f32, D, T>,
    ) -> Tensor<(usize, Const<O>), f32, D, T> {
        let h = A::apply(self.l1.forward(x)); // h₁ = act(W₁x + b₁)
        let h = A::apply(self.l2.forward(h)); // h₂ = act(W₂h₁ + b₂)
        Out::apply(self.l3.forward(h)) // out(W₃h₂ + b₃)
    }
    // ANCHOR_END: mlp_forward
}

/// The generator and discriminator of one GAN: noise `Z`, hidden width `H`, sample size `X`,
/// discriminator input `DI` = pack × X.
#[derive(Debug, Clone)]
pub struct Gan<const Z: usize, const H: usize, const X: usize, const DI: usize, A, Out, D>
where
    D: Storage<f32>,
{
    /// G: noise (B, Z) → samples (B, X).
    pub g: Mlp<Z, H, X, A, Out, f32, D>,
    /// D: packed samples (B / pack, DI) → one logit each.
    pub d: Mlp<DI, H, 1, A, Identity, f32, D>,
}

impl<const Z: usize, const H: usize, const X: usize, const DI: usize, A, Out, D>
    Gan<Z, H, X, DI, A, Out, D>
where
    A: Activation,
    Out: Activation,
    D: Device<f32>,
{
    /// Both networks freshly initialised (PyTorch's default for `nn.Linear`, which is also
    /// dfdx's: uniform in ±1/√fan-in); the device's seed decides the draw.
    pub fn new(dev: &D) -> Self {
        const {
            assert!(
                DI.is_multiple_of(X),
                "the discriminator sees whole samples: DI = pack × X"
            )
        };
        Gan {
            g: BuildModule::build(dev),
            d: BuildModule::build(dev),
        }
    }

    /// How many samples the discriminator judges together.
    pub const PACK: usize = DI / X;

    /// Samples from noise given row-major on the host (B × Z numbers); row-major result.
    pub fn generate(&self, dev: &D, noise: &[f32]) -> Vec<f32> {
        let z = dev.tensor_from_vec(noise.to_vec(), (noise.len() / Z, Const::<Z>));
        self.g.forward(z).as_vec()
    }
}

/// The 2-D mixtures' GAN (noise `Z`, hidden 128 × 2, ReLU) with packing `DI / 2`; the
/// PyTorch reference uses `Z` = 256.
pub type PlaneGan<const Z: usize, const DI: usize, D> = Gan<Z, 128, 2, DI, Relu, Identity, D>;

/// The digits GAN (noise 64, hidden 256 × 2, LeakyReLU(0.2), tanh pixels), packing `DI / 64`.
pub type DigitsGan<const DI: usize, D> = Gan<64, 256, 64, DI, LeakyRelu, Tanh, D>;
