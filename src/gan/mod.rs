//! Chapter 8 — generative adversarial networks: a generator and a discriminator, trained
//! against each other.
//!
//! The generator G maps noise z ~ N(0, I) to a sample x = G(z); the discriminator D maps a
//! sample to a logit, D(x) = log-odds that x is real. They play the minimax game
//!
//! min_G max_D  E_x[log σ(D(x))] + E_z[log(1 − σ(D(G(z))))]
//!
//! by alternating one Adam step for D and one for G (see [`gan_step`]). Both are small
//! MLPs (dfdx 0.13's convolutions need a nightly compiler): Linear → act → Linear → act →
//! Linear, with ReLU on the 2-D mixtures and LeakyReLU(0.2) and a tanh output on the
//! digits, exactly like the PyTorch references in `shared/bench/ref/`.
//!
//! *Packing* (PacGAN, Lin et al. 2018) is built in: with `pack = m`, D judges m samples at a
//! time, concatenated into one input of m·X numbers. `pack = 1` is the vanilla GAN.
//!
//! | file | concept |
//! |---|---|
//! | `model.rs` | the players: [`Mlp`], [`Gan`] |
//! | `step.rs` | one round of the game: [`gan_step`], both losses |
//! | `config.rs` | [`GanConfig`]: the reference, vanilla and fixed settings |
//! | `data.rs` | [`RealData`]: where real samples come from and how fakes are judged |
//! | `run.rs` | [`run`]: the shared training loop with checkpoints, for a GAN |
//! | `metrics.rs` | mode coverage, the digit judge and its Inception-Score-like number |
//! | `figures.rs` | scatter plots, GIFs, loss curves, digit grids |
//! | `report.rs` | the reports of `aigc gan ring|grid|digits` |
//! | `collapse.rs` | the experiment: vanilla against packed, over seeds |
//!
//! Shared modules used: [`train`](crate::train), [`optim`](crate::optim),
//! [`checkpoint`](crate::checkpoint), [`layers`](crate::layers), [`params`](crate::params),
//! [`data`](crate::data) (mixtures and digits), [`plot`](crate::plot),
//! [`report`](crate::report).

use dfdx::prelude::*;

mod collapse;
mod config;
mod data;
pub mod figures;
pub mod metrics;
mod model;
mod report;
mod run;
mod step;

pub use collapse::{CollapseConfig, CollapseReport, CollapseRun, collapse};
pub use config::GanConfig;
pub use data::{DigitData, RealData};
pub use metrics::{Classifier, DigitMetrics, ModeMetrics, mode_metrics};
pub use model::{DigitsGan, Gan, Mlp, PlaneGan};
pub use report::{DigitsReport, PlaneReport};
pub use run::{GanEval, GanLog, GanOutcome, GanTrainer, eval_noise, run, run_digits, run_plane};
pub use step::{Players, StepLosses, gan_step, losses, noise};

/// An activation function chosen in the type (so a model's type says what it computes).
pub trait Nonlinearity: std::fmt::Debug + Clone + Copy + Default + Send + Sync + 'static {
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

impl Nonlinearity for Relu {
    fn apply<S: Shape, D: Device<f32>, T: Tape<f32, D>>(
        x: Tensor<S, f32, D, T>,
    ) -> Tensor<S, f32, D, T> {
        x.relu() // one dfdx operation already: a kernel would only add copies
    }
}

impl Nonlinearity for LeakyRelu {
    fn apply<S: Shape, D: Device<f32>, T: Tape<f32, D>>(
        x: Tensor<S, f32, D, T>,
    ) -> Tensor<S, f32, D, T> {
        match crate::kernels::on_cpu::<D>() {
            true => crate::kernels::leaky_relu(x, 0.2), // dfdx composes compare + choose
            false => x.prelu(0.2),
        }
    }
}

impl Nonlinearity for Identity {
    fn apply<S: Shape, D: Device<f32>, T: Tape<f32, D>>(
        x: Tensor<S, f32, D, T>,
    ) -> Tensor<S, f32, D, T> {
        x
    }
}

impl Nonlinearity for Tanh {
    fn apply<S: Shape, D: Device<f32>, T: Tape<f32, D>>(
        x: Tensor<S, f32, D, T>,
    ) -> Tensor<S, f32, D, T> {
        x.tanh()
    }
}
