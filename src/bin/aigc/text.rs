//! `aigc lstm …` and `aigc gpt …`: chapters 6 and 7 share their commands, as their models
//! share how they are trained (train, generate, eval), plus a few of their own.

use std::marker::PhantomData;
use std::path::PathBuf;

use aigc::data::Tokenization;
use aigc::dfdx::prelude::Device;
use aigc::gpt::{Gpt, GptReport};
use aigc::lm::{RunOptions, TextConfig, TextModel, TextOutcome, TextReport};
use aigc::lstm::Lstm;
use aigc::report::Report;
use aigc::sample::Sampling;
use clap::{Args, Subcommand};

#[path = "text_run.rs"]
mod run;
use run::{compare, default_checkpoint, eval, generate, source, train, train_from_args};

use super::{Ctx, at_least_one, non_negative, positive, say, shown};

#[derive(Debug, Subcommand)]
pub(super) enum LstmCommand {
    /// Train on a text (default: the bundled corpus of English and Chinese sentences),
    /// saving a checkpoint at every evaluation; Ctrl-C stops after saving one.
    Train(TrainArgs<Lstm>),
    /// Continue a prompt with a trained checkpoint.
    Generate(GenerateArgs),
    /// The validation loss of a checkpoint on the text it was trained on.
    Eval(EvalArgs),
    /// Write the bundled corpus again (this crate's grammar generates it).
    Corpus {
        /// Where to write it.
        #[arg(long, default_value = "data/animals.txt")]
        to: PathBuf,
    },
    /// Download a real text to train on: Tiny Shakespeare (1.1 MB, English) or a
    /// million characters of Tang poems (Chinese, in simplified characters).
    Download(super::corpus::DownloadArgs),
    /// Turn a text's traditional Chinese characters into simplified ones (貓 → 猫).
    Simplify {
        /// The text to convert.
        #[arg(long)]
        text: PathBuf,
        /// Where to write the result.
        #[arg(long)]
        to: PathBuf,
    },
    /// The same LSTM on English and on Chinese, reading characters, UTF-8 bytes or BPE
    /// subwords: vocabulary, tokens per line, loss per character, speed, samples.
    Tokenizers(super::corpus::TokenizersArgs),
}

#[derive(Debug, Subcommand)]
pub(super) enum GptCommand {
    /// Train on a text (default: the bundled corpus of English and Chinese sentences),
    /// saving a checkpoint at every evaluation; Ctrl-C stops after saving one.
    Train(TrainArgs<Gpt>),
    /// Continue a prompt with a trained checkpoint (only its last 64 characters are read).
    Generate(GenerateArgs),
    /// The validation loss of a checkpoint on the text it was trained on.
    Eval(EvalArgs),
    /// Train chapter 6's LSTM and this chapter's GPT on the same text; plot validation
    /// loss against seconds of training.
    Compare {
        /// A UTF-8 text file [default: the bundled corpus].
        #[arg(long)]
        text: Option<PathBuf>,
    },
}

