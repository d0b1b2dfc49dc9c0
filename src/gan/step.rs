//! One round of the game: a discriminator step, then a generator step.

use dfdx::prelude::*;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use super::{Gan, Nonlinearity};
use crate::optim::{AdamSettings, ClippedAdam};
use crate::train::Losses;

/// The two players' optimisers: each network has its own Adam.
#[derive(Debug, Clone)]
pub struct Players<D: Storage<f32>> {
    /// The generator's Adam.
    pub g: ClippedAdam<D>,
    /// The discriminator's Adam.
    pub d: ClippedAdam<D>,
}

impl<D: Device<f32>> Players<D> {
    /// Two fresh optimisers with the same settings.
    pub fn new(settings: AdamSettings) -> Self {
        Players {
            g: ClippedAdam::new(settings),
            d: ClippedAdam::new(settings),
        }
    }
}

/// Both players' losses at one step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StepLosses {
    /// BCE(D(real), 1) + BCE(D(fake), 0): 2 ln 2 ≈ 1.386 when D cannot tell them apart.
    pub d: f32,
    /// BCE(D(G(z)), 1), the non-saturating generator loss: ln 2 ≈ 0.693 at the same point.
    pub g: f32,
}

impl Losses for StepLosses {
    fn named(&self) -> Vec<(&'static str, f64)> {
        vec![("D", self.d as f64), ("G", self.g as f64)]
    }
}

/// `n` × `dim` numbers from N(0, 1), row-major.
pub fn noise(n: usize, dim: usize, rng: &mut StdRng) -> Vec<f32> {
    (0..n * dim).map(|_| StandardNormal.sample(rng)).collect()
}

/// One round of the game on a batch of `real` samples and the noise for as many fakes.
///
/// 1. D step: with G's samples held fixed, D learns to output 1 on real and 0 on fake,
///    L_D = BCE(D(x), 1) + BCE(D(G(z)), 0).
/// 2. G step: with the just-updated D, G learns to make D say 1 on its samples,
///    L_G = BCE(D(G(z)), 1) = −log σ(D(G(z))) (the *non-saturating* loss). The gradient
///    flows back through D into G, but only G's parameters are updated.
///
/// With packing, D sees `pack` samples concatenated as one input.
// ANCHOR: gan_step
pub fn gan_step<const H: usize, A: Nonlinearity, Out: Nonlinearity, D: Device<f32>>(
    gan: &mut Gan<H, A, Out, D>,
    players: &mut Players<D>,
    real: &[f32],
    noise: &[f32],
    lr: f32,
) -> StepLosses {
    let dev = gan.g.l1.weight.device().clone();
    let n = real.len() / gan.sample_dim; // samples of each kind
    let (rows, width) = (n / gan.pack, gan.pack * gan.sample_dim); // D's inputs after packing
    let z = dev.tensor_from_vec(noise.to_vec(), (n, gan.noise_dim));
    // One generator pass serves both steps: the tape is set aside for the G step.
    let (fake, g_tape) = gan.g.forward(z.leaky_traced()).split_tape();

    // D step: real rows labelled 1, fake rows labelled 0, fakes detached from G.
    let real = dev.tensor_from_vec(real.to_vec(), (rows, width));
    let both = (real, fake.clone().reshape_like(&(rows, width))).concat_along(Axis::<0>);
    let mut labels = vec![1.0f32; rows];
    labels.resize(2 * rows, 0.0);
    let labels = dev.tensor_from_vec(labels, (2 * rows, 1));
    let logits = gan.d.forward(both.leaky_traced());
    // Mean over real and fake rows together, ×2 = the sum of the two batch means.
    let d_loss = binary_cross_entropy_with_logits_loss(logits, labels) * 2.0;
    let d = d_loss.as_vec()[0];
    players.d.step(&mut gan.d, &mut d_loss.backward(), lr);

    // G step: the same fakes, now with G's tape, judged by the updated D.
    let packed = fake.put_tape(g_tape).reshape_like(&(rows, width));
    let logits = gan.d.forward(packed);
    let g_loss = binary_cross_entropy_with_logits_loss(logits, dev.ones_like(&(rows, 1)));
    let g = g_loss.as_vec()[0];
    // backward() also computes gradients for D's weights; G's optimiser ignores them.
    players.g.step(&mut gan.g, &mut g_loss.backward(), lr);
    StepLosses { d, g }
}
// ANCHOR_END: gan_step

/// Both players' losses on a batch, without updating anything (what [`gan_step`] would
/// report if D were not updated between its two halves).
pub fn losses<const H: usize, A: Nonlinearity, Out: Nonlinearity, D: Device<f32>>(
    gan: &Gan<H, A, Out, D>,
    real: &[f32],
    noise: &[f32],
) -> StepLosses {
    let dev = gan.g.l1.weight.device().clone();
    let n = real.len() / gan.sample_dim;
    let (rows, width) = (n / gan.pack, gan.pack * gan.sample_dim);
    let fake = gan.generate(noise);
    let d_of = |x: Vec<f32>| gan.d.forward(dev.tensor_from_vec(x, (rows, width)));
    let ones = || dev.ones_like(&(rows, 1));
    let zeros = || dev.zeros_like(&(rows, 1));
    let bce = |logits, target| binary_cross_entropy_with_logits_loss(logits, target).as_vec()[0];
    StepLosses {
        d: bce(d_of(real.to_vec()), ones()) + bce(d_of(fake.clone()), zeros()),
        g: bce(d_of(fake), ones()),
    }
}
