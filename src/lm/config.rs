//! A text model's training run, in numbers.

use std::marker::PhantomData;

use serde::{Deserialize, Serialize};

use super::TextModel;
use crate::data::Tokenization;
use crate::error::{AigcError, Result};
use crate::optim::AdamSettings;
use crate::train::{LoopSettings, validate_count, validate_fraction, validate_lr, warmup_cosine};

/// Hyper-parameters of one training run of the text model `M`; `Default` is the book's
/// run of that model (`M::book_config()`).
///
/// ```
/// use aigc::lstm::LstmConfig;
/// let quick = LstmConfig { steps: 50, ..LstmConfig::default() };
/// assert!(quick.validate(None).is_ok());
/// assert!(LstmConfig { batch: 0, ..quick }.validate(None).is_err());
/// ```
#[derive(Debug, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct TextConfig<M> {
    /// Optimiser steps in the whole run.
    pub steps: usize,
    /// Windows per batch.
    pub batch: usize,
    /// Tokens per window (how far back gradients flow).
    pub seq: usize,
    /// Peak learning rate.
    pub lr: f32,
    /// The learning rate at the end of the cosine decay; `lr` keeps it constant.
    pub min_lr: f32,
    /// Steps of linear warm-up from ≈0 to `lr` (0: none).
    pub warmup: usize,
    /// Fraction of the text held out for validation (the end of the text).
    pub valid_fraction: f64,
    /// Evaluate (and checkpoint) every this many steps.
    pub eval_every: usize,
    /// Seed of the initial weights and of every batch.
    pub seed: u64,
    /// Adam, weight decay and clipping.
    pub adam: AdamSettings,
    /// How the text becomes tokens (characters unless told otherwise).
    #[serde(default)]
    pub tokens: Tokenization,
    /// Which model these settings are for (no data).
    #[serde(skip)]
    pub model: PhantomData<M>,
}

impl<M: TextModel> Default for TextConfig<M> {
    fn default() -> Self {
        M::book_config()
    }
}

// Written by hand: a derive would ask the model marker `M` to be `Clone` too.
impl<M> Clone for TextConfig<M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M> Copy for TextConfig<M> {}

impl<M> PartialEq for TextConfig<M> {
    fn eq(&self, other: &Self) -> bool {
        let key = |c: &Self| {
            (
                (c.steps, c.batch, c.seq, c.warmup, c.eval_every, c.seed),
                (c.lr, c.min_lr, c.valid_fraction),
                (c.adam, c.tokens),
            )
        };
        key(self) == key(other)
    }
}

impl<M> TextConfig<M> {
    /// Rejects hyper-parameters that cannot work; `context` is the model's longest
    /// window, if it has one.
    pub fn validate(&self, context: Option<usize>) -> Result<()> {
        validate_lr(self.lr as f64)?;
        validate_lr(self.min_lr as f64)?;
        validate_count("steps", self.steps)?;
        validate_count("batch size", self.batch)?;
        validate_count("sequence length", self.seq)?;
        validate_count("eval-every", self.eval_every)?;
        validate_fraction(self.valid_fraction)?;
        if let Some(context) = context.filter(|&c| self.seq > c) {
            return Err(AigcError::InvalidHyperParameter {
                name: "sequence length",
                message: format!(
                    "{} is longer than the model's context of {context} positions",
                    self.seq
                ),
            });
        }
        Ok(())
    }

    /// The learning rate at `step`: warm-up, then a cosine down to `min_lr`.
    pub fn lr_at(&self, step: usize) -> f32 {
        warmup_cosine(self.lr, self.min_lr, self.warmup, self.steps, step)
    }

    /// Characters per training step.
    pub fn chars_per_step(&self) -> usize {
        self.batch * self.seq
    }

    /// What the shared loop needs to know.
    pub fn loop_settings(&self, name: &'static str) -> LoopSettings {
        LoopSettings {
            name,
            steps: self.steps,
            eval_every: self.eval_every,
            seed: self.seed,
        }
    }
}
