//! The chapter's experiment as `aigc lstm` runs it: train with checkpoints (resumable),
//! then sample, measure and draw.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use dfdx::prelude::*;
use serde::{Deserialize, Serialize};

use super::{BookLstm, Finish, LstmConfig, TrainLog, generate, train_lstm};
use crate::checkpoint;
use crate::data::{TextData, Vocab, corpus};
use crate::error::{AigcError, Result};
use crate::optim::ClippedAdam;
use crate::plot::{Chart, Series};
use crate::report::{OutputDir, Table, sig};
use crate::sample::Sampling;

/// The name written into checkpoints: a checkpoint loads only into the same model.
pub const MODEL_NAME: &str = "CharLstm V128 E64 H256";

/// The most distinct characters [`BookLstm`] can handle.
pub const MAX_VOCAB: usize = 128;

/// Everything in a checkpoint besides the tensors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckpointMeta {
    /// Which model the tensors belong to.
    pub model: String,
    /// The characters, in id order.
    pub vocab: Vec<char>,
    /// The run's hyper-parameters.
    pub config: LstmConfig,
    /// What the run has measured so far (including the step).
    pub log: TrainLog,
    /// Adam's step count.
    pub adam_t: u64,
}

/// Saves model, optimiser and log to `path` (atomically).
pub fn save_checkpoint<D: Device<f32>>(
    path: &Path,
    model: &BookLstm<D>,
    opt: &ClippedAdam,
    vocab: &Vocab,
    config: &LstmConfig,
    log: &TrainLog,
) -> Result<()> {
    let meta = CheckpointMeta {
        model: MODEL_NAME.into(),
        vocab: vocab.chars.clone(),
        config: *config,
        log: log.clone(),
        adam_t: opt.t,
    };
    checkpoint::save_trained(path, model, opt, &meta)
}

/// Loads a checkpoint into a fresh model; another model's or a damaged file is an error.
pub fn load_checkpoint<D: Device<f32>>(
    dev: &D,
    path: &Path,
) -> Result<(BookLstm<D>, ClippedAdam, CheckpointMeta)> {
    let mut model: BookLstm<D> = BuildModule::build(dev);
    let (opt, meta) = checkpoint::restore(path, MODEL_NAME, &mut model, |m: &CheckpointMeta| {
        (m.config.adam, m.adam_t)
    })?;
    Ok((model, opt, meta))
}

/// A freshly initialised [`BookLstm`] (PyTorch's initialisation; the device's seed decides
/// the draw).
pub fn new_model<D: Device<f32>>(dev: &D) -> BookLstm<D> {
    let mut model: BookLstm<D> = BuildModule::build(dev);
    model.init_like_pytorch();
    model
}

/// Splits `text` for training, checking the vocabulary fits the model.
pub fn prepare_text(text: &str, cfg: &LstmConfig) -> Result<TextData> {
    TextData::for_model(text, cfg.valid_fraction, cfg.seq + 1, MAX_VOCAB)
}

/// How a call to [`train_or_resume`] ended, with what it measured.
#[derive(Debug, Clone)]
pub struct TrainOutcome<D: Device<f32>> {
    /// The trained model.
    pub model: BookLstm<D>,
    /// The vocabulary.
    pub vocab: Vocab,
    /// The hyper-parameters used.
    pub config: LstmConfig,
    /// The measurements.
    pub log: TrainLog,
    /// Completed or interrupted.
    pub finish: Finish,
}

/// Trains on `text`, saving a checkpoint to `ckpt` at every evaluation. With `resume`, a
/// run continues from the checkpoint: weights, Adam's moments, step and log.
// ANCHOR: resume
pub fn train_or_resume<D: Device<f32>>(
    dev: &D,
    text: &str,
    cfg: &LstmConfig,
    ckpt: &Path,
    resume: bool,
    interrupt: &AtomicBool,
) -> Result<TrainOutcome<D>> {
    let data = prepare_text(text, cfg)?;
    let (mut model, mut opt, mut log, cfg) = if resume {
        let (model, opt, meta) = load_checkpoint(dev, ckpt)?;
        if meta.vocab != data.vocab.chars {
            return Err(AigcError::Checkpoint(format!(
                "{}: trained on a text with another vocabulary ({} characters, this text has {}); \
                 resume with the same text, or start a new run without --resume",
                ckpt.display(),
                meta.vocab.len(),
                data.vocab.len()
            )));
        }
        let cfg = LstmConfig {
            steps: cfg.steps.max(meta.config.steps),
            ..meta.config
        };
        (model, opt, meta.log, cfg)
    } else {
        (
            new_model(dev),
            ClippedAdam::new(cfg.adam),
            TrainLog::default(),
            *cfg,
        )
    };
    let finish = train_lstm(
        dev,
        &mut model,
        &mut opt,
        &data,
        &cfg,
        &mut log,
        interrupt,
        |m, o, l| save_checkpoint(ckpt, m, o, &data.vocab, &cfg, l),
    )?;
    Ok(TrainOutcome {
        model,
        vocab: data.vocab,
        config: cfg,
        log,
        finish,
    })
}
// ANCHOR_END: resume

