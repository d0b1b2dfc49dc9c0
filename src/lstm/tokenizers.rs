//! The chapter's tokenization experiment: the same LSTM, the same number of steps, on
//! English and on Chinese, reading characters, UTF-8 bytes or BPE subwords. What changes
//! is measured: the vocabulary, how many tokens a line takes, the loss per *character*
//! (so the three compare fairly), the speed, and how often the samples use words (English)
//! or character pairs (Chinese) that really occur in the text.

use std::collections::HashSet;

use dfdx::prelude::*;
use serde::Serialize;

use super::{Lstm, LstmConfig};
use crate::data::Tokenization;
use crate::error::Result;
use crate::lm::{LanguageModel, RunOptions, run};
use crate::numbers::sig;
use crate::report::{MarkdownTable, OutputDir, Report};
use crate::sample::Sampling;
use crate::train::{Finish, Stop};

/// One text to try the tokenizers on.
#[derive(Debug, Clone)]
pub struct Corpus<'a> {
    /// Its name in the table ("English: Tiny Shakespeare").
    pub name: &'a str,
    /// The text itself.
    pub text: &'a str,
}

/// The experiment's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenizersConfig {
    /// The LSTM's run (its steps, batch and window, in tokens).
    pub lstm: LstmConfig,
    /// Merges of the BPE tokenizer.
    pub merges: usize,
}

impl Default for TokenizersConfig {
    fn default() -> Self {
        TokenizersConfig {
            lstm: LstmConfig {
                steps: 300,
                eval_every: 100,
                ..LstmConfig::default()
            },
            merges: 1000,
        }
    }
}

/// One (text, tokenizer) run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenizerRow {
    /// The text's name.
    pub corpus: String,
    /// `characters`, `UTF-8 bytes`, or `BPE (n merges)`.
    pub tokenizer: String,
    /// V: the output layer's size.
    pub vocab: usize,
    /// Tokens per line of the held-out text, on average.
    pub tokens_per_line: f64,
    /// Characters per token, on average.
    pub chars_per_token: f64,
    /// Validation loss after training, in nats per character.
    pub loss_per_char: f64,
    /// Characters of text trained on per second.
    pub chars_per_second: f64,
    /// Words (English) or character pairs (Chinese) of the sample that occur in the text.
    pub known_fraction: f64,
    /// 120 characters sampled at τ = 0.8 from the start of a line.
    pub sample: String,
}

/// What `aigc lstm tokenizers` writes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenizersReport {
    /// Steps of every run.
    pub steps: usize,
    /// Every run, text by text.
    pub rows: Vec<TokenizerRow>,
    /// Completed, or stopped by Ctrl-C (then the rows so far).
    #[serde(skip)]
    pub finish: Finish,
}

/// The kinds tried, in the table's order.
pub fn kinds(merges: usize) -> [Tokenization; 3] {
    [
        Tokenization::Chars,
        Tokenization::Bytes,
        Tokenization::Bpe { merges },
    ]
}

fn kind_name(kind: Tokenization) -> String {
    match kind {
        Tokenization::Chars => "characters".into(),
        Tokenization::Bytes => "UTF-8 bytes".into(),
        Tokenization::Bpe { merges } => format!("BPE ({merges} merges)"),
    }
}

