//! Training the mini-GPT: AdamW, warm-up then cosine decay, clipping, validation.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use dfdx::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

use super::MiniGpt;
use crate::data::{TextData, random_batch};
use crate::error::{AigcError, Result};
use crate::lstm::{Finish, TrainLog, next_char_loss};
use crate::optim::{AdamSettings, ClippedAdam};
use crate::train::{check_loss, progress_bar, validate_count};

/// Hyper-parameters of a training run; [`Default`] is nanoGPT's CPU example (batch 12,
/// context 64, AdamW β = (0.9, 0.99), weight decay 0.1, learning rate 10⁻³ warmed up over
/// 100 steps and decayed to 10⁻⁴), shortened to 1,000 steps for the bundled corpus.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GptConfig {
    /// AdamW steps in the whole run.
    pub steps: usize,
    /// Windows per batch.
    pub batch: usize,
    /// Characters per window (at most the model's context).
    pub seq: usize,
    /// Peak learning rate.
    pub lr: f32,
    /// Learning rate at the end of the cosine decay.
    pub min_lr: f32,
    /// Steps of linear warm-up from ≈0 to `lr`.
    pub warmup: usize,
    /// Fraction of the text held out for validation.
    pub valid_fraction: f64,
    /// Evaluate (and checkpoint) every this many steps.
    pub eval_every: usize,
    /// Validation batches per evaluation (always the same ones).
    pub eval_batches: usize,
    /// Seed of the initial weights and of every batch.
    pub seed: u64,
    /// AdamW and clipping.
    pub adam: AdamSettings,
}

impl Default for GptConfig {
    fn default() -> Self {
        GptConfig {
            steps: 1000,
            batch: 12,
            seq: 64,
            lr: 1e-3,
            min_lr: 1e-4,
            warmup: 100,
            valid_fraction: 0.1,
            eval_every: 100,
            eval_batches: 20,
            seed: 0,
            adam: AdamSettings {
                betas: [0.9, 0.99],
                eps: 1e-8,
                max_grad_norm: Some(1.0),
                weight_decay: 0.1,
            },
        }
    }
}

impl GptConfig {
    /// Rejects hyper-parameters that cannot work; `context` is the model's window.
    pub fn validate(&self, context: usize) -> Result<()> {
        crate::train::validate_lr(self.lr as f64)?;
        crate::train::validate_lr(self.min_lr as f64)?;
        validate_count("steps", self.steps)?;
        validate_count("batch size", self.batch)?;
        validate_count("sequence length", self.seq)?;
        validate_count("eval-every", self.eval_every)?;
        validate_count("eval batches", self.eval_batches)?;
        if self.seq > context {
            return Err(AigcError::InvalidHyperParameter {
                name: "sequence length",
                message: format!(
                    "{} is longer than the model's context of {context} positions",
                    self.seq
                ),
            });
        }
        if !(self.valid_fraction > 0.0 && self.valid_fraction < 0.5) {
            return Err(AigcError::InvalidHyperParameter {
                name: "validation fraction",
                message: format!("must be between 0 and 0.5, got {}", self.valid_fraction),
            });
        }
        Ok(())
    }

    /// The learning rate at `step`: a linear warm-up, then a cosine from `lr` to `min_lr`
    /// (nanoGPT's schedule). Warm-up matters for Adam: its first steps, with moment
    /// estimates from one or two gradients, are the least reliable.
    // ANCHOR: schedule
    pub fn lr_at(&self, step: usize) -> f32 {
        if step < self.warmup {
            return self.lr * (step + 1) as f32 / (self.warmup + 1) as f32;
        }
        let span = self.steps.saturating_sub(self.warmup).max(1) as f32;
        let progress = ((step - self.warmup) as f32 / span).min(1.0);
        let cosine = 0.5 * (1.0 + (std::f32::consts::PI * progress).cos()); // 1 → 0
        self.min_lr + cosine * (self.lr - self.min_lr)
    }
    // ANCHOR_END: schedule
}

/// The mean loss on the held-out text, over the same `eval_batches` batches every time.
pub fn validation_loss<
    const V: usize,
    const C: usize,
    const FF: usize,
    const NH: usize,
    const L: usize,
    const BLOCK: usize,
    D: Device<f32>,
