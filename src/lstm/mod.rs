//! Chapter 6 — an LSTM written from its gates, and a character-level language model.
//!
//! dfdx 0.13 has no recurrent layers, so we build one. At each time step t the cell reads
//! the input xₜ and the previous hidden state hₜ₋₁ and computes four *gates*:
//!
//! iₜ = σ(W_ii xₜ + b_ii + W_hi hₜ₋₁ + b_hi)   input gate: how much new information to write
//! fₜ = σ(W_if xₜ + b_if + W_hf hₜ₋₁ + b_hf)   forget gate: how much of the old cell to keep
//! gₜ = tanh(W_ig xₜ + b_ig + W_hg hₜ₋₁ + b_hg) candidate: what to write
//! oₜ = σ(W_io xₜ + b_io + W_ho hₜ₋₁ + b_ho)   output gate: how much of the cell to show
//!
//! cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ,   hₜ = oₜ ⊙ tanh(cₜ)
//!
//! The four W_i· x maps are stored as one `Linear<E, 4H>` (`ih`) and the four W_h· h maps as
//! one `Linear<H, 4H>` (`hh`), in PyTorch's gate order i, f, g, o, so `ih.weight` is exactly
//! `nn.LSTM`'s `weight_ih_l0` and `hh.weight` its `weight_hh_l0`. One matrix product per
//! step computes all four gates at once.
//!
//! | file | concept |
//! |---|---|
//! | `cell.rs` | [`LstmCell`]: the gates, one step, the unrolled sequence |
//! | `model.rs` | [`CharLstm`]: embedding → LSTM → one logit per character |
//! | `generate.rs` | [`generate`]: continuing a prompt, one sampled character at a time |
//! | `tokenizers.rs` | [`compare_tokenizers`]: characters, bytes and BPE, on English and Chinese |
//!
//! Shared modules used: [`lm`](crate::lm) (how every text model is trained, measured and
//! saved), [`layers`](crate::layers), [`params`](crate::params), [`sample`](crate::sample).

use std::path::Path;

use dfdx::prelude::*;

mod cell;
mod generate;
mod model;
mod tokenizers;

pub use cell::{Hidden, LstmCell, Rows, State, Steps};
pub use generate::generate;
pub use model::{BookLstm, CharLstm, time_major};
pub use tokenizers::{
    Corpus, TokenizerRow, TokenizersConfig, TokenizersReport, compare_tokenizers, known_fraction,
};

use crate::error::Result;
use crate::lm::{RunOptions, TextConfig, TextModel, TextOutcome, TextReport};
use crate::optim::AdamSettings;
use crate::train::Stop;

/// The chapter's model as the shared text-model code knows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lstm;

/// Chapter 6's hyper-parameters; `LstmConfig::default()` is the book's run.
pub type LstmConfig = TextConfig<Lstm>;

/// What [`run`] hands back: the trained model, its vocabulary, its log.
pub type LstmOutcome<D> = TextOutcome<Lstm, D>;

impl TextModel for Lstm {
    type Net<D: Device<f32>> = BookLstm<D>;
    const SHORT: &'static str = "lstm";
    const NAME: &'static str = "CharLstm E64 H256";

    /// 1,200 Adam steps of 32 windows × 64 characters, learning rate 2·10⁻³ decayed along
    /// a cosine to 2·10⁻⁴, gradients clipped to length 1.
    fn book_config() -> LstmConfig {
        TextConfig {
            steps: 1200,
            batch: 32,
            seq: 64,
            lr: 2e-3,
            min_lr: 2e-4,
            warmup: 0,
            valid_fraction: 0.1,
            eval_every: 100,
            seed: 0,
            adam: AdamSettings::default(),
            tokens: crate::data::Tokenization::Chars,
            model: std::marker::PhantomData,
        }
    }

    fn build<D: Device<f32>>(dev: &D, vocab: usize, seed: u64) -> BookLstm<D> {
        CharLstm::new(dev, vocab, seed)
    }
}

/// Trains the chapter's LSTM on `text` (or resumes the run in `opts.checkpoint`).
pub fn run<D: Device<f32>>(
    dev: &D,
    text: &str,
    cfg: &LstmConfig,
    opts: &RunOptions,
    stop: &Stop,
) -> Result<LstmOutcome<D>> {
    crate::lm::run(dev, text, cfg, opts, stop)
}

/// The trained LSTM saved at `path`, with its tokenizer.
pub fn load<D: Device<f32>>(dev: &D, path: &Path) -> Result<(BookLstm<D>, crate::data::Tokenizer)> {
    let (model, tokenizer, _) = crate::lm::load::<Lstm, D>(dev, path)?;
    Ok((model, tokenizer))
}

/// The chapter's report of a run: samples, the grammar kept, the loss curve.
pub type LstmReport = TextReport;