/// `train`'s flags; the defaults are the model's book settings.
#[derive(Debug, Args)]
pub(super) struct TrainArgs<M: TextModel + Send + Sync> {
    /// A UTF-8 text file [default: the bundled corpus].
    #[arg(long)]
    text: Option<PathBuf>,
    /// Training steps.
    #[arg(long, default_value = shown(TextConfig::<M>::default().steps), value_parser = at_least_one)]
    steps: usize,
    /// Peak learning rate.
    #[arg(long, default_value = shown(TextConfig::<M>::default().lr), value_parser = positive::<f32>, allow_negative_numbers = true)]
    lr: f32,
    /// Learning rate at the end of the cosine decay.
    #[arg(long, default_value = shown(TextConfig::<M>::default().min_lr), value_parser = positive::<f32>, allow_negative_numbers = true)]
    min_lr: f32,
    /// Keep the learning rate constant (no warm-up, no decay).
    #[arg(long)]
    constant_lr: bool,
    /// Steps of linear warm-up before the decay.
    #[arg(long, default_value = shown(TextConfig::<M>::default().warmup))]
    warmup: usize,
    /// Windows per batch.
    #[arg(long, default_value = shown(TextConfig::<M>::default().batch), value_parser = at_least_one)]
    batch: usize,
    /// Characters per window.
    #[arg(long, default_value = shown(TextConfig::<M>::default().seq), value_parser = at_least_one)]
    seq: usize,
    /// Evaluate and checkpoint every this many steps.
    #[arg(long, default_value = shown(TextConfig::<M>::default().eval_every), value_parser = at_least_one)]
    eval_every: usize,
    /// Clip the gradient's global norm to this length (0 turns clipping off).
    #[arg(long, default_value = shown(TextConfig::<M>::default().adam.max_grad_norm.unwrap_or(0.0)), value_parser = non_negative, allow_negative_numbers = true)]
    clip: f32,
    /// Seed of the initial weights and the batches.
    #[arg(long, default_value = shown(TextConfig::<M>::default().seed))]
    seed: u64,
    /// How the text becomes tokens: characters, UTF-8 bytes, or BPE subwords.
    #[arg(long, value_enum, default_value_t = Tokens::Chars)]
    tokens: Tokens,
    /// With `--tokens bpe`: how many merges to learn (new tokens beyond the characters).
    #[arg(long, default_value_t = 1000)]
    merges: usize,
    /// Checkpoint file [default: <out>/<model>/<model>.ckpt].
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// Continue from the checkpoint, with its settings, instead of starting over.
    #[arg(long)]
    resume: bool,
    #[arg(skip)]
    model: PhantomData<M>,
}

/// The tokenizers `--tokens` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Tokens {
    /// One token per character.
    Chars,
    /// One token per UTF-8 byte.
    Bytes,
    /// Byte-pair encoding over characters (`--merges` of them).
    Bpe,
}

impl std::fmt::Display for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use clap::ValueEnum;
        let name = self.to_possible_value().map(|v| v.get_name().to_string());
        f.write_str(&name.unwrap_or_default())
    }
}

/// The flags a resumed run may take: the rest come from its checkpoint.
const RESUMABLE: [&str; 4] = ["text", "steps", "checkpoint", "resume"];

impl<M: TextModel + Send + Sync> TrainArgs<M> {
    fn config(&self) -> TextConfig<M> {
        let book = TextConfig::<M>::default();
        TextConfig {
            steps: self.steps,
            batch: self.batch,
            seq: self.seq,
            lr: self.lr,
            min_lr: if self.constant_lr {
                self.lr
            } else {
                self.min_lr
            },
            warmup: if self.constant_lr { 0 } else { self.warmup },
            eval_every: self.eval_every,
            seed: self.seed,
            adam: aigc::optim::AdamSettings {
                max_grad_norm: (self.clip > 0.0).then_some(self.clip),
                ..book.adam
            },
            tokens: match self.tokens {
                Tokens::Chars => Tokenization::Chars,
                Tokens::Bytes => Tokenization::Bytes,
                Tokens::Bpe => Tokenization::Bpe {
                    merges: self.merges,
                },
            },
            ..book
        }
    }
}

