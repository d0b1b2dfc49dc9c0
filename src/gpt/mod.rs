//! Chapter 7 — attention and a small Transformer: a character-level GPT in dfdx.
//!
//! The model reads a window of characters and predicts, at every position, the next one.
//! Unlike the LSTM of chapter 6, which carries one state vector from step to step, every
//! position here can look back at every earlier position directly, through attention.
//! dfdx 0.13's `MultiHeadAttention` takes no mask, so [`attention`] writes causal
//! attention from `matmul` and `softmax`.
//!
//! | file | concept |
//! |---|---|
//! | `attention.rs` | the causal mask, scaled dot-product attention, multi-head attention |
//! | `model.rs` | embeddings, the pre-LayerNorm block, the stacked model |
//! | `generate.rs` | sampling text, one character at a time, with a key/value cache |
//! | `language_model.rs` | the GPT's loss (fused CPU kernels) and generation for the shared `lm` code |
//! | `figures.rs` | attention maps as heat maps |
//! | `compare.rs` | LSTM against Transformer on the same text and clock |
//!
//! Shared modules used: [`lm`](crate::lm) (training, checkpoints, reports of every text
//! model), [`layers`](crate::layers), [`params`](crate::params), [`sample`](crate::sample),
//! [`plot`](crate::plot). From chapter 6 it takes the LSTM itself, for the comparison.

use std::path::Path;

use dfdx::prelude::*;
use serde::Serialize;

mod attention;
mod compare;
mod figures;
mod generate;
mod language_model;
mod model;

pub use attention::{
    CausalSelfAttention, Heads, KeysValues, Seq, attention, attention_weights, causal_mask,
    per_position,
};
pub use compare::{Comparison, Curve, compare};
pub use figures::{AttentionMap, attention_map, heatmap_svg, sharpest_head};
pub use generate::generate;
pub use model::{Block, BookGpt, KvCache, MiniGpt, tanh_gelu};

use crate::error::Result;
use crate::lm::{RunOptions, TextConfig, TextModel, TextOutcome, TextReport};
use crate::optim::AdamSettings;
use crate::report::{OutputDir, Report};
use crate::train::Stop;

/// The chapter's model as the shared text-model code knows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gpt;

/// Chapter 7's hyper-parameters; `GptConfig::default()` is the book's run.
pub type GptConfig = TextConfig<Gpt>;

/// What [`run`] hands back: the trained model, its vocabulary, its log.
pub type GptOutcome<D> = TextOutcome<Gpt, D>;

impl TextModel for Gpt {
    type Net<D: Device<f32>> = BookGpt<D>;
    const SHORT: &'static str = "gpt";
    const NAME: &'static str = "MiniGpt C128 FF512 NH4 L4 T64";

    /// nanoGPT's CPU example (batch 12, context 64, AdamW β = (0.9, 0.99), weight decay
    /// 0.1, learning rate 10⁻³ warmed up over 100 steps and decayed to 10⁻⁴, gradients
    /// clipped to length 1), shortened to 1,000 steps for the bundled corpus.
    fn book_config() -> GptConfig {
        TextConfig {
            steps: 1000,
            batch: 12,
            seq: 64,
            lr: 1e-3,
            min_lr: 1e-4,
            warmup: 100,
            valid_fraction: 0.1,
            eval_every: 100,
            seed: 0,
            adam: AdamSettings {
                betas: [0.9, 0.99],
                eps: 1e-8,
                max_grad_norm: Some(1.0),
                weight_decay: 0.1,
            },
            tokens: crate::data::Tokenization::Chars,
            model: std::marker::PhantomData,
        }
    }

    fn build<D: Device<f32>>(dev: &D, vocab: usize, seed: u64) -> BookGpt<D> {
        MiniGpt::new(dev, vocab, seed)
    }
}

/// Trains the chapter's GPT on `text` (or resumes the run in `opts.checkpoint`).
pub fn run<D: Device<f32>>(
    dev: &D,
    text: &str,
    cfg: &GptConfig,
    opts: &RunOptions,
    stop: &Stop,
) -> Result<GptOutcome<D>> {
    crate::lm::run(dev, text, cfg, opts, stop)
}

/// The trained GPT saved at `path`, with its tokenizer.
pub fn load<D: Device<f32>>(dev: &D, path: &Path) -> Result<(BookGpt<D>, crate::data::Tokenizer)> {
    let (model, tokenizer, _) = crate::lm::load::<Gpt, D>(dev, path)?;
    Ok((model, tokenizer))
}

/// The sentence whose attention map the chapter shows.
pub const ATTENTION_TEXT: &str = "The cat sleeps on the sofa. 小猫在花园里休息。";

/// The chapter's report of a run: what every text model reports, and where its most
/// focused attention head looks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GptReport {
    /// Samples, grammar, losses, speed.
    #[serde(flatten)]
    pub text: TextReport,
    /// The most focused head: (block, head), both counted from 1.
    pub sharpest_head: (usize, usize),
    #[serde(skip)]
    attention_svg: String,
}

impl GptReport {
    /// Samples and measures the trained model, and draws the attention map of its most
    /// focused head on [`ATTENTION_TEXT`] (or, when the text lacks its characters, on the
    /// start of the sample from the first prompt).
    pub fn new<D: Device<f32>>(outcome: &GptOutcome<D>, grammar: bool) -> Result<Self> {
        let text = TextReport::new(outcome, grammar)?;
        let sentence = match outcome.tokenizer.encode(ATTENTION_TEXT) {
            Ok(_) => ATTENTION_TEXT.to_string(),
            Err(_) => text
                .samples
                .first()
                .map_or(String::new(), |s| s.text.clone()),
        };
        let sentence: String = sentence.chars().take(BookGpt::<D>::CONTEXT).collect();
        let (map, head) = sharpest_head(&outcome.model, &outcome.tokenizer, &sentence)?;
        Ok(GptReport {
            text,
            sharpest_head: (map.layer + 1, head + 1),
            attention_svg: heatmap_svg(&map, head, &map.tokens)?,
        })
    }
}

impl Report for GptReport {
    fn summary(&self) -> String {
        self.text.summary()
    }

    fn write(&self, out: &mut OutputDir) -> Result<()> {
        out.json("gpt.json", self)?;
        self.text.write_tables_and_figures(out)?;
        out.text("gpt-attention.svg", &self.attention_svg)
    }
}
