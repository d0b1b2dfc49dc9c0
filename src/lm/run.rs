//! A text model's run as the CLI and the notebooks start it: train from scratch or resume
//! from a checkpoint, saving one at every evaluation.

use std::path::Path;

use dfdx::prelude::*;
use serde::{Deserialize, Serialize};

use super::{LanguageModel, TextConfig, TextLog, TextModel, TextTrainer, validation_loss};
use crate::data::{TextData, Tokenizer};
use crate::error::{AigcError, Result};
use crate::optim::ClippedAdam;
use crate::train::{Finish, RunOptions, Stop, fit};

/// What a text model's checkpoint records besides its tensors.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct TextRecord<M> {
    /// How the text became tokens: the model has one row per token.
    pub tokenizer: Tokenizer,
    /// The run's hyper-parameters.
    pub config: TextConfig<M>,
    /// What the run has measured so far (including its step).
    pub log: TextLog,
}

/// How a run ended, with what it made and measured.
#[derive(Debug)]
pub struct TextOutcome<M: TextModel, D: Device<f32>> {
    /// The trained network.
    pub model: M::Net<D>,
    /// How it reads and writes text: its vocabulary.
    pub tokenizer: Tokenizer,
    /// The hyper-parameters used (a resumed run's come from its checkpoint).
    pub config: TextConfig<M>,
    /// The measurements.
    pub log: TextLog,
    /// Completed, or interrupted (and resumable).
    pub finish: Finish,
}

/// Trains the model `M` on `text`; with `opts.resume`, continues the run saved in
/// `opts.checkpoint` (its settings, with `cfg.steps` if that is longer).
// ANCHOR: run
pub fn run<M: TextModel, D: Device<f32>>(
    dev: &D,
    text: &str,
    cfg: &TextConfig<M>,
    opts: &RunOptions,
    stop: &Stop,
) -> Result<TextOutcome<M, D>> {
    cfg.validate(None)?;
    let data = TextData::for_training(text, cfg.valid_fraction, cfg.seq + 1, cfg.tokens)?;
    let (model, opt, mut log, config) = match (&opts.checkpoint, opts.resume) {
        (Some(path), true) => resume(dev, path, &data.tokenizer, cfg)?,
        (None, true) => return Err(AigcError::Checkpoint("resume needs a checkpoint".into())),
        _ => {
            let model = M::build(dev, data.tokenizer.len(), cfg.seed);
            (model, ClippedAdam::new(cfg.adam), TextLog::default(), *cfg)
        }
    };
    config.validate(model.context())?;
    let mut trainer = TextTrainer {
        model,
        opt,
        data: &data,
        config,
        checkpoint: opts.checkpoint.clone(),
    };
    let finish = fit(
        &mut trainer,
        &config.loop_settings(M::SHORT),
        &mut log,
        stop,
    )?;
    Ok(TextOutcome {
        model: trainer.model,
        tokenizer: data.tokenizer.clone(),
        config,
        log,
        finish,
    })
}
// ANCHOR_END: run

type Resumed<M, D> = (
    <M as TextModel>::Net<D>,
    ClippedAdam<D>,
    TextLog,
    TextConfig<M>,
);

/// The network, optimiser, log and settings saved at `path`, for the text whose
/// vocabulary is `vocab`.
fn resume<M: TextModel, D: Device<f32>>(
    dev: &D,
    path: &Path,
    tokenizer: &Tokenizer,
    cfg: &TextConfig<M>,
) -> Result<Resumed<M, D>> {
    let ckpt = crate::checkpoint::open::<TextRecord<M>>(path, M::NAME)?;
    if &ckpt.run.tokenizer != tokenizer {
        return Err(AigcError::Checkpoint(format!(
            "{}: trained on a text with another vocabulary ({} tokens, this text has {}); \
             resume with the same text, or start a new run without --resume",
            path.display(),
            ckpt.run.tokenizer.len(),
            tokenizer.len()
        )));
    }
    let mut model = M::build(dev, tokenizer.len(), ckpt.run.config.seed);
    ckpt.restore(&mut model)?;
    let opt = ckpt.optimiser(0, dev)?;
    let config = TextConfig {
        steps: cfg.steps.max(ckpt.run.config.steps),
        ..ckpt.run.config
    };
    Ok((model, opt, ckpt.run.log, config))
}

/// A trained network from its checkpoint, with its tokenizer and record.
pub fn load<M: TextModel, D: Device<f32>>(
    dev: &D,
    path: &Path,
) -> Result<(M::Net<D>, Tokenizer, TextRecord<M>)> {
    let ckpt = crate::checkpoint::open::<TextRecord<M>>(path, M::NAME)?;
    let mut model = M::build(dev, ckpt.run.tokenizer.len(), 0);
    ckpt.restore(&mut model)?;
    Ok((model, ckpt.run.tokenizer.clone(), ckpt.run))
}

/// The validation loss of the checkpoint at `path` on `text`, the text it was trained
/// on (the same split), over the whole held-out part.
pub fn evaluate<M: TextModel, D: Device<f32>>(dev: &D, path: &Path, text: &str) -> Result<f64> {
    let (model, tokenizer, record) = load::<M, D>(dev, path)?;
    let cfg = record.config;
    let data = TextData::for_training(text, cfg.valid_fraction, cfg.seq + 1, cfg.tokens)?;
    if data.tokenizer != tokenizer {
        return Err(AigcError::Checkpoint(format!(
            "{}: trained on a text with another vocabulary; evaluate it on its own text",
            path.display()
        )));
    }
    Ok(validation_loss(
        &model,
        &tokenizer,
        &data.valid,
        (cfg.batch, cfg.seq),
    ))
}
