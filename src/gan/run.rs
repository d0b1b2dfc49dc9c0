//! A GAN's training run: the shared loop drives a [`GanTrainer`], which plays one round
//! per step, judges the generator at every evaluation and saves both players.

use std::path::Path;

use dfdx::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

use super::{
    DigitMetrics, Gan, GanConfig, ModeMetrics, Nonlinearity, Players, RealData, StepLosses,
    gan_step, noise,
};
use crate::error::{AigcError, Result};
use crate::train::{Finish, RunOptions, Stop, TrainLog, Trainer, fit};

/// Seed of the fixed evaluation noise (as in the PyTorch references).
pub const EVAL_SEED: u64 = 999;

/// What one evaluation of a generator measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GanEval {
    /// Mode metrics (2-D mixtures).
    pub modes: Option<ModeMetrics>,
    /// The judge's metrics (digits).
    pub digits: Option<DigitMetrics>,
    /// A few generated samples (row-major), for the pictures of training.
    pub samples: Vec<f32>,
}

/// A GAN's log: both losses at every step, the generator judged at every evaluation.
pub type GanLog = TrainLog<StepLosses, GanEval>;

/// The fixed noise every evaluation feeds the generator: `n` × `dim`, seed [`EVAL_SEED`].
pub fn eval_noise(n: usize, dim: usize) -> Vec<f32> {
    noise(n, dim, &mut StdRng::seed_from_u64(EVAL_SEED))
}

/// What a GAN's checkpoint records besides its tensors.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct GanRecord {
    config: GanConfig,
    log: GanLog,
}

/// A GAN in training: both players, their optimisers, the data, where to save.
#[derive(Debug)]
pub struct GanTrainer<'a, const H: usize, A, Out, D: Device<f32>, R> {
    /// Generator and discriminator.
    pub gan: Gan<H, A, Out, D>,
    /// Their optimisers.
    pub players: Players<D>,
    /// Real samples, and the judge of fakes.
    pub data: &'a R,
    /// The run's settings.
    pub config: GanConfig,
    /// Where each evaluation's checkpoint goes (`None`: nowhere).
    pub checkpoint: Option<std::path::PathBuf>,
    eval_noise: Vec<f32>,
}

impl<const H: usize, A, Out, D, R> Trainer for GanTrainer<'_, H, A, Out, D, R>
where
    A: Nonlinearity,
    Out: Nonlinearity,
    D: Device<f32>,
    R: RealData,
{
    type Losses = StepLosses;
    type Eval = GanEval;

    fn lr_at(&self, step: usize) -> f32 {
        self.config.lr_at(step)
    }

    fn step(&mut self, step: usize, rng: &mut StdRng, lr: f32) -> StepLosses {
        let c = &self.config;
        let real = self.data.batch(c.batch, (step, c.seed), rng);
        let z = noise(c.batch, c.noise_dim, rng);
        gan_step(&mut self.gan, &mut self.players, &real, &z, lr)
    }

    fn evaluate(&mut self) -> Result<GanEval> {
        Ok(self.data.judge(&self.gan.generate(&self.eval_noise)))
    }

    fn checkpoint(&mut self, log: &GanLog) -> Result<()> {
        let Some(path) = &self.checkpoint else {
            return Ok(());
        };
        let record = GanRecord {
            config: self.config,
            log: log.clone(),
        };
        let name = self.gan.name(&self.data.name());
        let opts = [&self.players.g, &self.players.d];
        crate::checkpoint::save(path, &name, &self.gan, &opts, &record)
    }

    fn divergence_hint(&self) -> &'static str {
        "lower --lr; a GAN whose losses blow up has lost its balance"
    }
}

/// How a GAN run ended, with what it made and measured.
#[derive(Debug)]
pub struct GanOutcome<G> {
    /// The trained networks.
    pub gan: G,
    /// The measurements.
    pub log: GanLog,
    /// The settings used (a resumed run's come from its checkpoint).
    pub config: GanConfig,
    /// Completed, or interrupted (and resumable).
    pub finish: Finish,
}