#[derive(Debug, Args)]
pub(super) struct GenerateArgs {
    /// Checkpoint file [default: <out>/<model>/<model>.ckpt].
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// The text to continue; it begins a line unless --mid-line is given.
    #[arg(long, default_value = "猫")]
    prompt: String,
    /// Continue the prompt as the middle of a line (no line break is read before it).
    #[arg(long)]
    mid_line: bool,
    /// How many tokens to write (characters, unless the model reads bytes or subwords).
    #[arg(long, default_value_t = 200)]
    chars: usize,
    /// Sampling temperature: 0 is greedy (always the most likely character), lower is
    /// more predictable, higher more surprising.
    #[arg(long, default_value_t = Sampling::default().temperature, value_parser = non_negative, allow_negative_numbers = true)]
    temperature: f32,
    /// Sample only among the k most likely characters.
    #[arg(long)]
    top_k: Option<usize>,
    /// Seed of the sampler: the same seed writes the same text.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

#[derive(Debug, Args)]
pub(super) struct EvalArgs {
    /// The text the checkpoint was trained on [default: the bundled corpus].
    #[arg(long)]
    text: Option<PathBuf>,
    /// Checkpoint file [default: <out>/<model>/<model>.ckpt].
    #[arg(long)]
    checkpoint: Option<PathBuf>,
}

/// What a chapter adds to the shared text-model commands: its title and its report.
trait Chapter: TextModel + Send + Sync {
    const TITLE: &'static str;
    type Report: Report;
    fn report<D: Device<f32>>(
        outcome: &TextOutcome<Self, D>,
        grammar: bool,
    ) -> aigc::Result<Self::Report>;
}

impl Chapter for Lstm {
    const TITLE: &'static str = "Chapter 6: a character-level LSTM";
    type Report = TextReport;
    fn report<D: Device<f32>>(o: &TextOutcome<Self, D>, grammar: bool) -> aigc::Result<TextReport> {
        TextReport::new(o, grammar)
    }
}

impl Chapter for Gpt {
    const TITLE: &'static str = "Chapter 7: a character-level GPT";
    type Report = GptReport;
    fn report<D: Device<f32>>(o: &TextOutcome<Self, D>, grammar: bool) -> aigc::Result<GptReport> {
        GptReport::new(o, grammar)
    }
}

pub(super) fn lstm(ctx: &Ctx, cmd: &LstmCommand) -> anyhow::Result<()> {
    match cmd {
        LstmCommand::Train(args) => train_from_args(ctx, args),
        LstmCommand::Generate(args) => generate::<Lstm>(ctx, args),
        LstmCommand::Eval(args) => eval::<Lstm>(ctx, args),
        LstmCommand::Corpus { to } => {
            use aigc::data::corpus::{BUNDLED_LINES, BUNDLED_SEED, generate};
            let text = generate(BUNDLED_LINES, BUNDLED_SEED);
            aigc::report::write_atomic(to, text.as_bytes())?;
            say!(
                "wrote {} characters to {}",
                text.chars().count(),
                to.display()
            );
            Ok(())
        }
        LstmCommand::Download(args) => super::corpus::download(args),
        LstmCommand::Simplify { text, to } => {
            let simplified = aigc::data::download::simplified(&aigc::data::read_text(text)?);
            aigc::report::write_atomic(to, simplified.as_bytes())?;
            say!(
                "wrote {} characters to {}",
                simplified.chars().count(),
                to.display()
            );
            Ok(())
        }
        LstmCommand::Tokenizers(args) => super::corpus::tokenizers(ctx, args),
    }
}

pub(super) fn gpt(ctx: &Ctx, cmd: &GptCommand) -> anyhow::Result<()> {
    match cmd {
        GptCommand::Train(args) => train_from_args(ctx, args),
        GptCommand::Generate(args) => generate::<Gpt>(ctx, args),
        GptCommand::Eval(args) => eval::<Gpt>(ctx, args),
        GptCommand::Compare { text } => compare(ctx, text.as_deref()),
    }
}

/// The tour's two text models on the bundled corpus (with `quick`, a few dozen steps).
pub(super) fn tour(ctx: &Ctx, quick: bool) -> anyhow::Result<()> {
    let src = source(None)?;
    let mut lstm = aigc::lstm::LstmConfig::default();
    if quick {
        (lstm.steps, lstm.eval_every) = (60, 30);
    }
    train::<Lstm>(
        ctx,
        &src,
        &lstm,
        &RunOptions::save_to(default_checkpoint::<Lstm>(ctx)),
    )?;
    let mut gpt = aigc::gpt::GptConfig::default();
    if quick {
        (gpt.steps, gpt.eval_every, gpt.warmup) = (30, 15, 10);
    }
    train::<Gpt>(
        ctx,
        &src,
        &gpt,
        &RunOptions::save_to(default_checkpoint::<Gpt>(ctx)),
    )
}
