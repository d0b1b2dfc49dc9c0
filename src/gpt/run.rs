//! The chapter's experiment as `aigc gpt` runs it: train with checkpoints (resumable),
//! then sample, measure and draw.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use dfdx::prelude::*;
use serde::{Deserialize, Serialize};

use super::{BookGpt, GptConfig, generate, train_gpt};
use crate::checkpoint;
use crate::data::{TextData, Vocab, corpus};
use crate::error::{AigcError, Result};
use crate::lstm::{Finish, TrainLog};
use crate::optim::{ClippedAdam, parameters};
use crate::plot::Chart;
use crate::report::{OutputDir, Table, sig};
use crate::sample::Sampling;

/// The name written into checkpoints: a checkpoint loads only into the same model.
pub const MODEL_NAME: &str = "MiniGpt V128 C128 FF512 NH4 L4 T64";

/// The most distinct characters [`BookGpt`] can handle.
pub const MAX_VOCAB: usize = 128;

/// Everything in a checkpoint besides the tensors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckpointMeta {
    /// Which model the tensors belong to.
    pub model: String,
    /// The characters, in id order.
    pub vocab: Vec<char>,
    /// The run's hyper-parameters.
    pub config: GptConfig,
    /// What the run has measured so far (including the step).
    pub log: TrainLog,
    /// AdamW's step count.
    pub adam_t: u64,
}

/// Saves model, optimiser and log to `path` (atomically).
pub fn save_checkpoint<D: Device<f32>>(
    path: &Path,
    model: &BookGpt<D>,
    opt: &ClippedAdam,
    vocab: &Vocab,
    config: &GptConfig,
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
) -> Result<(BookGpt<D>, ClippedAdam, CheckpointMeta)> {
    let mut model: BookGpt<D> = BuildModule::build(dev);
    let (opt, meta) = checkpoint::restore(path, MODEL_NAME, &mut model, |m: &CheckpointMeta| {
        (m.config.adam, m.adam_t)
    })?;
    Ok((model, opt, meta))
}

/// A freshly initialised [`BookGpt`] (nanoGPT's initialisation; the device's seed decides
/// the draw).
pub fn new_model<D: Device<f32>>(dev: &D) -> BookGpt<D> {
    let mut model: BookGpt<D> = BuildModule::build(dev);
    model.init_like_nanogpt();
    model
}

/// Splits `text` for training, checking the vocabulary fits the model.
pub fn prepare_text(text: &str, cfg: &GptConfig) -> Result<TextData> {
    TextData::for_model(text, cfg.valid_fraction, cfg.seq + 1, MAX_VOCAB)
}

/// How a call to [`train_or_resume`] ended, with what it measured.
#[derive(Debug, Clone)]
pub struct TrainOutcome<D: Device<f32>> {
    /// The trained model.
    pub model: BookGpt<D>,
    /// The vocabulary.
    pub vocab: Vocab,
    /// The hyper-parameters used.
    pub config: GptConfig,
    /// The measurements.
    pub log: TrainLog,
    /// Completed or interrupted.
    pub finish: Finish,
    /// (training seconds, validation loss) at every evaluation of this call.
    pub timeline: Vec<(f64, f64)>,
}

