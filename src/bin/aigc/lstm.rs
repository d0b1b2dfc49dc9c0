//! `aigc lstm …`: chapter 6's commands (train, generate, corpus, download).

use std::path::PathBuf;
use std::time::Instant;

use aigc::device::{Resolved, resolve};
use aigc::lstm::LstmConfig;
use aigc::report::OutputDir;
use clap::{Args, Subcommand};
use dfdx::prelude::*;

use super::{Cli, at_least_one, finish, heading, non_negative_f32, positive_f64};

#[derive(Debug, Subcommand)]
pub(super) enum LstmCommand {
    /// Train on a text (default: the bundled corpus of English and Chinese sentences),
    /// saving a checkpoint at every evaluation; Ctrl-C stops after saving one.
    Train(LstmTrainArgs),
    /// Continue a prompt with a trained checkpoint.
    Generate(LstmGenerateArgs),
    /// Write the bundled corpus again (this crate's grammar generates it).
    Corpus {
        /// Where to write it.
        #[arg(long, default_value = "data/animals.txt")]
        to: PathBuf,
    },
    /// Download Tiny Shakespeare (about 1.1 MB) to train on real text.
    Download {
        /// Where to fetch it from.
        #[arg(long, default_value = aigc::download::TINY_SHAKESPEARE_URL)]
        url: String,
        /// Where to save it (data/downloads/ is ignored by git: never commit downloads).
        #[arg(long, default_value = "data/downloads/tinyshakespeare.txt")]
        to: PathBuf,
    },
}

#[derive(Debug, Args)]
pub(super) struct LstmTrainArgs {
    /// A UTF-8 text file [default: the bundled corpus].
    #[arg(long)]
    text: Option<PathBuf>,
    /// Training steps.
    #[arg(long, default_value_t = LstmConfig::default().steps, value_parser = at_least_one)]
    pub(super) steps: usize,
    /// Peak learning rate (cosine decay to a tenth of it).
    #[arg(long, default_value_t = LstmConfig::default().lr as f64, value_parser = positive_f64, allow_negative_numbers = true)]
    lr: f64,
    /// Sequences per batch.
    #[arg(long, default_value_t = LstmConfig::default().batch, value_parser = at_least_one)]
    batch: usize,
    /// Characters per sequence.
    #[arg(long, default_value_t = LstmConfig::default().seq, value_parser = at_least_one)]
    seq: usize,
    /// Evaluate and checkpoint every this many steps.
    #[arg(long, default_value_t = LstmConfig::default().eval_every, value_parser = at_least_one)]
    pub(super) eval_every: usize,
    /// Keep the learning rate constant instead of the cosine decay.
    #[arg(long)]
    constant_lr: bool,
    /// Clip the gradient's global norm to this length (0 turns clipping off).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true, value_parser = non_negative_f32)]
    clip: f32,
    /// Seed of the initial weights and the batches.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Checkpoint file [default: <out>/lstm/lstm.ckpt].
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// Continue from the checkpoint instead of starting over.
    #[arg(long)]
    resume: bool,
}

impl Default for LstmTrainArgs {
    fn default() -> Self {
        let d = LstmConfig::default();
        LstmTrainArgs {
            text: None,
            steps: d.steps,
            lr: d.lr as f64,
            batch: d.batch,
            seq: d.seq,
            eval_every: d.eval_every,
            constant_lr: !d.cosine,
            clip: d.adam.max_grad_norm.unwrap_or(0.0),
            seed: d.seed,
            checkpoint: None,
            resume: false,
        }
    }
}