>(
    dev: &D,
    model: &MiniGpt<V, C, FF, NH, L, BLOCK, f32, D>,
    data: &TextData,
    cfg: &GptConfig,
) -> f64 {
    let mut rng = StdRng::seed_from_u64(1234); // the same batches at every evaluation
    let mut total = 0.0;
    for _ in 0..cfg.eval_batches {
        let (x, y) = random_batch(&data.valid, cfg.batch, cfg.seq, &mut rng);
        let logits = model.forward(dev.tensor_from_vec(x, (cfg.batch, cfg.seq)));
        let loss = next_char_loss(logits, dev.tensor_from_vec(y, (cfg.batch, cfg.seq)));
        total += loss.as_vec()[0] as f64;
    }
    total / cfg.eval_batches as f64
}

/// One training step on batch (`x`, `y`) (row-major ids, `batch` rows of `seq`): the loss
/// before the update, and the gradient norm before clipping.
// ANCHOR: step
#[allow(clippy::too_many_arguments)]
pub fn train_step<
    const V: usize,
    const C: usize,
    const FF: usize,
    const NH: usize,
    const L: usize,
    const BLOCK: usize,
    D: Device<f32>,
>(
    dev: &D,
    model: &mut MiniGpt<V, C, FF, NH, L, BLOCK, f32, D>,
    opt: &mut ClippedAdam,
    grads: &mut Gradients<f32, D>,
    (x, y): (Vec<usize>, Vec<usize>),
    (batch, seq): (usize, usize),
    lr: f32,
) -> (f64, f32) {
    let inputs = dev.tensor_from_vec(x, (batch, seq));
    let logits = model.forward(inputs.traced(std::mem::replace(grads, Gradients::leaky())));
    let loss = next_char_loss(logits, dev.tensor_from_vec(y, (batch, seq)));
    let value = loss.as_vec()[0] as f64;
    *grads = loss.backward();
    let norm = opt.step(model, grads, lr);
    model.zero_grads(grads);
    (value, norm)
}
// ANCHOR_END: step

/// Trains `model` from `log.step` up to `cfg.steps`. Every `eval_every` steps (and at the
/// end or on interruption) it measures the validation loss and calls `checkpoint`.
///
/// Batch `k` is drawn from a generator seeded with (seed, k), so a resumed run sees
/// exactly the batches the uninterrupted run would have seen.
// ANCHOR: train_loop
#[allow(clippy::too_many_arguments)]
pub fn train_gpt<
    const V: usize,
    const C: usize,
    const FF: usize,
    const NH: usize,
    const L: usize,
    const BLOCK: usize,
    D: Device<f32>,
>(
    dev: &D,
    model: &mut MiniGpt<V, C, FF, NH, L, BLOCK, f32, D>,
    opt: &mut ClippedAdam,
    data: &TextData,
    cfg: &GptConfig,
    log: &mut TrainLog,
    interrupt: &AtomicBool,
    mut checkpoint: impl FnMut(
        &MiniGpt<V, C, FF, NH, L, BLOCK, f32, D>,
        &ClippedAdam,
        &TrainLog,
    ) -> Result<()>,
) -> Result<Finish> {
    cfg.validate(BLOCK)?;
    if log.valid.is_empty() {
        log.valid.push((0, validation_loss(dev, model, data, cfg)));
    }
    let bar = progress_bar((cfg.steps - log.step.min(cfg.steps)) as u64, "gpt");
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
        let batch = random_batch(&data.train, cfg.batch, cfg.seq, &mut rng);
        let lr = cfg.lr_at(log.step);
        let (value, _) = train_step(dev, model, opt, &mut grads, batch, (cfg.batch, cfg.seq), lr);
        let first = log.train.first().map_or(value, |&(_, l)| l);
        if check_loss(value, first).is_err() {
            return Err(AigcError::Diverged {
                step: log.step,
                loss: value,
                lr: lr as f64,
                hint: "lower --lr, or keep gradient clipping on".into(),
            });
        }
        log.step += 1;
        log.train.push((log.step, value));
        log.train_seconds += start.elapsed().as_secs_f64();
        bar.inc(1);
        bar.set_message(format!(
            "loss {value:.3}, {:.0} ms/step",
            1e3 * log.train_seconds / log.step.max(1) as f64
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
