//! `aigc lstm …` and `aigc gpt …`: chapters 6 and 7 share their commands, as their models
//! share how they are trained (train, generate, eval), plus a few of their own.

use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::time::Instant;

use aigc::data::Tokenization;
use aigc::dfdx::prelude::Device;
use aigc::gpt::{Gpt, GptReport};
use aigc::lm::{LanguageModel, RunOptions, TextConfig, TextModel, TextOutcome, TextReport};
use aigc::lstm::Lstm;
use aigc::report::{OutputDir, Report};
use aigc::sample::Sampling;
use aigc::train::Finish;
use clap::{Args, Subcommand};

use super::{Ctx, Interrupted, at_least_one, finish, heading, non_negative, positive, say};

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
    Download(DownloadArgs),
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
    Tokenizers(TokenizersArgs),
}

/// A public text `aigc lstm download` can fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Download {
    /// Tiny Shakespeare, char-rnn's text (public-domain plays).
    Shakespeare,
    /// Tang poems from the chinese-poetry collection (public domain), one per line.
    Tang,
}

#[derive(Debug, Args)]
pub(super) struct DownloadArgs {
    /// Which text.
    #[arg(long, value_enum, default_value_t = Download::Shakespeare)]
    corpus: Download,
    /// Where to fetch it from [default: its public address].
    #[arg(long)]
    url: Option<String>,
    /// Where to save it [default: data/downloads/<corpus>.txt; that folder is ignored by
    /// git: never commit downloads].
    #[arg(long)]
    to: Option<PathBuf>,
    /// Tang poems: how many characters of poems to keep.
    #[arg(long, default_value_t = aigc::data::download::TANG_CHARS)]
    chars: usize,
    /// Tang poems: keep the collection's traditional characters.
    #[arg(long)]
    traditional: bool,
}

#[derive(Debug, Args)]
pub(super) struct TokenizersArgs {
    /// An English text [default: the English lines of the bundled corpus].
    #[arg(long)]
    english: Option<PathBuf>,
    /// A Chinese text [default: the Chinese lines of the bundled corpus].
    #[arg(long)]
    chinese: Option<PathBuf>,
    /// Training steps of every run.
    #[arg(long, default_value_t = aigc::lstm::TokenizersConfig::default().lstm.steps, value_parser = at_least_one)]
    steps: usize,
    /// Merges of the BPE tokenizer.
    #[arg(long, default_value_t = aigc::lstm::TokenizersConfig::default().merges)]
    merges: usize,
}

impl std::fmt::Display for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if *self == Download::Tang {
            "tang"
        } else {
            "shakespeare"
        })
    }
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
    #[arg(long, default_value_t = TextConfig::<M>::default().steps, value_parser = at_least_one)]
    steps: usize,
    /// Peak learning rate.
    #[arg(long, default_value_t = TextConfig::<M>::default().lr, value_parser = positive::<f32>, allow_negative_numbers = true)]
    lr: f32,
    /// Learning rate at the end of the cosine decay.
    #[arg(long, default_value_t = TextConfig::<M>::default().min_lr, value_parser = positive::<f32>, allow_negative_numbers = true)]
    min_lr: f32,
    /// Keep the learning rate constant (no warm-up, no decay).
    #[arg(long)]
    constant_lr: bool,
    /// Steps of linear warm-up before the decay.
    #[arg(long, default_value_t = TextConfig::<M>::default().warmup)]
    warmup: usize,
    /// Windows per batch.
    #[arg(long, default_value_t = TextConfig::<M>::default().batch, value_parser = at_least_one)]
    batch: usize,
    /// Characters per window.
    #[arg(long, default_value_t = TextConfig::<M>::default().seq, value_parser = at_least_one)]
    seq: usize,
    /// Evaluate and checkpoint every this many steps.
    #[arg(long, default_value_t = TextConfig::<M>::default().eval_every, value_parser = at_least_one)]
    eval_every: usize,
    /// Clip the gradient's global norm to this length (0 turns clipping off).
    #[arg(long, default_value_t = TextConfig::<M>::default().adam.max_grad_norm.unwrap_or(0.0), value_parser = non_negative, allow_negative_numbers = true)]
    clip: f32,
    /// Seed of the initial weights and the batches.
    #[arg(long, default_value_t = TextConfig::<M>::default().seed)]
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
        LstmCommand::Download(args) => download(args),
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
        LstmCommand::Tokenizers(args) => tokenizers(ctx, args),
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

