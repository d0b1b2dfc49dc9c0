//! Training a text model: the step, the validation loss, and the [`Trainer`] the shared
//! loop drives.

use std::path::PathBuf;

use dfdx::prelude::*;
use rand::rngs::StdRng;

use super::{LanguageModel, TextConfig, TextModel, TextRecord};
use crate::data::{Batch, TextData, Tokenizer, consecutive_batches, random_batch};
use crate::error::Result;
use crate::optim::ClippedAdam;
use crate::train::{TrainLog, Trainer};

/// A text model's log: one loss per step, one validation loss per evaluation.
pub type TextLog = TrainLog<f64, f64>;

/// One training step on `batch`: forward, loss, `backward()`, one Adam update. Returns the
/// loss before the update and the gradient's norm before clipping.
// ANCHOR: step
pub fn train_step<M: LanguageModel<D>, D: Device<f32>>(
    model: &mut M,
    opt: &mut ClippedAdam<D>,
    batch: &Batch,
    lr: f32,
) -> (f64, f32) {
    let loss = model.loss::<OwnedTape<f32, D>>(batch); // the tape records the forward pass
    let value = loss.as_vec()[0] as f64;
    let mut grads = loss.backward(); // every parameter's gradient, from the tape
    let norm = opt.step(model, &mut grads, lr);
    (value, norm)
}
// ANCHOR_END: step

/// The loss over the whole held-out text in nats per *character*, read in consecutive
/// windows of `seq` tokens, `batch` at a time (each token predicted once, no sampling
/// noise). A token of several characters is one prediction that costs its whole loss, so
/// dividing by characters instead of tokens makes tokenizers comparable.
pub fn validation_loss<M: LanguageModel<D>, D: Device<f32>>(
    model: &M,
    tokenizer: &Tokenizer,
    valid: &[usize],
    (batch, seq): (usize, usize),
) -> f64 {
    let (mut total, mut positions) = (0.0, 0);
    for b in consecutive_batches(valid, batch, seq) {
        let n = b.batch * b.seq;
        total += model.loss::<NoneTape>(&b).as_vec()[0] as f64 * n as f64;
        positions += n;
    }
    let chars = tokenizer.decode(&valid[1..=positions]).chars().count();
    total / chars.max(1) as f64
}

/// A text model in training: the network, its optimiser, the text, and where to save.
#[derive(Debug)]
pub struct TextTrainer<'a, M: TextModel, D: Device<f32>> {
    /// The network being trained.
    pub model: M::Net<D>,
    /// Its optimiser.
    pub opt: ClippedAdam<D>,
    /// The text, split and encoded.
    pub data: &'a TextData,
    /// The run's settings.
    pub config: TextConfig<M>,
    /// Where each evaluation's checkpoint goes (`None`: nowhere).
    pub checkpoint: Option<PathBuf>,
}

impl<M: TextModel, D: Device<f32>> Trainer for TextTrainer<'_, M, D> {
    type Losses = f64;
    type Eval = f64;

    fn lr_at(&self, step: usize) -> f32 {
        self.config.lr_at(step)
    }

    fn step(&mut self, _: usize, rng: &mut StdRng, lr: f32) -> f64 {
        let batch = random_batch(&self.data.train, self.config.batch, self.config.seq, rng);
        train_step(&mut self.model, &mut self.opt, &batch, lr).0
    }

    fn evaluate(&mut self) -> Result<f64> {
        let c = &self.config;
        let tokenizer = &self.data.tokenizer;
        Ok(validation_loss(
            &self.model,
            tokenizer,
            &self.data.valid,
            (c.batch, c.seq),
        ))
    }

    fn checkpoint(&mut self, log: &TextLog) -> Result<()> {
        let Some(path) = &self.checkpoint else {
            return Ok(());
        };
        let record = TextRecord {
            tokenizer: self.data.tokenizer.clone(),
            config: self.config,
            log: log.clone(),
        };
        crate::checkpoint::save(path, M::NAME, &self.model, &[&self.opt], &record)
    }
}
