//! What a trained text model is reported with: the numbers, samples at several
//! temperatures, and — on the bundled corpus, whose grammar is known — how many of the
//! lines it writes are sentences of the grammar.

use dfdx::prelude::*;
use serde::Serialize;

use super::{LanguageModel, TextLog, TextModel, TextOutcome};
use crate::data::corpus;
use crate::error::Result;
use crate::numbers::sig;
use crate::params::count;
use crate::plot::{Chart, Series};
use crate::report::{MarkdownTable, OutputDir, Report};
use crate::sample::Sampling;

/// The prompts a report samples from, kept when the text has their characters.
pub const PROMPTS: [&str; 5] = ["猫", "The cat", "ROMEO:", "春", "月"];

/// The temperatures samples are drawn at: 0 is greedy decoding.
pub const TEMPERATURES: [f32; 4] = [0.0, 0.5, 0.8, 1.2];

/// Characters per sample.
pub const SAMPLE_CHARS: usize = 200;

/// One generated text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sample {
    /// What the model continued (from the start of a line).
    pub prompt: String,
    /// τ; 0 is greedy.
    pub temperature: f32,
    /// The prompt and what followed it.
    pub text: String,
}

/// How well the model keeps the bundled corpus's grammar at one temperature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrammarRow {
    /// τ; 0 is greedy.
    pub temperature: f32,
    /// Complete lines that are sentences of the grammar.
    pub well_formed: usize,
    /// Complete lines written.
    pub lines: usize,
    /// How many of those lines are different from each other: repetition shows here.
    pub distinct: usize,
}

/// The numbers `aigc lstm train` and `aigc gpt train` write to `<model>.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextReport {
    /// `lstm` or `gpt`: the files' names.
    pub model: String,
    /// Steps trained.
    pub steps: usize,
    /// Vocabulary size V.
    pub vocab: usize,
    /// How the text became tokens.
    pub tokens: crate::data::Tokenization,
    /// Trainable numbers in the model.
    pub parameters: usize,
    /// ln V: the loss of a model that guesses uniformly.
    pub uniform_loss: f64,
    /// Validation loss before training (nats/char).
    pub first_valid_loss: f64,
    /// Validation loss at the end.
    pub final_valid_loss: f64,
    /// Mean milliseconds per training step.
    pub ms_per_step: f64,
    /// Characters trained on per second.
    pub chars_per_second: f64,
    /// Samples from each prompt the text allows, at each temperature.
    pub samples: Vec<Sample>,
    /// On the bundled corpus: the grammar kept, per temperature (3,000 characters each).
    pub grammar: Vec<GrammarRow>,
    /// (step, seconds of training, validation loss) at every evaluation.
    pub curve: Vec<(usize, f64, f64)>,
    #[serde(skip)]
    log: TextLog,
}

impl TextReport {
    /// Samples the trained model and measures it; `grammar` turns on the grammar table
    /// (meaningful on the bundled corpus only).
    pub fn new<M: TextModel, D: Device<f32>>(
        outcome: &TextOutcome<M, D>,
        grammar: bool,
    ) -> Result<Self> {
        let (model, vocab, log) = (&outcome.model, &outcome.tokenizer, &outcome.log);
        let mut samples = Vec::new();
        for prompt in PROMPTS.iter().filter(|p| vocab.encode(p).is_ok()) {
            for temperature in TEMPERATURES {
                let how = Sampling::at(temperature);
                let text = model.generate(vocab, prompt, SAMPLE_CHARS, &how, 42)?;
                samples.push(Sample {
                    prompt: prompt.to_string(),
                    temperature,
                    text,
                });
            }
        }
        let mut rows = Vec::new();
        if grammar && vocab.encode("\n").is_ok() {
            for temperature in TEMPERATURES {
                let text = model.generate(vocab, "", 3000, &Sampling::at(temperature), 7)?;
                rows.push(grammar_row(temperature, &text));
            }
        }
        Ok(TextReport {
            model: M::SHORT.into(),
            steps: log.step,
            vocab: vocab.len(),
            tokens: vocab.kind(),
            parameters: count(model),
            uniform_loss: (vocab.len() as f64).ln(),
            first_valid_loss: log.evals.first().map_or(f64::NAN, |m| m.value),
            final_valid_loss: log.last_eval().copied().unwrap_or(f64::NAN),
            ms_per_step: log.ms_per_step(),
            chars_per_second: (log.step * outcome.config.chars_per_step()) as f64
                / log.train_seconds.max(1e-9),
            samples,
            grammar: rows,
            curve: log
                .evals
                .iter()
                .map(|m| (m.step, m.seconds, m.value))
                .collect(),
            log: log.clone(),
        })
    }
}