/// Trains on `text`, saving a checkpoint to `ckpt` at every evaluation. With `resume`, a
/// run continues from the checkpoint: weights, AdamW's moments, step and log.
pub fn train_or_resume<D: Device<f32>>(
    dev: &D,
    text: &str,
    cfg: &GptConfig,
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
        let cfg = GptConfig {
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
    let mut timeline = Vec::new();
    let finish = train_gpt(
        dev,
        &mut model,
        &mut opt,
        &data,
        &cfg,
        &mut log,
        interrupt,
        |m, o, l| {
            timeline.push((l.train_seconds, l.valid.last().map_or(f64::NAN, |v| v.1)));
            save_checkpoint(ckpt, m, o, &data.vocab, &cfg, l)
        },
    )?;
    Ok(TrainOutcome {
        model,
        vocab: data.vocab,
        config: cfg,
        log,
        finish,
        timeline,
    })
}

/// The validation loss of the checkpoint `ckpt` on `text` (the text it was trained on:
/// the same split), averaged over `batches` batches: more batches, less noise than the
/// training run's own evaluations.
pub fn evaluate<D: Device<f32>>(dev: &D, ckpt: &Path, text: &str, batches: usize) -> Result<f64> {
    crate::train::validate_count("batches", batches)?;
    let (model, _, meta) = load_checkpoint(dev, ckpt)?;
    let data = prepare_text(text, &meta.config)?;
    if meta.vocab != data.vocab.chars {
        return Err(AigcError::Checkpoint(format!(
            "{}: trained on a text with another vocabulary; evaluate it on its own text",
            ckpt.display()
        )));
    }
    let cfg = GptConfig {
        eval_batches: batches,
        ..meta.config
    };
    Ok(super::validation_loss(dev, &model, &data, &cfg))
}

/// The numbers `aigc gpt train` writes to `gpt.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GptReport {
    /// Steps trained.
    pub steps: usize,
    /// Vocabulary size.
    pub vocab: usize,
    /// Trainable numbers in the model.
    pub parameters: usize,
    /// ln(vocab): the loss of a model that guesses uniformly.
    pub uniform_loss: f64,
    /// Validation loss before training (nats/char).
    pub first_valid_loss: f64,
    /// Validation loss at the end.
    pub final_valid_loss: f64,
    /// Mean milliseconds per training step.
    pub ms_per_step: f64,
    /// (prompt, temperature, text) samples from the trained model.
    pub samples: Vec<(String, f32, String)>,
    /// Well-formed lines among complete generated lines (bundled corpus only).
    pub well_formed: Option<(usize, usize)>,
}

/// Samples the trained model and measures it; `grammar` turns on the well-formedness count.
pub fn report<D: Device<f32>>(out: &TrainOutcome<D>, dev: &D, grammar: bool) -> Result<GptReport> {
    let vocab = &out.vocab;
    let mut samples = Vec::new();
    let prompts: Vec<&str> = ["猫", "The cat", "ROMEO:", "\n"]
        .into_iter()
        .filter(|p| vocab.encode(p).is_ok())
        .collect();
    for prompt in &prompts {
        for t in [0.5, 0.8] {
            let how = Sampling {
                temperature: t,
                top_k: None,
            };
            let text = generate(dev, &out.model, vocab, prompt, 200, &how, 42)?;
            samples.push((prompt.to_string(), t, text));
        }
    }
    let well_formed = if grammar && vocab.encode("\n").is_ok() {
        let how = Sampling {
            temperature: 0.8,
            top_k: None,
        };
        let text = generate(dev, &out.model, vocab, "\n", 3000, &how, 7)?;
        Some(corpus::well_formed_lines(&text))
    } else {
        None
    };
    Ok(GptReport {
        steps: out.log.step,
        vocab: vocab.len(),
        parameters: parameters(&out.model).iter().map(Vec::len).sum(),
        uniform_loss: (vocab.len() as f64).ln(),
        first_valid_loss: out.log.valid.first().map_or(f64::NAN, |v| v.1),
        final_valid_loss: out.log.valid.last().map_or(f64::NAN, |v| v.1),
        ms_per_step: 1e3 * out.log.train_seconds / out.log.step.max(1) as f64,
        samples,
        well_formed,
    })
}

impl GptReport {
    /// The result table and the samples, as Markdown.
    pub fn summary(&self) -> String {
        let mut t = Table::new(&["quantity", "value"]);
        t.row(vec!["training steps".into(), self.steps.to_string()]);
        t.row(vec!["parameters".into(), self.parameters.to_string()]);
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
            format!("{} ms/step", sig(self.ms_per_step, 3)),
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
    let mut chart = crate::lstm::loss_chart(log, uniform);
    chart.title = "Mini-GPT: loss per character".into();
    chart
}

/// Writes `gpt.json`, `gpt.md`, `gpt-loss.svg` and the attention map of the most focused
/// head on `attention_text` (`gpt-attention.svg`) into `out`.
pub fn write_report<D: Device<f32>>(
    report: &GptReport,
    outcome: &TrainOutcome<D>,
    attention_text: &str,
    out: &mut OutputDir,
) -> Result<()> {
    out.json("gpt.json", report)?;
    out.text("gpt.md", &report.summary())?;
    out.svg(
        "gpt-loss.svg",
        &loss_chart(&outcome.log, report.uniform_loss),
    )?;
    let (map, head) =
        super::figures::sharpest_head(&outcome.model, &outcome.vocab, attention_text)?;
    out.text(
        "gpt-attention.svg",
        &super::figures::heatmap_svg(&map, head, attention_text)?,
    )
}
