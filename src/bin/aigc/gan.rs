//! `aigc gan …`: chapter 8's commands (ring, grid, collapse, digits).

use std::marker::PhantomData;
use std::path::PathBuf;
use std::time::Instant;

use aigc::data::Mixture;
use aigc::gan::{CollapseConfig, DigitData, DigitsReport, GanConfig, PlaneReport};
use aigc::numbers::sig;
use aigc::report::{OutputDir, Report};
use aigc::train::{Finish, RunOptions};
use clap::{Args, Subcommand, ValueEnum};

use super::{Ctx, Interrupted, at_least_one, finish, heading, positive, say};

#[derive(Debug, Subcommand)]
pub(super) enum GanCommand {
    /// Train on 8 Gaussians on a ring (radius 2, std 0.02); writes scatter plots over
    /// training, an animated GIF, the losses and the mode metrics.
    Ring(GanArgs<Plane>),
    /// Train on a 5 × 5 grid of Gaussians (spacing 2, std 0.05).
    Grid(GanArgs<Plane>),
    /// Vanilla GAN vs the fix, on the ring and the grid, over several seeds: mode collapse
    /// measured.
    Collapse(CollapseArgs),
    /// Train on the handwritten digits (8 × 8; PacGAN with packs of 2 by default); writes a
    /// PNG of samples and the judge's metrics.
    Digits(DigitsArgs),
}

/// Which book settings a command's flags default to.
pub(super) trait Defaults: Send + Sync + 'static {
    fn config() -> GanConfig;
}

/// The 2-D mixtures' defaults: the chapter's fix.
#[derive(Debug, Clone, Copy)]
pub(super) struct Plane;
impl Defaults for Plane {
    fn config() -> GanConfig {
        GanConfig::default()
    }
}

/// The digits' defaults.
#[derive(Debug, Clone, Copy)]
pub(super) struct Digits;
impl Defaults for Digits {
    fn config() -> GanConfig {
        GanConfig::digits()
    }
}

/// How the learning rate moves over a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Schedule {
    /// The same learning rate at every step.
    Constant,
    /// A cosine from the learning rate down to zero.
    Cosine,
}

impl std::fmt::Display for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if *self == Schedule::Cosine {
            "cosine"
        } else {
            "constant"
        })
    }
}

fn schedule(cfg: &GanConfig) -> Schedule {
    if cfg.cosine {
        Schedule::Cosine
    } else {
        Schedule::Constant
    }
}

#[derive(Debug, Args)]
pub(super) struct GanArgs<K: Defaults> {
    /// Training steps (one D step and one G step each).
    #[arg(long, default_value_t = K::config().steps, value_parser = at_least_one)]
    steps: usize,
    /// Samples the discriminator judges together: 1 is the vanilla GAN.
    #[arg(long, default_value_t = K::config().pack, value_parser = at_least_one)]
    pack: usize,
    /// Adam's learning rate for both players.
    #[arg(long, default_value_t = K::config().lr, value_parser = positive::<f32>, allow_negative_numbers = true)]
    lr: f32,
    /// How the learning rate moves over the run.
    #[arg(long, value_enum, default_value_t = schedule(&K::config()))]
    schedule: Schedule,
    /// Real (and fake) samples per step.
    #[arg(long, default_value_t = K::config().batch, value_parser = at_least_one)]
    batch: usize,
    /// Length of the noise vector z (the PyTorch references use 256 on the plane).
    #[arg(long, default_value_t = K::config().noise_dim, value_parser = at_least_one)]
    noise_dim: usize,
    /// Evaluate, checkpoint and draw a frame every this many steps.
    #[arg(long, default_value_t = K::config().eval_every, value_parser = at_least_one)]
    eval_every: usize,
    /// Seed of the initial weights, the data and the noise.
    #[arg(long, default_value_t = K::config().seed)]
    seed: u64,
    /// Checkpoint file [default: <out>/gan/<data>.ckpt].
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// Continue from the checkpoint, with its settings, instead of starting over.
    #[arg(long)]
    resume: bool,
    #[arg(skip)]
    defaults: PhantomData<K>,
}