impl TextReport {
    /// Writes `<model>.md` (the summary) and `<model>-loss.svg` (the loss curve).
    pub fn write_tables_and_figures(&self, out: &mut OutputDir) -> Result<()> {
        out.text(&format!("{}.md", self.model), &self.summary())?;
        let title = format!("{}: loss per character", self.model.to_uppercase());
        let chart = loss_chart(&title, &self.log, self.uniform_loss);
        out.svg(&format!("{}-loss.svg", self.model), &chart)
    }
}

/// Grammar and repetition in `text`, which starts at the beginning of a line.
pub fn grammar_row(temperature: f32, text: &str) -> GrammarRow {
    let (well_formed, lines) = corpus::well_formed_lines(&format!("\n{text}"));
    let complete: Vec<&str> = text.split('\n').collect();
    let complete = &complete[..complete.len().saturating_sub(1)];
    let distinct = complete
        .iter()
        .collect::<std::collections::HashSet<_>>()
        .len();
    GrammarRow {
        temperature,
        well_formed,
        lines,
        distinct,
    }
}

impl Report for TextReport {
    fn summary(&self) -> String {
        let mut t = MarkdownTable::new(&["quantity", "value"]);
        let nats = |x: f64| format!("{} nats/char", sig(x, 3));
        t.row(vec!["training steps".into(), self.steps.to_string()]);
        t.row(vec!["parameters".into(), self.parameters.to_string()]);
        let unit = match self.tokens {
            crate::data::Tokenization::Chars => "characters".to_string(),
            crate::data::Tokenization::Bytes => "bytes".to_string(),
            crate::data::Tokenization::Bpe { merges } => format!("tokens (BPE, {merges} merges)"),
        };
        t.row(vec![
            "vocabulary V".into(),
            format!("{} {unit}", self.vocab),
        ]);
        if self.tokens == crate::data::Tokenization::Chars {
            t.row(vec!["uniform guess, ln V".into(), nats(self.uniform_loss)]);
        }
        t.row(vec![
            "validation loss before training".into(),
            nats(self.first_valid_loss),
        ]);
        t.row(vec![
            "validation loss after training".into(),
            nats(self.final_valid_loss),
        ]);
        t.row(vec![
            "training speed".into(),
            format!(
                "{} ms/step, {} chars/s",
                sig(self.ms_per_step, 3),
                sig(self.chars_per_second, 3)
            ),
        ]);
        let mut s = t.to_markdown();
        if !self.grammar.is_empty() {
            let mut g =
                MarkdownTable::new(&["temperature τ", "well-formed lines", "distinct lines"]);
            for r in &self.grammar {
                g.row(vec![
                    tau(r.temperature),
                    format!(
                        "{} of {} ({}%)",
                        r.well_formed,
                        r.lines,
                        sig(100.0 * r.well_formed as f64 / r.lines.max(1) as f64, 3)
                    ),
                    format!("{} of {}", r.distinct, r.lines),
                ]);
            }
            s += &format!("\n{}", g.to_markdown());
        }
        for x in &self.samples {
            s += &format!(
                "\n**Prompt {:?}, {}:**\n\n```text\n{}\n```\n",
                x.prompt,
                tau(x.temperature),
                x.text.trim_end()
            );
        }
        s
    }

    fn write(&self, out: &mut OutputDir) -> Result<()> {
        out.json(&format!("{}.json", self.model), self)?;
        self.write_tables_and_figures(out)
    }
}

fn tau(t: f32) -> String {
    if t == 0.0 {
        "τ = 0 (greedy)".into()
    } else {
        format!("τ = {t}")
    }
}

/// Training loss (mean of every 10 steps), validation loss, and ln V, against steps.
pub fn loss_chart(title: &str, log: &TextLog, uniform: f64) -> Chart {
    let smooth: Vec<(f64, f64)> = log
        .losses
        .chunks(10)
        .enumerate()
        .map(|(i, c)| {
            let step = (i * 10 + c.len()) as f64;
            (step, c.iter().sum::<f64>() / c.len() as f64)
        })
        .collect();
    let valid = log.evals.iter().map(|m| (m.step as f64, m.value)).collect();
    let end = log.step as f64;
    Chart::new(title, "step", "cross-entropy (nats/char)")
        .with(Series::line("training (mean of 10 steps)", smooth))
        .with(Series::line("validation", valid))
        .with(Series::line(
            "uniform guess ln V",
            vec![(0.0, uniform), (end, uniform)],
        ))
}
