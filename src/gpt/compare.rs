//! LSTM against Transformer on the same text and the same clock.

use std::sync::atomic::AtomicBool;

use dfdx::prelude::*;
use serde::Serialize;

use super::{GptConfig, new_model, prepare_text, train_gpt};
use crate::error::Result;
use crate::lstm::{LstmConfig, TrainLog, train_lstm};
use crate::optim::{ClippedAdam, parameters};
use crate::plot::{Chart, Series};
use crate::report::{Table, sig};

/// One model's validation loss against training time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curve {
    /// The model, in words.
    pub model: String,
    /// Trainable numbers.
    pub parameters: usize,
    /// Training steps.
    pub steps: usize,
    /// Characters per training step (batch × window).
    pub chars_per_step: usize,
    /// (seconds of training so far, validation loss) at every evaluation.
    pub timeline: Vec<(f64, f64)>,
}

/// Both curves of one comparison run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The chapter 6 LSTM with its default settings.
    pub lstm: Curve,
    /// The chapter 7 GPT with its default settings.
    pub gpt: Curve,
}

/// Appends the latest (seconds of training, validation loss) of `log` to `into`.
fn timeline_of(log: &TrainLog, into: &mut Vec<(f64, f64)>) {
    into.push((
        log.train_seconds,
        log.valid.last().map_or(f64::NAN, |v| v.1),
    ));
}

/// Trains the book's LSTM (`lstm_cfg`) and the book's GPT (`gpt_cfg`) one after the other
/// on `text`, recording validation loss against seconds of training for both.
pub fn compare<D: Device<f32>>(
    dev: &D,
    text: &str,
    lstm_cfg: &LstmConfig,
    gpt_cfg: &GptConfig,
) -> Result<Comparison> {
    let stop = AtomicBool::new(false);
    let data = crate::lstm::prepare_text(text, lstm_cfg)?;
    let mut lstm = crate::lstm::new_model(dev);
    let mut opt = ClippedAdam::new(lstm_cfg.adam);
    let (mut log, mut lstm_line) = (TrainLog::default(), Vec::new());
    train_lstm(
        dev,
        &mut lstm,
        &mut opt,
        &data,
        lstm_cfg,
        &mut log,
        &stop,
        |_, _, l| {
            timeline_of(l, &mut lstm_line);
            Ok(())
        },
    )?;
    let data = prepare_text(text, gpt_cfg)?;
    let mut gpt = new_model(dev);
    let mut opt = ClippedAdam::new(gpt_cfg.adam);
    let (mut log, mut gpt_line) = (TrainLog::default(), Vec::new());
    train_gpt(
        dev,
        &mut gpt,
        &mut opt,
        &data,
        gpt_cfg,
        &mut log,
        &stop,
        |_, _, l| {
            timeline_of(l, &mut gpt_line);
            Ok(())
        },
    )?;
    let count = |p: Vec<Vec<f32>>| p.iter().map(Vec::len).sum();
    Ok(Comparison {
        lstm: Curve {
            model: "LSTM (chapter 6): embedding 64, hidden 256".into(),
            parameters: count(parameters(&lstm)),
            steps: lstm_cfg.steps,
            chars_per_step: lstm_cfg.batch * lstm_cfg.seq,
            timeline: lstm_line,
        },
        gpt: Curve {
            model: "GPT (chapter 7): 4 blocks, 4 heads, 128 wide".into(),
            parameters: count(parameters(&gpt)),
            steps: gpt_cfg.steps,
            chars_per_step: gpt_cfg.batch * gpt_cfg.seq,
            timeline: gpt_line,
        },
    })
}

impl Comparison {
    /// Validation loss against seconds of training, both models on one chart.
    pub fn chart(&self) -> Chart {
        Chart::new(
            "LSTM vs Transformer on the same text",
            "seconds of training",
            "validation loss (nats/char)",
        )
        .with(Series::line("LSTM", self.lstm.timeline.clone()))
        .with(Series::line("GPT", self.gpt.timeline.clone()))
    }

    /// The two runs side by side, as a Markdown table.
    pub fn summary(&self) -> String {
        let mut t = Table::new(&[
            "model",
            "parameters",
            "steps × chars",
            "training seconds",
            "final validation loss",
        ]);
        for c in [&self.lstm, &self.gpt] {
            let (secs, loss) = c.timeline.last().copied().unwrap_or((f64::NAN, f64::NAN));
            t.row(vec![
                c.model.clone(),
                c.parameters.to_string(),
                format!("{} × {}", c.steps, c.chars_per_step),
                sig(secs, 3),
                format!("{} nats/char", sig(loss, 3)),
            ]);
        }
        t.to_markdown()
    }
}
