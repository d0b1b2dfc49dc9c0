//! What chapters 6 and 7 share: a *language model* reads a window of text and predicts,
//! at every position, the next token. The LSTM and the GPT differ in how they read; how
//! they are trained, measured, saved and sampled is the same, and lives here.
//!
//! | file | concept |
//! |---|---|
//! | `config.rs` | [`TextConfig`]: one run's hyper-parameters; each model has its defaults |
//! | `loss.rs` | [`next_token_loss`]: cross-entropy in nats per character |
//! | `trainer.rs` | [`TextTrainer`]: the [`Trainer`](crate::train::Trainer) of a text model; [`train_step`]; [`validation_loss`] |
//! | `run.rs` | [`run`]: train or resume with checkpoints; [`load`]; [`evaluate`] |
//! | `report.rs` | [`TextReport`]: samples, well-formed lines, the loss curve |
//!
//! Shared modules used: [`data::text`](crate::data::text), [`train`](crate::train),
//! [`optim`](crate::optim), [`checkpoint`](crate::checkpoint), [`params`](crate::params),
//! [`sample`](crate::sample), [`report`](crate::report), [`plot`](crate::plot).

mod config;
mod loss;
mod report;
mod run;
mod trainer;

pub use crate::train::RunOptions;
pub use config::TextConfig;
pub use loss::next_token_loss;
pub use report::{TextReport, loss_chart};
pub use run::{TextOutcome, TextRecord, evaluate, load, run};
pub use trainer::{TextLog, TextTrainer, train_step, validation_loss};

use dfdx::prelude::*;

use crate::data::{Batch, Tokenizer};
use crate::error::Result;
use crate::params::Params;
use crate::sample::Sampling;

/// A network that predicts the next token at every position of its windows.
pub trait LanguageModel<D: Device<f32>>: Params<f32, D> {
    /// How many tokens it has rows for (the vocabulary's size).
    fn vocab_size(&self) -> usize;

    /// The longest window it reads, if it has a limit.
    fn context(&self) -> Option<usize>;

    /// The mean next-token cross-entropy of `batch`, recorded on a fresh tape `T`
    /// (`OwnedTape` to train, `NoneTape` to measure).
    fn loss<T: Tape<f32, D> + Merge<T> + Default>(&self, batch: &Batch)
    -> Tensor<Rank0, f32, D, T>;

    /// Continues `prompt` with `n` tokens drawn as `how` says, with `seed`.
    fn generate(
        &self,
        tokenizer: &Tokenizer,
        prompt: &str,
        n: usize,
        how: &Sampling,
        seed: u64,
    ) -> Result<String>;
}

/// A kind of language model the book trains: how to build one, what checkpoints call it,
/// and the book's settings for it.
pub trait TextModel: Sized + 'static {
    /// The network on device `D`.
    type Net<D: Device<f32>>: LanguageModel<D>;

    /// Short name for files and progress bars (`lstm`, `gpt`).
    const SHORT: &'static str;

    /// The name checkpoints record, with the sizes compiled into the model.
    const NAME: &'static str;

    /// The book's hyper-parameters for this model.
    fn book_config() -> TextConfig<Self>;

    /// A freshly initialised network for `vocab` tokens, its weights drawn with `seed`.
    fn build<D: Device<f32>>(dev: &D, vocab: usize, seed: u64) -> Self::Net<D>;
}

/// The token ids to feed for `prompt`: with `from_line_start`, a line break first (when
/// the text has one), so the prompt begins a line. An empty prompt then means "start a
/// new line"; an empty prompt with nothing before it is an error.
///
/// ```
/// use aigc::data::{Tokenization, Tokenizer};
/// let t = Tokenizer::learn(Tokenization::Chars, "ab\n");
/// assert_eq!(aigc::lm::prompt_ids(&t, "ab", true).unwrap(), vec![0, 1, 2]);
/// assert_eq!(aigc::lm::prompt_ids(&t, "ab", false).unwrap(), vec![1, 2]);
/// assert_eq!(aigc::lm::prompt_ids(&t, "", true).unwrap(), vec![0]);
/// assert!(aigc::lm::prompt_ids(&t, "", false).is_err());
/// ```
pub fn prompt_ids(
    tokenizer: &Tokenizer,
    prompt: &str,
    from_line_start: bool,
) -> Result<Vec<usize>> {
    let mut ids = Vec::new();
    if from_line_start && let Ok(newline) = tokenizer.encode("\n") {
        ids.extend(newline);
    }
    ids.extend(tokenizer.encode(prompt)?); // names any character the model has never seen
    if ids.is_empty() {
        return Err(crate::error::AigcError::InvalidHyperParameter {
            name: "prompt",
            message: "is empty and the text has no line breaks to start from; give at least \
                      one character"
                .into(),
        });
    }
    Ok(ids)
}