fn download(args: &DownloadArgs) -> anyhow::Result<()> {
    use aigc::data::download::{TANG_URL, TINY_SHAKESPEARE_URL, download_tang, download_text};
    let to = args
        .to
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("data/downloads/{}.txt", args.corpus)));
    match args.corpus {
        Download::Shakespeare => {
            let url = args.url.as_deref().unwrap_or(TINY_SHAKESPEARE_URL);
            say!("downloading {url} …");
            let n = download_text(url, &to)?;
            say!("saved {n} bytes to {}", to.display());
        }
        Download::Tang => {
            let url = args.url.as_deref().unwrap_or(TANG_URL);
            say!("downloading Tang poems from {url} …");
            let c = download_tang(url, &to, args.chars, !args.traditional)?;
            say!(
                "saved {} poems ({} characters, from {} files{}) to {}",
                c.poems,
                c.chars,
                c.files,
                if args.traditional {
                    ""
                } else {
                    ", in simplified characters"
                },
                to.display()
            );
        }
    }
    say!("train on it with `aigc lstm train --text {}`", to.display());
    Ok(())
}

fn tokenizers(ctx: &Ctx, args: &TokenizersArgs) -> anyhow::Result<()> {
    heading("Chapter 6: characters, bytes or subwords")?;
    let start = Instant::now();
    let bundled = aigc::data::corpus::ANIMALS;
    let en: String = bundled
        .lines()
        .filter(|l| l.is_ascii())
        .map(|l| format!("{l}\n"))
        .collect();
    let zh: String = bundled
        .lines()
        .filter(|l| !l.is_ascii())
        .map(|l| format!("{l}\n"))
        .collect();
    let read =
        |p: &Option<PathBuf>, fallback: String, what: &str| -> aigc::Result<(String, String)> {
            Ok(match p {
                Some(p) => (
                    aigc::data::read_text(p)?,
                    format!("{what}: {}", p.display()),
                ),
                None => (fallback, format!("{what}: bundled corpus")),
            })
        };
    let (en, en_name) = read(&args.english, en, "English")?;
    let (zh, zh_name) = read(&args.chinese, zh, "Chinese")?;
    let cfg = aigc::lstm::TokenizersConfig {
        lstm: aigc::lstm::LstmConfig {
            steps: args.steps,
            eval_every: (args.steps / 3).max(1),
            ..aigc::lstm::TokenizersConfig::default().lstm
        },
        merges: args.merges,
    };
    let corpora = [
        aigc::lstm::Corpus {
            name: &en_name,
            text: &en,
        },
        aigc::lstm::Corpus {
            name: &zh_name,
            text: &zh,
        },
    ];
    say!("{} runs of {} steps each", 6, cfg.lstm.steps);
    let report = aigc::on_device!(ctx.device, 0, |dev| {
        aigc::lstm::compare_tokenizers(&dev, &corpora, &cfg, ctx.stop())?
    });
    if report.finish == Finish::Interrupted {
        say!(
            "\ninterrupted after {} runs; nothing was written",
            report.rows.len()
        );
        return Err(Interrupted.into());
    }
    super::report(ctx, "lstm", &report, start)
}

/// A text to train on: a file, or the bundled corpus; and whether it is the bundled one.
struct Source {
    text: String,
    name: String,
    bundled: bool,
}

fn source(path: Option<&Path>) -> aigc::Result<Source> {
    Ok(match path {
        Some(p) => Source {
            text: aigc::data::read_text(p)?,
            name: p.display().to_string(),
            bundled: false,
        },
        None => Source {
            text: aigc::data::corpus::ANIMALS.to_string(),
            name: "the bundled corpus".into(),
            bundled: true,
        },
    })
}

fn default_checkpoint<M: TextModel>(ctx: &Ctx) -> PathBuf {
    ctx.out.join(M::SHORT).join(format!("{}.ckpt", M::SHORT))
}

fn train_from_args<M: Chapter>(ctx: &Ctx, args: &TrainArgs<M>) -> anyhow::Result<()> {
    if args.resume {
        let ignored: Vec<String> = ctx
            .given
            .iter()
            .filter(|id| !RESUMABLE.contains(&id.as_str()))
            .map(|id| format!("--{}", id.replace('_', "-")))
            .collect();
        if !ignored.is_empty() {
            anyhow::bail!(
                "{} would be ignored: a resumed run keeps the settings it started with (only \
                 --steps can extend it); leave {} out, or start a new run without --resume",
                ignored.join(", "),
                if ignored.len() == 1 { "it" } else { "them" }
            );
        }
    }
    let opts = RunOptions {
        checkpoint: Some(
            args.checkpoint
                .clone()
                .unwrap_or_else(|| default_checkpoint::<M>(ctx)),
        ),
        resume: args.resume,
    };
    train::<M>(ctx, &source(args.text.as_deref())?, &args.config(), &opts)
}

