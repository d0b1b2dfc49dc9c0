//! The adversarial training loop: one discriminator step, then one generator step.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use dfdx::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use super::{Activation, Gan, ModeMetrics, metrics::DigitMetrics};
use crate::error::{AigcError, Result};
use crate::optim::{AdamSettings, ClippedAdam};
use crate::train::{check_loss, progress_bar, validate_count};

/// Hyper-parameters of a GAN run (defaults: the 2-D mixtures' vanilla reference).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GanConfig {
    /// Steps (one D step + one G step each).
    pub steps: usize,
    /// Real samples per step (and as many generated ones).
    pub batch: usize,
    /// Adam's learning rate, for both players.
    pub lr: f32,
    /// Length of the noise vector z (must match the model's).
    pub noise_dim: usize,
    /// Samples the discriminator judges together (1 = vanilla GAN; must match the model's).
    pub pack: usize,
    /// Evaluate (and checkpoint) every this many steps.
    pub eval_every: usize,
    /// Seed of the initial weights, the real batches and the noise.
    pub seed: u64,
    /// Adam's settings for both players (β = (0.5, 0.999), no clipping).
    pub adam: AdamSettings,
    /// Decay both learning rates to zero over the run along a cosine (`false`: constant).
    #[serde(default)]
    pub cosine: bool,
}

impl Default for GanConfig {
    /// The chapter's fix on the 2-D mixtures: PacGAN with packing 2, noise of 2 numbers,
    /// learning rate 10⁻³ with cosine decay, 20,000 steps of 256 samples.
    fn default() -> Self {
        GanConfig {
            steps: 20_000,
            batch: 256,
            lr: 1e-3,
            noise_dim: 2,
            pack: 2,
            eval_every: 500,
            seed: 0,
            adam: AdamSettings {
                betas: [0.5, 0.999],
                max_grad_norm: None,
                ..AdamSettings::default()
            },
            cosine: true,
        }
    }
}

impl GanConfig {
    /// The vanilla GAN the fix is compared with: the same settings, no packing.
    pub fn vanilla() -> Self {
        GanConfig {
            pack: 1,
            ..GanConfig::default()
        }
    }

    /// The PyTorch reference `gan_ring.py`: noise 256, learning rate 10⁻⁴ (constant), no
    /// packing.
    pub fn reference() -> Self {
        GanConfig {
            lr: 1e-4,
            noise_dim: 256,
            pack: 1,
            cosine: false,
            ..GanConfig::default()
        }
    }

    /// The digits GAN, as the PyTorch reference `gan_digits.py`: noise 64, batch 64,
    /// learning rate 2 · 10⁻⁴ (constant), no packing, 30,000 steps.
    pub fn digits() -> Self {
        GanConfig {
            steps: 30_000,
            batch: 64,
            lr: 2e-4,
            noise_dim: 64,
            pack: 1,
            eval_every: 1000,
            cosine: false,
            ..GanConfig::default()
        }
    }

    /// The learning rate at `step`: constant, or with `cosine` from `lr` down to 0.
    pub fn lr_at(&self, step: usize) -> f32 {
        if !self.cosine {
            return self.lr;
        }
        let progress = step as f32 / self.steps.max(1) as f32;
        0.5 * self.lr * (1.0 + (std::f32::consts::PI * progress).cos())
    }

    /// Rejects hyper-parameters that cannot work.
    ///
    /// ```
    /// use aigc::gan::GanConfig;
    /// let bad = GanConfig { noise_dim: 0, ..GanConfig::default() };
    /// assert!(bad.validate().unwrap_err().to_string().contains("noise dimension"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        crate::train::validate_lr(self.lr as f64)?;
        validate_count("steps", self.steps)?;
        validate_count("batch size", self.batch)?;
        validate_count("noise dimension", self.noise_dim)?;
        validate_count("pack", self.pack)?;
        validate_count("eval-every", self.eval_every)?;
        if !self.batch.is_multiple_of(self.pack) {
            return Err(AigcError::InvalidHyperParameter {
                name: "batch size",
                message: format!(
                    "must be a multiple of the pack size {}, got {}",
                    self.pack, self.batch
                ),
            });
        }
        Ok(())
    }
}

/// The two players' optimisers: each network has its own Adam.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Players {
    /// The generator's Adam.
    pub g: ClippedAdam,
    /// The discriminator's Adam.
    pub d: ClippedAdam,
}

impl Players {
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

/// One evaluation during training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Eval {
    /// Steps done when it was taken.
    pub step: usize,
    /// Mode metrics (2-D mixtures).
    pub modes: Option<ModeMetrics>,
    /// Classifier metrics (digits).
    pub digits: Option<DigitMetrics>,
    /// A few generated samples (row-major), for the pictures of training.
    pub samples: Vec<f32>,
}

