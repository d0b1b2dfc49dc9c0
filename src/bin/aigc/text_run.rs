//! What `aigc lstm …` and `aigc gpt …` do: read the text, train or resume, report;
//! generate from a checkpoint; evaluate one; compare the two models.

use std::path::{Path, PathBuf};
use std::time::Instant;

use aigc::gpt::Gpt;
use aigc::lm::{LanguageModel, RunOptions, TextConfig, TextModel};
use aigc::lstm::Lstm;
use aigc::report::{OutputDir, Report};
use aigc::sample::Sampling;
use aigc::train::Finish;

use super::super::{Ctx, Interrupted, finish, heading, say};
use super::{Chapter, EvalArgs, GenerateArgs, RESUMABLE, TrainArgs};

/// A text to train on: a file, or the bundled corpus; and whether it is the bundled one.
pub(super) struct Source {
    text: String,
    name: String,
    bundled: bool,
}

pub(super) fn source(path: Option<&Path>) -> aigc::Result<Source> {
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

pub(super) fn default_checkpoint<M: TextModel>(ctx: &Ctx) -> PathBuf {
    ctx.out.join(M::SHORT).join(format!("{}.ckpt", M::SHORT))
}

pub(super) fn train_from_args<M: Chapter>(ctx: &Ctx, args: &TrainArgs<M>) -> anyhow::Result<()> {
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
    let mut cfg = args.config();
    if args.resume && !ctx.given.iter().any(|g| g == "steps") {
        cfg.steps = 1; // the run's own length: a resumed run is only ever extended
    }
    train::<M>(ctx, &source(args.text.as_deref())?, &cfg, &opts)
}

/// Trains `M` on `src` with `cfg`, prints the report and writes its files.
pub(super) fn train<M: Chapter>(
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

pub(super) fn existing_checkpoint<M: TextModel>(
    ctx: &Ctx,
    path: &Option<PathBuf>,
) -> anyhow::Result<PathBuf> {
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

pub(super) fn generate<M: TextModel>(ctx: &Ctx, args: &GenerateArgs) -> anyhow::Result<()> {
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

pub(super) fn eval<M: TextModel>(ctx: &Ctx, args: &EvalArgs) -> anyhow::Result<()> {
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

pub(super) fn compare(ctx: &Ctx, path: Option<&Path>) -> anyhow::Result<()> {
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
    let comparison = aigc::on_device!(ctx.device, 0, |dev| {
        let both = aigc::gpt::compare(&dev, &src.text, &lstm, &gpt, ctx.stop())?;
        super::super::check_stop(ctx)?;
        // Each model's own report too (samples, loss against steps), beside the comparison.
        let lstm_report = Lstm::report(&both.lstm, src.bundled)?;
        say!("{}", lstm_report.summary().trim_end());
        lstm_report.write(&mut OutputDir::create(ctx.out.join(Lstm::SHORT))?)?;
        let gpt_report = Gpt::report(&both.gpt, src.bundled)?;
        say!("{}", gpt_report.summary().trim_end());
        gpt_report.write(&mut OutputDir::create(ctx.out.join(Gpt::SHORT))?)?;
        both.comparison
    });
    super::super::report(ctx, "gpt", &comparison, start)
}