/// Trains `M` on `src` with `cfg`, prints the report and writes its files.
fn train<M: Chapter>(
    ctx: &Ctx,
    src: &Source,
    cfg: &TextConfig<M>,
    opts: &RunOptions,
) -> anyhow::Result<()> {
    aigc::device::resolve(ctx.device)?; // a missing GPU is an error before any output
    heading(M::TITLE)?;
    let start = Instant::now();
    let ckpt = opts.checkpoint.clone().unwrap_or_default();
    say!(
        "{} characters of {}; {} steps of {} × {} characters; checkpoint {}{}",
        src.text.chars().count(),
        src.name,
        cfg.steps,
        cfg.batch,
        cfg.seq,
        ckpt.display(),
        if opts.resume { " (resuming)" } else { "" }
    );
    let mut out = OutputDir::create(ctx.out.join(M::SHORT))?;
    let finished = aigc::on_device!(ctx.device, cfg.seed, |dev| {
        let outcome = aigc::lm::run(&dev, &src.text, cfg, opts, ctx.stop())?;
        if outcome.finish == Finish::Completed {
            let report = M::report(&outcome, src.bundled)?;
            say!("{}", report.summary().trim_end());
            report.write(&mut out)?;
        }
        (outcome.finish, outcome.log.step)
    });
    if finished.0 == Finish::Interrupted {
        say!(
            "\ninterrupted at step {}: checkpoint saved to {}; continue with `aigc {} train --resume`",
            finished.1,
            ckpt.display(),
            M::SHORT
        );
        return Err(Interrupted.into());
    }
    finish(&out, start, &[ckpt])
}

fn existing_checkpoint<M: TextModel>(ctx: &Ctx, path: &Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let ckpt = path.clone().unwrap_or_else(|| default_checkpoint::<M>(ctx));
    if !ckpt.exists() {
        anyhow::bail!(
            "no checkpoint at {}; train one first with `aigc {} train`",
            ckpt.display(),
            M::SHORT
        );
    }
    Ok(ckpt)
}

fn generate<M: TextModel>(ctx: &Ctx, args: &GenerateArgs) -> anyhow::Result<()> {
    let ckpt = existing_checkpoint::<M>(ctx, &args.checkpoint)?;
    let how = Sampling {
        temperature: args.temperature,
        top_k: args.top_k,
        from_line_start: !args.mid_line,
    };
    let text = aigc::on_device!(ctx.device, 0, |dev| {
        let (model, tokenizer, _) = aigc::lm::load::<M, _>(&dev, &ckpt)?;
        model.generate(&tokenizer, &args.prompt, args.chars, &how, args.seed)?
    });
    say!("{text}");
    Ok(())
}

fn eval<M: TextModel>(ctx: &Ctx, args: &EvalArgs) -> anyhow::Result<()> {
    let ckpt = existing_checkpoint::<M>(ctx, &args.checkpoint)?;
    let src = source(args.text.as_deref())?;
    let loss = aigc::on_device!(ctx.device, 0, |dev| {
        aigc::lm::evaluate::<M, _>(&dev, &ckpt, &src.text)?
    });
    say!(
        "validation loss of {} on the held-out part of {}: {} nats/char",
        ckpt.display(),
        src.name,
        aigc::numbers::sig(loss, 4)
    );
    Ok(())
}

fn compare(ctx: &Ctx, path: Option<&Path>) -> anyhow::Result<()> {
    heading("Chapter 7: LSTM vs Transformer on the same text")?;
    let start = Instant::now();
    let src = source(path)?;
    let (lstm, gpt) = (
        aigc::lstm::LstmConfig::default(),
        aigc::gpt::GptConfig::default(),
    );
    say!(
        "{}: the LSTM ({} steps), then the GPT ({} steps), each with its book settings",
        src.name,
        lstm.steps,
        gpt.steps
    );
    let outcome = aigc::on_device!(ctx.device, 0, |dev| {
        aigc::gpt::compare(&dev, &src.text, &lstm, &gpt, ctx.stop())?
    });
    super::check_stop(ctx)?;
    super::report(ctx, "gpt", &outcome, start)
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