/// What a run has measured so far; saved in every checkpoint.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GanLog {
    /// Steps done.
    pub step: usize,
    /// Both losses at every step.
    pub losses: Vec<StepLosses>,
    /// Every evaluation, in order.
    pub evals: Vec<Eval>,
    /// Seconds spent training (evaluation excluded).
    pub train_seconds: f64,
    /// Seconds of each step of this session (not saved in checkpoints): their median is a
    /// speed that intermittent load from other processes does not drag down.
    #[serde(skip)]
    pub step_seconds: Vec<f32>,
}

impl GanLog {
    /// Training steps per second.
    pub fn steps_per_second(&self) -> f64 {
        self.step as f64 / self.train_seconds.max(1e-9)
    }

    /// One over the median step time of this session.
    pub fn steps_per_second_median(&self) -> f64 {
        let mut t = self.step_seconds.clone();
        t.sort_by(f32::total_cmp);
        t.get(t.len() / 2)
            .map_or(0.0, |&m| 1.0 / (m as f64).max(1e-12))
    }
}

/// Where real samples come from: batch `step` of a run is the same on every run with the
/// same seed (so a resumed run sees what the uninterrupted one would have seen).
pub trait RealData {
    /// Numbers per sample.
    fn dim(&self) -> usize;
    /// `n` samples, row-major.
    fn batch(&self, n: usize, step: usize, rng: &mut StdRng) -> Vec<f32>;
}

impl RealData for crate::data::Mixture {
    fn dim(&self) -> usize {
        2
    }
    fn batch(&self, n: usize, _step: usize, rng: &mut StdRng) -> Vec<f32> {
        self.sample(n, rng) // a fresh draw every step: infinite data
    }
}

/// `n` × `dim` numbers from N(0, 1), row-major.
pub fn noise(n: usize, dim: usize, rng: &mut StdRng) -> Vec<f32> {
    (0..n * dim).map(|_| StandardNormal.sample(rng)).collect()
}