impl<K: Defaults> GanArgs<K> {
    fn config(&self) -> GanConfig {
        GanConfig {
            steps: self.steps,
            batch: self.batch,
            lr: self.lr,
            noise_dim: self.noise_dim,
            pack: self.pack,
            eval_every: self.eval_every,
            seed: self.seed,
            cosine: self.schedule == Schedule::Cosine,
            ..K::config()
        }
    }

    fn options(&self, ctx: &Ctx, data: &str) -> anyhow::Result<RunOptions> {
        if self.resume {
            let allowed = ["steps", "checkpoint", "resume", "data"];
            let ignored: Vec<String> = ctx
                .given
                .iter()
                .filter(|id| !allowed.contains(&id.as_str()))
                .map(|id| format!("--{}", id.replace('_', "-")))
                .collect();
            if !ignored.is_empty() {
                anyhow::bail!(
                    "{} would be ignored: a resumed run keeps the settings it started with \
                     (only --steps can extend it); leave them out, or start a new run \
                     without --resume",
                    ignored.join(", ")
                );
            }
        }
        Ok(RunOptions {
            checkpoint: Some(
                self.checkpoint
                    .clone()
                    .unwrap_or_else(|| checkpoint(ctx, data)),
            ),
            resume: self.resume,
        })
    }
}

fn checkpoint(ctx: &Ctx, data: &str) -> PathBuf {
    ctx.out.join("gan").join(format!("{data}.ckpt"))
}

#[derive(Debug, Args)]
pub(super) struct CollapseArgs {
    /// Steps per run.
    #[arg(long, default_value_t = CollapseConfig::default().steps, value_parser = at_least_one)]
    steps: usize,
    /// Seeds per data set and method.
    #[arg(long, default_value_t = CollapseConfig::default().seeds, value_parser = at_least_one)]
    seeds: usize,
    /// Also run the PyTorch reference's settings (noise 256, learning rate 10⁻⁴), which
    /// collapse.
    #[arg(long)]
    reference: bool,
}

#[derive(Debug, Args)]
pub(super) struct DigitsArgs {
    /// A digits file (64 pixel counts 0–16 and a label per line) [default: the bundled
    /// 1,797 digits].
    #[arg(long)]
    data: Option<PathBuf>,
    #[command(flatten)]
    gan: GanArgs<Digits>,
}

pub(super) fn gan(ctx: &Ctx, cmd: &GanCommand) -> anyhow::Result<()> {
    match cmd {
        GanCommand::Ring(a) => plane(ctx, &Mixture::ring(), &a.config(), &a.options(ctx, "ring")?),
        GanCommand::Grid(a) => plane(ctx, &Mixture::grid(), &a.config(), &a.options(ctx, "grid")?),
        GanCommand::Collapse(a) => collapse(ctx, a),
        GanCommand::Digits(a) => {
            let images = match &a.data {
                None => aigc::data::digits()?,
                Some(path) => aigc::data::Images::from_path(path)?,
            };
            digits(ctx, images, &a.gan.config(), &a.gan.options(ctx, "digits")?)
        }
    }
}

/// Says where the checkpoint is and how to go on, after Ctrl-C.
fn interrupted(step: usize, opts: &RunOptions, command: &str) -> anyhow::Result<()> {
    say!(
        "\ninterrupted at step {step}: checkpoint saved to {}; continue with `aigc gan {command} --resume`",
        opts.checkpoint.clone().unwrap_or_default().display()
    );
    Err(Interrupted.into())
}

fn plane(ctx: &Ctx, mixture: &Mixture, cfg: &GanConfig, opts: &RunOptions) -> anyhow::Result<()> {
    aigc::device::resolve(ctx.device)?;
    heading(&format!(
        "Chapter 8: a GAN on the {} of Gaussians",
        mixture.name
    ))?;
    let start = Instant::now();
    let kind = if cfg.pack == 1 {
        "vanilla GAN"
    } else {
        "PacGAN"
    };
    say!(
        "{} modes, std {}; pack {} ({kind}), {} steps of {} samples",
        mixture.centres.len(),
        mixture.std,
        cfg.pack,
        cfg.steps,
        cfg.batch
    );
    let mut out = OutputDir::create(ctx.out.join("gan"))?;
    let (finished, step) = aigc::on_device!(ctx.device, cfg.seed, |dev| {
        let outcome = aigc::gan::run_plane(&dev, mixture, cfg, opts, ctx.stop())?;
        if outcome.finish == Finish::Completed {
            let report = PlaneReport::new(&outcome, mixture)?;
            say!("{}", report.summary().trim_end());
            report.write(&mut out)?;
        }
        (outcome.finish, outcome.log.step)
    });
    if finished == Finish::Interrupted {
        return interrupted(step, opts, &mixture.name);
    }
    let ckpt: Vec<PathBuf> = opts.checkpoint.iter().cloned().collect();
    finish(&out, start, &ckpt)
}