#[derive(Debug, Args)]
pub(super) struct LstmGenerateArgs {
    /// Checkpoint file [default: <out>/lstm/lstm.ckpt].
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// The text to continue.
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

pub(super) fn lstm(cli: &Cli, cmd: &LstmCommand) -> anyhow::Result<()> {
    match cmd {
        LstmCommand::Train(args) => lstm_train(cli, args),
        LstmCommand::Generate(args) => lstm_generate(cli, args),
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
        LstmCommand::Download { url, to } => {
            say!("downloading {url} …");
            let n = aigc::download::download_text(url, to)?;
            say!(
                "saved {n} bytes to {}; train on it with `aigc lstm train --text {}`",
                to.display(),
                to.display()
            );
            Ok(())
        }
    }
}

pub(super) fn lstm_train(cli: &Cli, args: &LstmTrainArgs) -> anyhow::Result<()> {
    let device = resolve(cli.device)?;
    heading("Chapter 6: a character-level LSTM")?;
    let start = Instant::now();
    let (text, bundled) = match &args.text {
        Some(path) => (aigc::data::read_text(path)?, false),
        None => (aigc::data::corpus::ANIMALS.to_string(), true),
    };
    let cfg = LstmConfig {
        steps: args.steps,
        lr: args.lr as f32,
        batch: args.batch,
        seq: args.seq,
        eval_every: args.eval_every,
        cosine: !args.constant_lr,
        adam: aigc::optim::AdamSettings {
            max_grad_norm: (args.clip > 0.0).then_some(args.clip),
            ..aigc::optim::AdamSettings::default()
        },
        seed: args.seed,
        ..LstmConfig::default()
    };
    let out_dir = cli.out.join("lstm");
    let ckpt = args
        .checkpoint
        .clone()
        .unwrap_or_else(|| out_dir.join("lstm.ckpt"));
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst));
    let source = match &args.text {
        Some(p) => p.display().to_string(),
        None => "the bundled corpus".into(),
    };
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
            lstm_run(&dev, &text, &cfg, &ckpt, args.resume, bundled, &mut out)?
        }
        #[cfg(feature = "cuda")]
        Resolved::Cuda => {
            let dev = Cuda::try_seed_from_u64(cfg.seed)
                .map_err(|e| aigc::AigcError::Device(format!("cannot open GPU 0: {e:?}")))?;
            lstm_run(&dev, &text, &cfg, &ckpt, args.resume, bundled, &mut out)?
        }
        #[cfg(not(feature = "cuda"))]
        Resolved::Cuda => return Err(aigc::AigcError::Device("built without CUDA".into()).into()),
    }
    finish(&out, start)
}

fn lstm_run<D: aigc::dfdx::tensor_ops::Device<f32>>(
    dev: &D,
    text: &str,
    cfg: &LstmConfig,
    ckpt: &std::path::Path,
    resume: bool,
    bundled: bool,
    out: &mut OutputDir,
) -> anyhow::Result<()> {
    let outcome = aigc::lstm::train_or_resume(dev, text, cfg, ckpt, resume, &INTERRUPTED)?;
    if outcome.finish == aigc::lstm::Finish::Interrupted {
        say!(
            "\ninterrupted at step {}: checkpoint saved to {}; continue with `aigc lstm train --resume`",
            outcome.log.step,
            ckpt.display()
        );
        return Ok(());
    }
    let report = aigc::lstm::report(&outcome, dev, bundled)?;
    say!("{}", report.summary().trim_end());
    aigc::lstm::write_report(&report, &outcome.log, out)?;
    out.written.push(ckpt.to_path_buf());
    Ok(())
}

fn lstm_generate(cli: &Cli, args: &LstmGenerateArgs) -> anyhow::Result<()> {
    let ckpt = args
        .checkpoint
        .clone()
        .unwrap_or_else(|| cli.out.join("lstm").join("lstm.ckpt"));
    if !ckpt.exists() {
        anyhow::bail!(
            "no checkpoint at {}; train one first with `aigc lstm train`",
            ckpt.display()
        );
    }
    let how = aigc::sample::Sampling {
        temperature: args.temperature,
        top_k: args.top_k,
    };
    let text = on_device!(cli.device, 0, |dev| {
        let (model, _, meta) = aigc::lstm::load_checkpoint(&dev, &ckpt)?;
        let vocab = aigc::data::Vocab::from_chars(meta.vocab);
        aigc::lstm::generate(
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
