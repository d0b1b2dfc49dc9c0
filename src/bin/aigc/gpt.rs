//! `aigc gpt …`: chapter 7's commands (train, generate, compare).

use std::path::PathBuf;
use std::time::Instant;

use aigc::device::{Resolved, resolve};
use aigc::gpt::GptConfig;
use aigc::report::OutputDir;
use clap::{Args, Subcommand};
use dfdx::prelude::*;

use super::{Cli, at_least_one, finish, heading, non_negative_f32, positive_f64};

#[derive(Debug, Subcommand)]
pub(super) enum GptCommand {
    /// Train on a text (default: the bundled corpus of English and Chinese sentences),
    /// saving a checkpoint at every evaluation; Ctrl-C stops after saving one.
    Train(GptTrainArgs),
    /// Continue a prompt with a trained checkpoint.
    Generate(GptGenerateArgs),
    /// The validation loss of a checkpoint on its text, over many batches (less noisy than
    /// the training run's own evaluations).
    Eval {
        /// The text the checkpoint was trained on [default: the bundled corpus].
        #[arg(long)]
        text: Option<PathBuf>,
        /// Checkpoint file [default: <out>/gpt/gpt.ckpt].
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// Validation batches (12 windows of 64 characters each).
        #[arg(long, default_value_t = 200, value_parser = at_least_one)]
        batches: usize,
    },
    /// Train chapter 6's LSTM and this chapter's GPT on the same text; plot validation
    /// loss against seconds of training.
    Compare {
        /// A UTF-8 text file [default: the bundled corpus].
        #[arg(long)]
        text: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub(super) struct GptTrainArgs {
    /// A UTF-8 text file [default: the bundled corpus].
    #[arg(long)]
    text: Option<PathBuf>,
    /// Training steps (the schedule warms up, then decays over all of them).
    #[arg(long, default_value_t = GptConfig::default().steps, value_parser = at_least_one)]
    pub(super) steps: usize,
    /// Peak learning rate.
    #[arg(long, default_value_t = GptConfig::default().lr as f64, value_parser = positive_f64, allow_negative_numbers = true)]
    lr: f64,
    /// Windows per batch.
    #[arg(long, default_value_t = GptConfig::default().batch, value_parser = at_least_one)]
    batch: usize,
    /// Characters per window (at most the model's context, 64).
    #[arg(long, default_value_t = GptConfig::default().seq, value_parser = at_least_one)]
    seq: usize,
    /// Evaluate and checkpoint every this many steps.
    #[arg(long, default_value_t = GptConfig::default().eval_every, value_parser = at_least_one)]
    pub(super) eval_every: usize,
    /// Validation batches per evaluation.
    #[arg(long, default_value_t = GptConfig::default().eval_batches, value_parser = at_least_one)]
    eval_batches: usize,
    /// Clip the gradient's global norm to this length (0 turns clipping off).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true, value_parser = non_negative_f32)]
    clip: f32,
    /// Seed of the initial weights and the batches.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Checkpoint file [default: <out>/gpt/gpt.ckpt].
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// Continue from the checkpoint instead of starting over.
    #[arg(long)]
    resume: bool,
}

impl Default for GptTrainArgs {
    fn default() -> Self {
        let d = GptConfig::default();
        GptTrainArgs {
            text: None,
            steps: d.steps,
            lr: d.lr as f64,
            batch: d.batch,
            seq: d.seq,
            eval_every: d.eval_every,
            eval_batches: d.eval_batches,
            clip: d.adam.max_grad_norm.unwrap_or(0.0),
            seed: d.seed,
            checkpoint: None,
            resume: false,
        }
    }
}

#[derive(Debug, Args)]
pub(super) struct GptGenerateArgs {
    /// Checkpoint file [default: <out>/gpt/gpt.ckpt].
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// The text to continue (only its last 64 characters are read).
    #[arg(long, default_value = "猫")]
    prompt: String,
    /// How many characters to write.
    #[arg(long, default_value_t = 200)]
    chars: usize,
    /// Sampling temperature (> 0; lower is more predictable).
    #[arg(long, default_value_t = 0.8, allow_negative_numbers = true)]
    temperature: f32,
    /// Sample only among the k most likely characters.
    #[arg(long)]
    top_k: Option<usize>,
    /// Seed of the sampler: the same seed writes the same text.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

/// Set by Ctrl-C: the training loop saves a checkpoint and stops before the next step.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The sentence whose attention map the chapter shows.
const ATTENTION_TEXT: &str = "The cat sleeps on the sofa. 小猫在花园里休息。";

pub(super) fn gpt(cli: &Cli, cmd: &GptCommand) -> anyhow::Result<()> {
    match cmd {
        GptCommand::Train(args) => gpt_train(cli, args),
        GptCommand::Generate(args) => gpt_generate(cli, args),
        GptCommand::Compare { text } => gpt_compare(cli, text.as_ref()),
        GptCommand::Eval {
            text,
            checkpoint,
            batches,
        } => {
            let ckpt = checkpoint
                .clone()
                .unwrap_or_else(|| cli.out.join("gpt").join("gpt.ckpt"));
            let (text, _, source) = read_text(text.as_ref())?;
            let loss = on_device!(cli.device, 0, |dev| {
                aigc::gpt::evaluate(&dev, &ckpt, &text, *batches)?
            });
            let line = format!(
                "Validation loss of `{}` on {source} over {batches} batches of 12 × 64 \
                 characters: **{loss:.3} nats/char**.\n",
                ckpt.file_name()
                    .map_or(ckpt.display().to_string(), |n| n.to_string_lossy().into())
            );
            say!("{}", line.trim_end());
            let mut out = OutputDir::create(cli.out.join("gpt"))?;
            out.text("eval.md", &line)?;
            say!("wrote {}", out.written[0].display());
            Ok(())
        }
    }
}

fn read_text(path: Option<&PathBuf>) -> anyhow::Result<(String, bool, String)> {
    Ok(match path {
        Some(p) => (aigc::data::read_text(p)?, false, p.display().to_string()),
        None => (
            aigc::data::corpus::ANIMALS.to_string(),
            true,
            "the bundled corpus".into(),
        ),
    })
}

pub(super) fn gpt_train(cli: &Cli, args: &GptTrainArgs) -> anyhow::Result<()> {
    let device = resolve(cli.device)?;
    heading("Chapter 7: a character-level GPT")?;
    let start = Instant::now();
    let (text, bundled, source) = read_text(args.text.as_ref())?;
    let defaults = GptConfig::default();
    let cfg = GptConfig {
        steps: args.steps,
        lr: args.lr as f32,
        min_lr: defaults.min_lr.min(args.lr as f32),
        batch: args.batch,
        seq: args.seq,
        eval_every: args.eval_every,
        eval_batches: args.eval_batches,
        adam: aigc::optim::AdamSettings {
            max_grad_norm: (args.clip > 0.0).then_some(args.clip),
            ..defaults.adam
        },
        seed: args.seed,
        ..defaults
    };
    let out_dir = cli.out.join("gpt");
    let ckpt = args
        .checkpoint
        .clone()
        .unwrap_or_else(|| out_dir.join("gpt.ckpt"));
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst));
    say!(
        "{} characters of {source}; {} steps of {} × {} characters; checkpoint {}{}",
        text.chars().count(),
        cfg.steps,
        cfg.batch,
        cfg.seq,
        ckpt.display(),
        if args.resume { " (resuming)" } else { "" }
    );
    let mut out = OutputDir::create(&out_dir)?;
    match device {
        Resolved::Cpu => {
            let dev = Cpu::seed_from_u64(cfg.seed);
            gpt_run(&dev, &text, &cfg, &ckpt, args.resume, bundled, &mut out)?
        }
        #[cfg(feature = "cuda")]
        Resolved::Cuda => {
            let dev = Cuda::try_seed_from_u64(cfg.seed)
                .map_err(|e| aigc::AigcError::Device(format!("cannot open GPU 0: {e:?}")))?;
            gpt_run(&dev, &text, &cfg, &ckpt, args.resume, bundled, &mut out)?
        }
        #[cfg(not(feature = "cuda"))]
        Resolved::Cuda => return Err(aigc::AigcError::Device("built without CUDA".into()).into()),
    }
    finish(&out, start)
}

fn gpt_run<D: aigc::dfdx::tensor_ops::Device<f32>>(
    dev: &D,
    text: &str,
    cfg: &GptConfig,
    ckpt: &std::path::Path,
    resume: bool,
    bundled: bool,
    out: &mut OutputDir,
) -> anyhow::Result<()> {
    let outcome = aigc::gpt::train_or_resume(dev, text, cfg, ckpt, resume, &INTERRUPTED)?;
    if outcome.finish == aigc::lstm::Finish::Interrupted {
        say!(
            "\ninterrupted at step {}: checkpoint saved to {}; continue with `aigc gpt train --resume`",
            outcome.log.step,
            ckpt.display()
        );
        return Ok(());
    }
    let report = aigc::gpt::report(&outcome, dev, bundled)?;
    say!("{}", report.summary().trim_end());
    // The attention map needs a text the model knows; fall back to the text's first line.
    let shown = if outcome.vocab.encode(ATTENTION_TEXT).is_ok() {
        ATTENTION_TEXT.to_string()
    } else {
        text.lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or(text)
            .chars()
            .take(48)
            .collect()
    };
    aigc::gpt::write_report(&report, &outcome, &shown, out)?;
    out.written.push(ckpt.to_path_buf());
    Ok(())
}

fn gpt_generate(cli: &Cli, args: &GptGenerateArgs) -> anyhow::Result<()> {
    let ckpt = args
        .checkpoint
        .clone()
        .unwrap_or_else(|| cli.out.join("gpt").join("gpt.ckpt"));
    if !ckpt.exists() {
        anyhow::bail!(
            "no checkpoint at {}; train one first with `aigc gpt train`",
            ckpt.display()
        );
    }
    let how = aigc::sample::Sampling {
        temperature: args.temperature,
        top_k: args.top_k,
    };
    let text = on_device!(cli.device, 0, |dev| {
        let (model, _, meta) = aigc::gpt::load_checkpoint(&dev, &ckpt)?;
        let vocab = aigc::data::Vocab::from_chars(meta.vocab);
        aigc::gpt::generate(
            &dev,
            &model,
            &vocab,
            &args.prompt,
            args.chars,
            &how,
            args.seed,
        )?
    });
    say!("{text}");
    Ok(())
}

fn gpt_compare(cli: &Cli, path: Option<&PathBuf>) -> anyhow::Result<()> {
    heading("Chapter 7: LSTM vs Transformer on the same text")?;
    let start = Instant::now();
    let (text, _, source) = read_text(path)?;
    let (lstm_cfg, gpt_cfg) = (aigc::lstm::LstmConfig::default(), GptConfig::default());
    say!(
        "{source}: the LSTM ({} steps), then the GPT ({} steps), each with its defaults",
        lstm_cfg.steps,
        gpt_cfg.steps
    );
    let comparison = on_device!(cli.device, 0, |dev| {
        aigc::gpt::compare(&dev, &text, &lstm_cfg, &gpt_cfg)?
    });
    say!("{}", comparison.summary().trim_end());
    let mut out = OutputDir::create(cli.out.join("gpt"))?;
    out.json("compare.json", &comparison)?;
    out.text("compare.md", &comparison.summary())?;
    out.svg("compare.svg", &comparison.chart())?;
    finish(&out, start)
}
