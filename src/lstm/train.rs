//! Training the character LSTM: batches, loss, Adam, schedule, validation, interruption.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use dfdx::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

use super::{CharLstm, next_char_loss, time_major};
use crate::data::{TextData, random_batch};
use crate::error::{AigcError, Result};
use crate::optim::{AdamSettings, ClippedAdam};
use crate::train::{check_loss, progress_bar, validate_count};

/// Hyper-parameters of a training run (the book's defaults in [`Default`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LstmConfig {
    /// Adam steps in the whole run.
    pub steps: usize,
    /// Sequences per batch.
    pub batch: usize,
    /// Characters per sequence (how far back gradients flow).
    pub seq: usize,
    /// Peak learning rate.
    pub lr: f32,
    /// Cosine decay of the learning rate to `lr / 10` over the run (`false`: constant).
    pub cosine: bool,
    /// Fraction of the text held out for validation.
    pub valid_fraction: f64,
    /// Evaluate (and checkpoint) every this many steps.
    pub eval_every: usize,
    /// Validation batches per evaluation (always the same ones).
    pub eval_batches: usize,
    /// Seed of the initial weights and of every batch.
    pub seed: u64,
    /// Adam and clipping.
    pub adam: AdamSettings,
}

impl Default for LstmConfig {
    fn default() -> Self {
        LstmConfig {
            steps: 1200,
            batch: 32,
            seq: 64,
            lr: 2e-3,
            cosine: true,
            valid_fraction: 0.1,
            eval_every: 100,
            eval_batches: 10,
            seed: 0,
            adam: AdamSettings::default(),
        }
    }
}

impl LstmConfig {
    /// Rejects hyper-parameters that cannot work.
    pub fn validate(&self) -> Result<()> {
        crate::train::validate_lr(self.lr as f64)?;
        validate_count("steps", self.steps)?;
        validate_count("batch size", self.batch)?;
        validate_count("sequence length", self.seq)?;
        validate_count("eval-every", self.eval_every)?;
        validate_count("eval batches", self.eval_batches)?;
        if !(self.valid_fraction > 0.0 && self.valid_fraction < 0.5) {
            return Err(AigcError::InvalidHyperParameter {
                name: "validation fraction",
                message: format!("must be between 0 and 0.5, got {}", self.valid_fraction),
            });
        }
        Ok(())
    }

    /// The learning rate at `step`: cosine from `lr` down to `lr / 10`.
    pub fn lr_at(&self, step: usize) -> f32 {
        if !self.cosine {
            return self.lr;
        }
        let progress = step as f32 / self.steps.max(1) as f32;
        let min = self.lr / 10.0;
        min + 0.5 * (self.lr - min) * (1.0 + (std::f32::consts::PI * progress).cos())
    }
}

/// What a run has measured so far; saved in every checkpoint.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TrainLog {
    /// Steps done.
    pub step: usize,
    /// (step, training loss) for every step.
    pub train: Vec<(usize, f64)>,
    /// (step, validation loss) at every evaluation.
    pub valid: Vec<(usize, f64)>,
    /// Seconds spent training (evaluation excluded).
    pub train_seconds: f64,
}

impl TrainLog {
    /// Characters read per second of training.
    pub fn chars_per_second(&self, cfg: &LstmConfig) -> f64 {
        (self.step * cfg.batch * cfg.seq) as f64 / self.train_seconds.max(1e-9)
    }
}

/// The mean loss on the held-out text, over the same `eval_batches` batches every time.
pub fn validation_loss<const V: usize, const E: usize, const H: usize, const G: usize, D>(
    dev: &D,
    model: &CharLstm<V, E, H, G, f32, D>,
    data: &TextData,
    cfg: &LstmConfig,
) -> f64
where
    D: Device<f32>,
{
    let mut rng = StdRng::seed_from_u64(1234); // the same batches at every evaluation
    let mut total = 0.0;
    for _ in 0..cfg.eval_batches {
        let (x, y) = random_batch(&data.valid, cfg.batch, cfg.seq, &mut rng);
        let (logits, _) = model.forward(time_major(dev, &x, cfg.batch, cfg.seq), None);
        let loss = next_char_loss(logits, time_major(dev, &y, cfg.batch, cfg.seq));
        total += loss.as_vec()[0] as f64;
    }
    total / cfg.eval_batches as f64
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// All steps done.
    Completed,
    /// Stopped early because the interrupt flag was set (Ctrl-C); resumable.
    Interrupted,
}

/// Trains `model` from `log.step` up to `cfg.steps`. Every `eval_every` steps (and at the
/// end or on interruption) it measures the validation loss and calls `checkpoint`.
///
/// Batch `k` is drawn from a generator seeded with (seed, k), so a run resumed from a
/// checkpoint sees exactly the batches the uninterrupted run would have seen.
// ANCHOR: train_loop
#[allow(clippy::too_many_arguments)]
pub fn train_lstm<const V: usize, const E: usize, const H: usize, const G: usize, D>(
    dev: &D,
    model: &mut CharLstm<V, E, H, G, f32, D>,
    opt: &mut ClippedAdam,
    data: &TextData,
    cfg: &LstmConfig,
    log: &mut TrainLog,
    interrupt: &AtomicBool,
    mut checkpoint: impl FnMut(&CharLstm<V, E, H, G, f32, D>, &ClippedAdam, &TrainLog) -> Result<()>,
) -> Result<Finish>
where
    D: Device<f32>,
{
    cfg.validate()?;
    if log.valid.is_empty() {
        log.valid.push((0, validation_loss(dev, model, data, cfg)));
    }
    let bar = progress_bar((cfg.steps - log.step.min(cfg.steps)) as u64, "lstm");
    let mut grads = model.alloc_grads();
    while log.step < cfg.steps {
        if interrupt.load(Ordering::SeqCst) {
            log.valid
                .push((log.step, validation_loss(dev, model, data, cfg)));
            checkpoint(model, opt, log)?;
            bar.abandon();
            return Ok(Finish::Interrupted);
        }
        let start = Instant::now();
        let mut rng = StdRng::seed_from_u64(
            cfg.seed
                .wrapping_mul(1_000_003)
                .wrapping_add(log.step as u64),
        );
        let (x, y) = random_batch(&data.train, cfg.batch, cfg.seq, &mut rng);
        let inputs = time_major(dev, &x, cfg.batch, cfg.seq).traced(grads);
        let (logits, _) = model.forward(inputs, None);
        let loss = next_char_loss(logits, time_major(dev, &y, cfg.batch, cfg.seq));
        let value = loss.as_vec()[0] as f64;
        let first = log.train.first().map_or(value, |&(_, l)| l);
        if check_loss(value, first).is_err() {
            return Err(AigcError::Diverged {
                step: log.step,
                loss: value,
                lr: cfg.lr_at(log.step) as f64,
                hint: "lower --lr, or keep gradient clipping on".into(),
            });
        }
        grads = loss.backward();
        opt.step(model, &grads, cfg.lr_at(log.step));
        model.zero_grads(&mut grads);
        log.step += 1;
        log.train.push((log.step, value));
        log.train_seconds += start.elapsed().as_secs_f64();
        bar.inc(1);
        bar.set_message(format!(
            "loss {value:.3}, {:.0} chars/s",
            log.chars_per_second(cfg)
        ));
        if log.step.is_multiple_of(cfg.eval_every) || log.step == cfg.steps {
            log.valid
                .push((log.step, validation_loss(dev, model, data, cfg)));
            checkpoint(model, opt, log)?;
        }
    }
    bar.finish_and_clear();
    Ok(Finish::Completed)
}
// ANCHOR_END: train_loop