/// The random stream of step `step` of a run with seed `seed`.
pub fn step_rng(seed: u64, step: usize) -> StdRng {
    StdRng::seed_from_u64(seed.wrapping_mul(1_000_003).wrapping_add(step as u64))
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
pub fn gan_step<const Z: usize, const H: usize, const X: usize, const DI: usize, A, Out, D>(
    dev: &D,
    gan: &mut Gan<Z, H, X, DI, A, Out, D>,
    players: &mut Players,
    real: &[f32],
    noise: &[f32],
    lr: f32,
) -> StepLosses
where
    A: Activation,
    Out: Activation,
    D: Device<f32>,
{
    let n = real.len() / X; // samples of each kind
    let rows = n / (DI / X); // D's inputs of each kind after packing
    let z = dev.tensor_from_vec(noise.to_vec(), (n, Const::<Z>));
    // One generator pass serves both steps: the tape is set aside for the G step.
    let (fake, g_tape) = gan.g.forward(z.traced(gan.g.alloc_grads())).split_tape();

    // D step: real rows labelled 1, fake rows labelled 0, fakes detached from G.
    let mut x = real.to_vec();
    x.extend(fake.as_vec());
    let x = dev.tensor_from_vec(x, (2 * rows, Const::<DI>));
    let mut labels = vec![1.0f32; rows];
    labels.resize(2 * rows, 0.0);
    let labels = dev.tensor_from_vec(labels, (2 * rows, Const::<1>));
    let logits = gan.d.forward(x.traced(gan.d.alloc_grads()));
    // Mean over real and fake rows together, ×2 = the sum of the two batch means.
    let d_loss = binary_cross_entropy_with_logits_loss(logits, labels) * 2.0;
    let d = d_loss.as_vec()[0];
    players.d.step(&mut gan.d, &d_loss.backward(), lr);

    // G step: the same fakes, now with G's tape, judged by the updated D.
    let packed = fake.put_tape(g_tape).reshape_like(&(rows, Const::<DI>));
    let logits = gan.d.forward(packed);
    let g_loss = binary_cross_entropy_with_logits_loss(logits, dev.ones_like(&(rows, Const)));
    let g = g_loss.as_vec()[0];
    // backward() also computes gradients for D's weights; G's optimiser ignores them.
    players.g.step(&mut gan.g, &g_loss.backward(), lr);
    StepLosses { d, g }
}
// ANCHOR_END: gan_step

/// Both players' losses on a batch, without updating anything (what [`gan_step`] would
/// report if D were not updated between its two halves).
pub fn losses<const Z: usize, const H: usize, const X: usize, const DI: usize, A, Out, D>(
    dev: &D,
    gan: &Gan<Z, H, X, DI, A, Out, D>,
    real: &[f32],
    noise: &[f32],
) -> StepLosses
where
    A: Activation,
    Out: Activation,
    D: Device<f32>,
{
    let n = real.len() / X;
    let rows = n / (DI / X);
    let z = dev.tensor_from_vec(noise.to_vec(), (n, Const::<Z>));
    let fake = gan.g.forward(z).as_vec();
    let d_of = |x: Vec<f32>| gan.d.forward(dev.tensor_from_vec(x, (rows, Const::<DI>)));
    let ones = || dev.ones_like(&(rows, Const::<1>));
    let zeros = || dev.zeros_like(&(rows, Const::<1>));
    let bce = |logits, target| binary_cross_entropy_with_logits_loss(logits, target).as_vec()[0];
    StepLosses {
        d: bce(d_of(real.to_vec()), ones()) + bce(d_of(fake.clone()), zeros()),
        g: bce(d_of(fake), ones()),
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// All steps done.
    Completed,
    /// Stopped early because the interrupt flag was set (Ctrl-C); resumable.
    Interrupted,
}

/// Trains `gan` from `log.step` up to `cfg.steps`. Every `eval_every` steps, at the end
/// and on interruption it calls `evaluate` (which measures and checkpoints).
// ANCHOR: train_loop
#[allow(clippy::too_many_arguments)]
pub fn train_gan<const Z: usize, const H: usize, const X: usize, const DI: usize, A, Out, D>(
    dev: &D,
    gan: &mut Gan<Z, H, X, DI, A, Out, D>,
    players: &mut Players,
    data: &impl RealData,
    cfg: &GanConfig,
    log: &mut GanLog,
    interrupt: &AtomicBool,
    mut evaluate: impl FnMut(&Gan<Z, H, X, DI, A, Out, D>, &Players, &mut GanLog) -> Result<()>,
) -> Result<Finish>
where
    A: Activation,
    Out: Activation,
    D: Device<f32>,
{
    check_shapes::<Z, X, DI>(cfg, data.dim())?;
    if log.evals.is_empty() {
        evaluate(gan, players, log)?; // the untrained generator, for the pictures
    }
    let bar = progress_bar((cfg.steps - log.step.min(cfg.steps)) as u64, "gan");
    while log.step < cfg.steps {
        if interrupt.load(Ordering::SeqCst) {
            evaluate(gan, players, log)?;
            bar.abandon();
            return Ok(Finish::Interrupted);
        }
        let start = Instant::now();
        let mut rng = step_rng(cfg.seed, log.step);
        let real = data.batch(cfg.batch, log.step, &mut rng);
        let z = noise(cfg.batch, Z, &mut rng);
        let losses = gan_step(dev, gan, players, &real, &z, cfg.lr_at(log.step));
        let first = log.losses.first().copied().unwrap_or(losses);
        for (value, first) in [(losses.d, first.d), (losses.g, first.g)] {
            if check_loss(value as f64, first as f64).is_err() {
                return Err(AigcError::Diverged {
                    step: log.step,
                    loss: value as f64,
                    lr: cfg.lr as f64,
                    hint: "lower --lr; a GAN whose losses blow up has lost its balance".into(),
                });
            }
        }
        log.step += 1;
        log.losses.push(losses);
        log.train_seconds += start.elapsed().as_secs_f64();
        log.step_seconds.push(start.elapsed().as_secs_f32());
        bar.inc(1);
        if log.step.is_multiple_of(cfg.eval_every) || log.step == cfg.steps {
            bar.set_message(format!("D {:.3}, G {:.3}", losses.d, losses.g));
            evaluate(gan, players, log)?;
        }
    }
    bar.finish_and_clear();
    Ok(Finish::Completed)
}
// ANCHOR_END: train_loop

/// Checks a configuration against the model's sizes, with messages that say which differs.
pub fn check_shapes<const Z: usize, const X: usize, const DI: usize>(
    cfg: &GanConfig,
    data_dim: usize,
) -> Result<()> {
    cfg.validate()?;
    let mismatch = |name: &'static str, want: usize, got: usize| {
        Err(AigcError::InvalidHyperParameter {
            name,
            message: format!("this model is built for {want}, got {got}"),
        })
    };
    if cfg.noise_dim != Z {
        return mismatch("noise dimension", Z, cfg.noise_dim);
    }
    if cfg.pack != DI / X {
        return mismatch("pack", DI / X, cfg.pack);
    }
    if data_dim != X {
        return mismatch("sample size", X, data_dim);
    }
    Ok(())
}