/// Trains the LSTM on every corpus with every tokenizer and measures each run.
pub fn compare_tokenizers<D: Device<f32>>(
    dev: &D,
    corpora: &[Corpus<'_>],
    cfg: &TokenizersConfig,
    stop: &Stop,
) -> Result<TokenizersReport> {
    let mut report = TokenizersReport {
        steps: cfg.lstm.steps,
        rows: Vec::new(),
        finish: Finish::Completed,
    };
    for corpus in corpora {
        for kind in kinds(cfg.merges) {
            let lstm = LstmConfig {
                tokens: kind,
                ..cfg.lstm
            };
            let outcome = run::<Lstm, D>(dev, corpus.text, &lstm, &RunOptions::default(), stop)?;
            if outcome.finish == Finish::Interrupted {
                report.finish = Finish::Interrupted;
                return Ok(report);
            }
            let tok = &outcome.tokenizer;
            let valid_text = held_out(corpus.text, lstm.valid_fraction);
            let lines: Vec<&str> = valid_text.lines().filter(|l| !l.is_empty()).collect();
            let tokens: usize = lines
                .iter()
                .map(|l| tok.encode(l).map_or(0, |t| t.len()))
                .sum();
            let chars: usize = lines.iter().map(|l| l.chars().count()).sum();
            let sample = outcome
                .model
                .generate(tok, "", 400, &Sampling::at(0.8), 42)?;
            let sample: String = sample.chars().take(120).collect();
            let log = &outcome.log;
            report.rows.push(TokenizerRow {
                corpus: corpus.name.into(),
                tokenizer: kind_name(kind),
                vocab: tok.len(),
                tokens_per_line: tokens as f64 / lines.len().max(1) as f64,
                chars_per_token: chars as f64 / tokens.max(1) as f64,
                loss_per_char: log.last_eval().copied().unwrap_or(f64::NAN),
                chars_per_second: (log.step * lstm.chars_per_step()) as f64 * chars as f64
                    / tokens.max(1) as f64
                    / log.train_seconds.max(1e-9),
                known_fraction: known_fraction(&sample, corpus.text),
                sample,
            });
        }
    }
    Ok(report)
}

/// The last `fraction` of `text`'s characters: the part a run holds out.
fn held_out(text: &str, fraction: f64) -> &str {
    let n = text.chars().count();
    let keep = ((n as f64) * fraction).round() as usize;
    let cut = text
        .char_indices()
        .nth(n - keep.min(n))
        .map_or(text.len(), |(i, _)| i);
    &text[cut..]
}

/// Of the words of `sample` (or, for text without spaces such as Chinese, of its pairs of
/// neighbouring characters), the share that occur in `text`. A broken character (`�`)
/// never occurs.
pub fn known_fraction(sample: &str, text: &str) -> f64 {
    let spaced = text.chars().filter(|c| *c == ' ').count() * 20 > text.chars().count();
    let units = |t: &str| -> Vec<String> {
        if spaced {
            t.split_whitespace()
                .map(|w| {
                    w.trim_matches(|c: char| !c.is_alphanumeric())
                        .to_lowercase()
                })
                .filter(|w| !w.is_empty())
                .collect()
        } else {
            t.lines()
                .flat_map(|l| {
                    let c: Vec<char> = l.chars().collect();
                    c.windows(2)
                        .map(|w| w.iter().collect::<String>())
                        .collect::<Vec<_>>()
                })
                .collect()
        }
    };
    let known: HashSet<String> = units(text).into_iter().collect();
    let got = units(sample);
    let hits = got
        .iter()
        .filter(|u| known.contains(*u) && !u.contains('\u{FFFD}'))
        .count();
    hits as f64 / got.len().max(1) as f64
}

impl Report for TokenizersReport {
    fn summary(&self) -> String {
        let mut t = MarkdownTable::new(&[
            "text",
            "tokens",
            "V",
            "tokens per line",
            "characters per token",
            "validation loss (nats/char)",
            "training speed (chars/s)",
            "sample: real words / character pairs",
        ]);
        for r in &self.rows {
            t.row(vec![
                r.corpus.clone(),
                r.tokenizer.clone(),
                r.vocab.to_string(),
                sig(r.tokens_per_line, 3),
                sig(r.chars_per_token, 3),
                sig(r.loss_per_char, 3),
                sig(r.chars_per_second, 3),
                format!("{}%", sig(100.0 * r.known_fraction, 3)),
            ]);
        }
        let mut s = format!(
            "The chapter's LSTM, {} steps of 32 windows × 64 tokens each.\n\n{}",
            self.steps,
            t.to_markdown()
        );
        for r in &self.rows {
            s += &format!(
                "\n**{}, {}:**\n\n```text\n{}\n```\n",
                r.corpus,
                r.tokenizer,
                r.sample.trim_end()
            );
        }
        s
    }

    fn write(&self, out: &mut OutputDir) -> Result<()> {
        out.json("tokenizers.json", self)?;
        out.text("tokenizers.md", &self.summary())
    }
}
