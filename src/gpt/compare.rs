//! LSTM against Transformer on the same text and the same clock.

use dfdx::prelude::*;
use serde::Serialize;

use super::{Gpt, GptConfig};
use crate::error::Result;
use crate::lm::{RunOptions, TextLog, TextModel, TextOutcome, run};
use crate::lstm::{Lstm, LstmConfig};
use crate::numbers::sig;
use crate::params::count;
use crate::plot::{Chart, Series};
use crate::report::{MarkdownTable, OutputDir, Report};
use crate::train::Stop;

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

impl Curve {
    fn new<M: TextModel, D: Device<f32>>(
        model: &str,
        net: &M::Net<D>,
        cfg_steps: (usize, usize),
        log: &TextLog,
    ) -> Self {
        Curve {
            model: model.into(),
            parameters: count(net),
            steps: cfg_steps.0,
            chars_per_step: cfg_steps.1,
            timeline: log.evals.iter().map(|m| (m.seconds, m.value)).collect(),
        }
    }
}

/// Both curves of one comparison run (what `aigc gpt compare` writes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The chapter 6 LSTM with its settings.
    pub lstm: Curve,
    /// The chapter 7 GPT with its settings.
    pub gpt: Curve,
}

/// What [`compare`] hands back: the two curves, and both trained models with their logs
/// (so that one run also gives each model's own report: its samples and loss curve).
pub struct Compared<D: Device<f32>> {
    /// Validation loss against seconds, for both.
    pub comparison: Comparison,
    /// The LSTM's run.
    pub lstm: TextOutcome<Lstm, D>,
    /// The GPT's run.
    pub gpt: TextOutcome<Gpt, D>,
}

/// Trains the book's LSTM (`lstm`) and the book's GPT (`gpt`) one after the other on
/// `text`, recording validation loss against seconds of training for both.
pub fn compare<D: Device<f32>>(
    dev: &D,
    text: &str,
    lstm: &LstmConfig,
    gpt: &GptConfig,
    stop: &Stop,
) -> Result<Compared<D>> {
    let none = RunOptions::default();
    let a = run::<Lstm, D>(dev, text, lstm, &none, stop)?;
    let b = run::<Gpt, D>(dev, text, gpt, &none, stop)?;
    let comparison = Comparison {
        lstm: Curve::new::<Lstm, D>(
            "LSTM (chapter 6): embedding 64, hidden 256",
            &a.model,
            (lstm.steps, lstm.chars_per_step()),
            &a.log,
        ),
        gpt: Curve::new::<Gpt, D>(
            "GPT (chapter 7): 4 blocks, 4 heads, 128 wide",
            &b.model,
            (gpt.steps, gpt.chars_per_step()),
            &b.log,
        ),
    };
    Ok(Compared {
        comparison,
        lstm: a,
        gpt: b,
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
}

impl Report for Comparison {
    fn summary(&self) -> String {
        let mut t = MarkdownTable::new(&[
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

    fn write(&self, out: &mut OutputDir) -> Result<()> {
        out.json("compare.json", self)?;
        out.text("compare.md", &self.summary())?;
        out.svg("compare.svg", &self.chart())
    }
}