/// Trains a GAN of hidden width `H` on `data`; with `opts.resume`, continues the run
/// saved in `opts.checkpoint` (its settings, with `cfg.steps` if that is longer).
// ANCHOR: run
pub fn run<const H: usize, A, Out, D, R>(
    dev: &D,
    data: &R,
    cfg: &GanConfig,
    opts: &RunOptions,
    stop: &Stop,
) -> Result<GanOutcome<Gan<H, A, Out, D>>>
where
    A: Nonlinearity,
    Out: Nonlinearity,
    D: Device<f32>,
    R: RealData,
{
    cfg.validate()?;
    let sizes = (cfg.noise_dim, data.dim(), cfg.pack);
    let (gan, players, mut log, config) = match (&opts.checkpoint, opts.resume) {
        (Some(path), true) => resume(dev, path, data, cfg)?,
        (None, true) => return Err(AigcError::Checkpoint("resume needs a checkpoint".into())),
        _ => (
            Gan::new(dev, sizes, cfg.seed),
            Players::new(cfg.adam),
            GanLog::default(),
            *cfg,
        ),
    };
    let mut trainer = GanTrainer {
        eval_noise: eval_noise(data.eval_samples(), config.noise_dim),
        gan,
        players,
        data,
        config,
        checkpoint: opts.checkpoint.clone(),
    };
    let finish = fit(&mut trainer, &config.loop_settings(), &mut log, stop)?;
    Ok(GanOutcome {
        gan: trainer.gan,
        log,
        config,
        finish,
    })
}
// ANCHOR_END: run

type Resumed<const H: usize, A, Out, D> = (Gan<H, A, Out, D>, Players<D>, GanLog, GanConfig);

/// Both players and their optimisers as saved at `path`, which must hold a GAN of the
/// same data, sizes and packing.
fn resume<const H: usize, A, Out, D, R>(
    dev: &D,
    path: &Path,
    data: &R,
    cfg: &GanConfig,
) -> Result<Resumed<H, A, Out, D>>
where
    A: Nonlinearity,
    Out: Nonlinearity,
    D: Device<f32>,
    R: RealData,
{
    let mut gan = Gan::new(dev, (cfg.noise_dim, data.dim(), cfg.pack), cfg.seed);
    let name = gan.name(&data.name());
    let ckpt = crate::checkpoint::open::<GanRecord>(path, &name).map_err(|e| match e {
        AigcError::Checkpoint(m) if m.contains("holds a") => AigcError::Checkpoint(format!(
            "{m}; resume with the same data set, --noise-dim and --pack, or start a new run \
             without --resume"
        )),
        e => e,
    })?;
    ckpt.restore(&mut gan)?;
    let players = Players {
        g: ckpt.optimiser(0, dev)?,
        d: ckpt.optimiser(1, dev)?,
    };
    let config = GanConfig {
        steps: cfg.steps.max(ckpt.run.config.steps),
        ..ckpt.run.config
    };
    Ok((gan, players, ckpt.run.log, config))
}

/// Trains the 2-D mixtures' GAN ([`PlaneGan`](super::PlaneGan)) on `mixture`.
pub fn run_plane<D: Device<f32>>(
    dev: &D,
    mixture: &crate::data::Mixture,
    cfg: &GanConfig,
    opts: &RunOptions,
    stop: &Stop,
) -> Result<GanOutcome<super::PlaneGan<D>>> {
    run::<128, super::Relu, super::Identity, D, _>(dev, mixture, cfg, opts, stop)
}

/// Trains the digits GAN ([`DigitsGan`](super::DigitsGan)) on `data`.
pub fn run_digits<D: Device<f32>>(
    dev: &D,
    data: &super::DigitData,
    cfg: &GanConfig,
    opts: &RunOptions,
    stop: &Stop,
) -> Result<GanOutcome<super::DigitsGan<D>>> {
    run::<256, super::LeakyRelu, super::Tanh, D, _>(dev, data, cfg, opts, stop)
}