/// The numbers `aigc lstm train` writes to `lstm.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LstmReport {
    /// Steps trained.
    pub steps: usize,
    /// Vocabulary size.
    pub vocab: usize,
    /// ln(vocab): the loss of a model that guesses uniformly.
    pub uniform_loss: f64,
    /// Validation loss before training and at the end (nats/char).
    pub first_valid_loss: f64,
    /// Validation loss at the end.
    pub final_valid_loss: f64,
    /// Training throughput.
    pub chars_per_second: f64,
    /// (prompt, temperature, text) samples from the trained model.
    pub samples: Vec<(String, f32, String)>,
    /// Well-formed lines among complete generated lines (bundled corpus only).
    pub well_formed: Option<(usize, usize)>,
}

/// Samples the trained model and measures it; `grammar` turns on the well-formedness count.
pub fn report<D: Device<f32>>(out: &TrainOutcome<D>, dev: &D, grammar: bool) -> Result<LstmReport> {
    let vocab = &out.vocab;
    let mut samples = Vec::new();
    let prompts: Vec<&str> = ["猫", "The cat", "\n"]
        .into_iter()
        .filter(|p| vocab.encode(p).is_ok())
        .collect();
    for prompt in &prompts {
        for t in [0.5, 0.8, 1.2] {
            let how = Sampling {
                temperature: t,
                top_k: None,
            };
            samples.push((
                prompt.to_string(),
                t,
                generate(dev, &out.model, vocab, prompt, 200, &how, 42)?,
            ));
        }
    }
    let well_formed = if grammar && vocab.encode("\n").is_ok() {
        let text = generate(
            dev,
            &out.model,
            vocab,
            "\n",
            3000,
            &Sampling {
                temperature: 0.8,
                top_k: None,
            },
            7,
        )?;
        Some(corpus::well_formed_lines(&text))
    } else {
        None
    };
    Ok(LstmReport {
        steps: out.log.step,
        vocab: vocab.len(),
        uniform_loss: (vocab.len() as f64).ln(),
        first_valid_loss: out.log.valid.first().map_or(f64::NAN, |v| v.1),
        final_valid_loss: out.log.valid.last().map_or(f64::NAN, |v| v.1),
        chars_per_second: out.log.chars_per_second(&out.config),
        samples,
        well_formed,
    })
}

impl LstmReport {
    /// The result table and the samples, as Markdown.
    pub fn summary(&self) -> String {
        let mut t = Table::new(&["quantity", "value"]);
        t.row(vec!["training steps".into(), self.steps.to_string()]);
        t.row(vec![
            "vocabulary".into(),
            format!("{} characters", self.vocab),
        ]);
        t.row(vec![
            "uniform guess, ln(vocabulary)".into(),
            format!("{} nats/char", sig(self.uniform_loss, 3)),
        ]);
        t.row(vec![
            "validation loss before training".into(),
            format!("{} nats/char", sig(self.first_valid_loss, 3)),
        ]);
        t.row(vec![
            "validation loss after training".into(),
            format!("{} nats/char", sig(self.final_valid_loss, 3)),
        ]);
        if let Some((good, all)) = self.well_formed {
            t.row(vec![
                "well-formed generated lines".into(),
                format!(
                    "{good} of {all} ({}%)",
                    sig(100.0 * good as f64 / all.max(1) as f64, 3)
                ),
            ]);
        }
        t.row(vec![
            "training speed".into(),
            format!("{} chars/s", sig(self.chars_per_second, 3)),
        ]);
        let mut s = t.to_markdown();
        for (prompt, temp, text) in &self.samples {
            s += &format!(
                "\n**Prompt {prompt:?}, temperature {temp}:**\n\n```text\n{}\n```\n",
                text.trim_end()
            );
        }
        s
    }
}

/// Training and validation loss per step.
pub fn loss_chart(log: &TrainLog, uniform: f64) -> Chart {
    let smooth: Vec<(f64, f64)> = log
        .train
        .chunks(10)
        .map(|c| {
            (
                c[c.len() - 1].0 as f64,
                c.iter().map(|x| x.1).sum::<f64>() / c.len() as f64,
            )
        })
        .collect();
    let steps = log.step as f64;
    Chart::new(
        "Character LSTM: loss per character",
        "step",
        "cross-entropy (nats/char)",
    )
    .with(Series::line("training (mean of 10 steps)", smooth))
    .with(Series::line(
        "validation",
        log.valid.iter().map(|&(s, l)| (s as f64, l)).collect(),
    ))
    .with(Series::line(
        "uniform guess ln(V)",
        vec![(0.0, uniform), (steps, uniform)],
    ))
}

/// Writes `lstm.json`, `lstm.md` and `lstm-loss.svg` into `out`.
pub fn write_report(report: &LstmReport, log: &TrainLog, out: &mut OutputDir) -> Result<()> {
    out.json("lstm.json", report)?;
    out.text("lstm.md", &report.summary())?;
    out.svg("lstm-loss.svg", &loss_chart(log, report.uniform_loss))
}