fn digits(
    ctx: &Ctx,
    images: aigc::data::Images,
    cfg: &GanConfig,
    opts: &RunOptions,
) -> anyhow::Result<()> {
    aigc::device::resolve(ctx.device)?;
    cfg.validate()?;
    heading("Chapter 8: a GAN on handwritten digits")?;
    let start = Instant::now();
    let data = DigitData::new(images);
    say!(
        "{} images; judge (softmax regression) held-out accuracy {}%, real digits score {}; pack {}, {} steps",
        data.images.len(),
        sig(100.0 * data.judge.heldout_accuracy, 3),
        sig(data.real_reference().is_like, 3),
        cfg.pack,
        cfg.steps
    );
    let mut out = OutputDir::create(ctx.out.join("gan"))?;
    let (finished, step) = aigc::on_device!(ctx.device, cfg.seed, |dev| {
        let outcome = aigc::gan::run_digits(&dev, &data, cfg, opts, ctx.stop())?;
        if outcome.finish == Finish::Completed {
            let report = DigitsReport::new(&outcome, &data)?;
            say!("{}", report.summary().trim_end());
            report.write(&mut out)?;
        }
        (outcome.finish, outcome.log.step)
    });
    if finished == Finish::Interrupted {
        return interrupted(step, opts, "digits");
    }
    let ckpt: Vec<PathBuf> = opts.checkpoint.iter().cloned().collect();
    finish(&out, start, &ckpt)
}

fn collapse(ctx: &Ctx, args: &CollapseArgs) -> anyhow::Result<()> {
    heading("Chapter 8: mode collapse, measured")?;
    let start = Instant::now();
    let cfg = CollapseConfig {
        steps: args.steps,
        seeds: args.seeds,
        reference: args.reference,
    };
    let mut lines = Vec::new();
    let report = aigc::on_device!(ctx.device, 0, |dev| {
        aigc::gan::collapse(&dev, &cfg, ctx.stop(), |r, steps_per_s| {
            let line = format!(
                "{} {} (pack {}) seed {}: {}/{} modes, {}% high quality ({:.0} steps/s)",
                r.dataset,
                r.method,
                r.pack,
                r.seed,
                r.modes_covered,
                r.n_modes,
                sig(r.high_quality_pct, 3),
                steps_per_s
            );
            eprintln!("{line}");
            lines.push(line);
        })?
    });
    if report.finish == Finish::Interrupted {
        say!(
            "\ninterrupted after {} runs; nothing was written",
            report.runs.len()
        );
        return Err(Interrupted.into());
    }
    for line in &lines {
        say!("{line}");
    }
    say!();
    super::report(ctx, "gan", &report, start)
}

/// The tour's GANs: the ring, then the digits (with `quick`, a few hundred steps).
pub(super) fn tour(ctx: &Ctx, quick: bool) -> anyhow::Result<()> {
    let mut ring = GanConfig::default();
    if quick {
        (ring.steps, ring.eval_every) = (200, 50);
    }
    let opts = RunOptions::save_to(checkpoint(ctx, "ring"));
    plane(ctx, &Mixture::ring(), &ring, &opts)?;
    super::check_stop(ctx)?;
    let mut cfg = GanConfig::digits();
    if quick {
        (cfg.steps, cfg.eval_every) = (100, 50);
    }
    digits(
        ctx,
        aigc::data::digits()?,
        &cfg,
        &RunOptions::save_to(checkpoint(ctx, "digits")),
    )
}
