//! `aigc gan …`: chapter 8's commands (ring, grid, digits, collapse).

use std::path::{Path, PathBuf};
use std::time::Instant;

use aigc::data::Mixture;
use aigc::gan::{GanConfig, GanLog, PlaneReport};
use aigc::report::{OutputDir, Table, sig};
use clap::{Args, Subcommand};
use dfdx::prelude::*;

use aigc::device::{Resolved, resolve};

use super::{Cli, at_least_one, finish, heading, positive_f64};

#[derive(Debug, Subcommand)]
pub(super) enum GanCommand {
    /// Train on 8 Gaussians on a ring (radius 2, std 0.02); writes scatter plots over
    /// training, an animated GIF, the losses and the mode metrics.
    Ring(PlaneArgs),
    /// Train on a 5 × 5 grid of Gaussians (spacing 2, std 0.05).
    Grid(PlaneArgs),
    /// Vanilla GAN vs the fix, on the ring and the grid, over several seeds: mode collapse
    /// measured.
    Collapse(CollapseArgs),
    /// Train on the handwritten digits (8 × 8; PacGAN with packs of 2 by default); writes a
    /// PNG of samples and the judge's metrics.
    Digits(DigitsArgs),
}

#[derive(Debug, Args, Clone)]
pub(super) struct PlaneArgs {
    /// Training steps (one D step and one G step each).
    #[arg(long, default_value_t = GanConfig::default().steps, value_parser = at_least_one)]
    pub(super) steps: usize,
    /// Samples the discriminator judges together: 1 is the vanilla GAN (1, 2 or 4).
    #[arg(long, default_value_t = GanConfig::default().pack, value_parser = at_least_one)]
    pack: usize,
    /// Adam's learning rate for both players (peak of the cosine decay).
    #[arg(long, default_value_t = GanConfig::default().lr as f64, value_parser = positive_f64, allow_negative_numbers = true)]
    lr: f64,
    /// Keep the learning rate constant instead of decaying it to zero.
    #[arg(long)]
    constant_lr: bool,
    /// Real (and fake) samples per step.
    #[arg(long, default_value_t = GanConfig::default().batch, value_parser = at_least_one)]
    batch: usize,
    /// Length of the noise vector z: 2 (the chapter's) or 256 (the PyTorch reference's).
    #[arg(long, default_value_t = GanConfig::default().noise_dim)]
    noise_dim: usize,
    /// Evaluate, checkpoint and draw a frame every this many steps.
    #[arg(long, default_value_t = GanConfig::default().eval_every, value_parser = at_least_one)]
    pub(super) eval_every: usize,
    /// Seed of the initial weights, the data and the noise.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Checkpoint file [default: <out>/gan/<data>.ckpt].
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// Continue from the checkpoint instead of starting over.
    #[arg(long)]
    resume: bool,
}

impl Default for PlaneArgs {
    fn default() -> Self {
        let d = GanConfig::default();
        PlaneArgs {
            steps: d.steps,
            pack: d.pack,
            lr: d.lr as f64,
            constant_lr: !d.cosine,
            batch: d.batch,
            noise_dim: d.noise_dim,
            eval_every: d.eval_every,
            seed: d.seed,
            checkpoint: None,
            resume: false,
        }
    }
}

#[derive(Debug, Args, Clone)]
pub(super) struct CollapseArgs {
    /// Training steps of every run.
    #[arg(long, default_value_t = GanConfig::default().steps, value_parser = at_least_one)]
    pub(super) steps: usize,
    /// Seeds per data set and method.
    #[arg(long, default_value_t = 3, value_parser = at_least_one)]
    pub(super) seeds: usize,
    /// Also run the PyTorch reference's vanilla settings (noise 256, constant learning rate
    /// 10⁻⁴; about twice as slow).
    #[arg(long)]
    reference: bool,
}

impl Default for CollapseArgs {
    fn default() -> Self {
        CollapseArgs {
            steps: GanConfig::default().steps,
            seeds: 3,
            reference: false,
        }
    }
}

#[derive(Debug, Args, Clone)]
pub(super) struct DigitsArgs {
    /// A digits file (64 pixel counts 0–16 and a label per line) [default: the bundled
    /// 1,797 digits].
    #[arg(long)]
    data: Option<PathBuf>,
    /// Training steps.
    #[arg(long, default_value_t = GanConfig::digits().steps, value_parser = at_least_one)]
    pub(super) steps: usize,
    /// Images the discriminator judges together: 2 is the chapter's fix (PacGAN), 1 the
    /// vanilla GAN of the PyTorch reference.
    #[arg(long, default_value_t = DIGITS_PACK, value_parser = at_least_one)]
    pack: usize,
    /// Adam's learning rate for both players.
    #[arg(long, default_value_t = GanConfig::digits().lr as f64, value_parser = positive_f64, allow_negative_numbers = true)]
    lr: f64,
    /// Decay the learning rate to zero along a cosine instead of keeping it constant.
    #[arg(long)]
    cosine: bool,
    /// Real (and fake) images per step.
    #[arg(long, default_value_t = GanConfig::digits().batch, value_parser = at_least_one)]
    batch: usize,
    /// Length of the noise vector (this build's digits model takes 64).
    #[arg(long, default_value_t = GanConfig::digits().noise_dim)]
    noise_dim: usize,
    /// Evaluate and checkpoint every this many steps.
    #[arg(long, default_value_t = GanConfig::digits().eval_every, value_parser = at_least_one)]
    pub(super) eval_every: usize,
    /// Seed of the initial weights, the batches and the noise.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Checkpoint file [default: <out>/gan/digits.ckpt].
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// Continue from the checkpoint instead of starting over.
    #[arg(long)]
    resume: bool,
}

impl Default for DigitsArgs {
    fn default() -> Self {
        let d = GanConfig::digits();
        DigitsArgs {
            data: None,
            steps: d.steps,
            pack: DIGITS_PACK,
            lr: d.lr as f64,
            cosine: d.cosine,
            batch: d.batch,
            noise_dim: d.noise_dim,
            eval_every: d.eval_every,
            seed: 0,
            checkpoint: None,
            resume: false,
        }
    }
}

/// The digits GAN's packing in the chapter (PacGAN; the reference configuration is 1).
const DIGITS_PACK: usize = 2;

/// Set by Ctrl-C: the training loop saves a checkpoint and stops before the next step.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub(super) fn gan(cli: &Cli, cmd: &GanCommand) -> anyhow::Result<()> {
    match cmd {
        GanCommand::Ring(args) => gan_plane(cli, Mixture::ring(), args),
        GanCommand::Grid(args) => gan_plane(cli, Mixture::grid(), args),
        GanCommand::Collapse(args) => gan_collapse(cli, args),
        GanCommand::Digits(args) => gan_digits(cli, args),
    }
}

/// Calls `$run::<DI>` with the discriminator input size for `$pack` digits of `$x` pixels:
/// every packing is its own compiled model.
macro_rules! with_pack {
    ($pack:expr, $x:literal, $run:ident, $($arg:expr),*) => {
        match $pack {
            1 => $run::<{ $x }, _>($($arg),*),
            2 => $run::<{ 2 * $x }, _>($($arg),*),
            p => Err(aigc::AigcError::InvalidHyperParameter {
                name: "pack",
                message: format!(
                    "this build has models for packs 1 and 2, got {p}"
                ),
            }),
        }
    };
}

fn plane_config(args: &PlaneArgs) -> GanConfig {
    GanConfig {
        steps: args.steps,
        batch: args.batch,
        lr: args.lr as f32,
        noise_dim: args.noise_dim,
        pack: args.pack,
        eval_every: args.eval_every,
        seed: args.seed,
        cosine: !args.constant_lr,
        ..GanConfig::default()
    }
}

fn train_plane(
    cli: &Cli,
    mixture: &Mixture,
    cfg: &GanConfig,
    ckpt: Option<&Path>,
    resume: bool,
) -> anyhow::Result<(GanLog, GanConfig, aigc::gan::Finish)> {
    fn go<const Z: usize, const DI: usize, D: Device<f32>>(
        dev: &D,
        m: &Mixture,
        cfg: &GanConfig,
        ckpt: Option<&Path>,
        resume: bool,
    ) -> aigc::Result<(GanLog, GanConfig, aigc::gan::Finish)> {
        let (_, log, cfg, finish) =
            aigc::gan::run_plane::<Z, DI, D>(dev, m, cfg, ckpt, resume, &INTERRUPTED)?;
        Ok((log, cfg, finish))
    }
    cfg.validate()?;
    // Every (noise, pack) pair is its own compiled model.
    Ok(on_device!(cli.device, cfg.seed, |dev| {
        match (cfg.noise_dim, cfg.pack) {
            (2, 1) => go::<2, 2, _>(&dev, mixture, cfg, ckpt, resume),
            (2, 2) => go::<2, 4, _>(&dev, mixture, cfg, ckpt, resume),
            (2, 4) => go::<2, 8, _>(&dev, mixture, cfg, ckpt, resume),
            (256, 1) => go::<256, 2, _>(&dev, mixture, cfg, ckpt, resume),
            (256, 2) => go::<256, 4, _>(&dev, mixture, cfg, ckpt, resume),
            (256, 4) => go::<256, 8, _>(&dev, mixture, cfg, ckpt, resume),
            (z, p) => Err(aigc::AigcError::InvalidHyperParameter {
                name: "noise dimension and pack",
                message: format!(
                    "this build has 2-D models for noise 2 or 256 and pack 1, 2 or 4, got noise {z}, pack {p}"
                ),
            }),
        }?
    }))
}

pub(super) fn gan_plane(cli: &Cli, mixture: Mixture, args: &PlaneArgs) -> anyhow::Result<()> {
    heading(&format!(
        "Chapter 8: a GAN on the {} of Gaussians",
        mixture.name
    ))?;
    let start = Instant::now();
    let cfg = plane_config(args);
    let out_dir = cli.out.join("gan");
    let ckpt = args
        .checkpoint
        .clone()
        .unwrap_or_else(|| out_dir.join(format!("{}.ckpt", mixture.name)));
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst));
    say!(
        "{} modes, std {}; pack {} ({}), {} steps of {} samples; checkpoint {}{}",
        mixture.centres.len(),
        mixture.std,
        cfg.pack,
        if cfg.pack == 1 {
            "vanilla GAN"
        } else {
            "PacGAN"
        },
        cfg.steps,
        cfg.batch,
        ckpt.display(),
        if args.resume { " (resuming)" } else { "" }
    );
    let mut out = OutputDir::create(&out_dir)?;
    let (log, cfg, ended) = train_plane(cli, &mixture, &cfg, Some(&ckpt), args.resume)?;
    if ended == aigc::gan::Finish::Interrupted {
        say!(
            "\ninterrupted at step {}: checkpoint saved to {}; continue with `aigc gan {} --resume`",
            log.step,
            ckpt.display(),
            mixture.name
        );
        return Ok(());
    }
    let report = PlaneReport::new(&mixture.name, &cfg, &log)?;
    say!("{}", report.summary().trim_end());
    let name = mixture.name.clone();
    aigc::gan::write_plane_report(&report, &mixture, &log, &name, name == "ring", &mut out)?;
    out.written.push(ckpt);
    finish(&out, start)
}

/// One line of the collapse table.
#[derive(Debug, Clone, serde::Serialize)]
struct CollapseRun {
    dataset: String,
    method: String,
    pack: usize,
    seed: u64,
    modes_covered: usize,
    n_modes: usize,
    high_quality_pct: f64,
    kl_vs_uniform: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
struct CollapseReport {
    steps: usize,
    runs: Vec<CollapseRun>,
    /// (dataset, method, median modes, median HQ %) over the seeds.
    medians: Vec<(String, String, f64, f64)>,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

pub(super) fn gan_collapse(cli: &Cli, args: &CollapseArgs) -> anyhow::Result<()> {
    heading("Chapter 8: mode collapse, measured")?;
    let start = Instant::now();
    let mut runs = Vec::new();
    let mut logs = Vec::new();
    for mixture in [Mixture::ring(), Mixture::grid()] {
        let mut methods = vec![
            ("vanilla", GanConfig::vanilla()),
            ("PacGAN", GanConfig::default()),
        ];
        if args.reference {
            methods.insert(0, ("reference", GanConfig::reference()));
        }
        for (method, base) in methods {
            let pack = base.pack;
            for seed in 0..args.seeds as u64 {
                let cfg = GanConfig {
                    steps: args.steps,
                    seed,
                    eval_every: (args.steps / 20).max(1),
                    ..base
                };
                let (log, _, _) = train_plane(cli, &mixture, &cfg, None, false)?;
                let m = log
                    .evals
                    .last()
                    .and_then(|e| e.modes.clone())
                    .ok_or_else(|| anyhow::anyhow!("no evaluation"))?;
                say!(
                    "{} {method} (pack {pack}) seed {seed}: {}/{} modes, {}% high quality ({:.0} steps/s)",
                    mixture.name,
                    m.modes_covered,
                    m.n_modes,
                    sig(m.high_quality_pct, 3),
                    log.steps_per_second()
                );
                runs.push(CollapseRun {
                    dataset: mixture.name.clone(),
                    method: method.into(),
                    pack,
                    seed,
                    modes_covered: m.modes_covered,
                    n_modes: m.n_modes,
                    high_quality_pct: m.high_quality_pct,
                    kl_vs_uniform: m.kl_vs_uniform,
                });
                if seed == 0 {
                    logs.push((mixture.clone(), method, log));
                }
            }
        }
    }
    let mut medians = Vec::new();
    let mut t = Table::new(&[
        "data",
        "method",
        "modes covered (per seed)",
        "high-quality % (per seed)",
        "median modes",
        "median HQ %",
    ]);
    for data in ["ring", "grid"] {
        for method in ["reference", "vanilla", "PacGAN"] {
            let rs: Vec<&CollapseRun> = runs
                .iter()
                .filter(|r| r.dataset == data && r.method == method)
                .collect();
            if rs.is_empty() {
                continue;
            }
            let mm = median(rs.iter().map(|r| r.modes_covered as f64).collect());
            let mh = median(rs.iter().map(|r| r.high_quality_pct).collect());
            t.row(vec![
                data.into(),
                match method {
                    "reference" => "vanilla GAN, reference settings (noise 256, lr 10⁻⁴)".into(),
                    "vanilla" => "vanilla GAN".into(),
                    _ => format!("PacGAN (pack {})", GanConfig::default().pack),
                },
                rs.iter()
                    .map(|r| format!("{}/{}", r.modes_covered, r.n_modes))
                    .collect::<Vec<_>>()
                    .join(", "),
                rs.iter()
                    .map(|r| sig(r.high_quality_pct, 3))
                    .collect::<Vec<_>>()
                    .join(", "),
                sig(mm, 3),
                sig(mh, 3),
            ]);
            medians.push((data.into(), method.into(), mm, mh));
        }
    }
    say!("\n{}", t.to_markdown().trim_end());
    let mut out = OutputDir::create(cli.out.join("gan"))?;
    out.json(
        "collapse.json",
        &CollapseReport {
            steps: args.steps,
            runs,
            medians,
        },
    )?;
    out.text("collapse.md", &t.to_markdown())?;
    for (mixture, method, log) in &logs {
        let last = log
            .evals
            .last()
            .map(|e| e.samples.clone())
            .unwrap_or_default();
        let m = log.evals.last().and_then(|e| e.modes.clone());
        let (c, hq) = m.map_or((0, 0.0), |m| (m.modes_covered, m.high_quality_pct));
        let chart = aigc::gan::figures::scatter_chart(
            &last,
            mixture,
            &format!(
                "{} {method}, seed 0, step {}: {c}/{} modes, {}% HQ",
                mixture.name,
                log.step,
                mixture.centres.len(),
                sig(hq, 3)
            ),
        );
        out.svg(
            &format!("collapse-{}-{}.svg", mixture.name, method.to_lowercase()),
            &chart,
        )?;
    }
    finish(&out, start)
}

pub(super) fn gan_digits(cli: &Cli, args: &DigitsArgs) -> anyhow::Result<()> {
    heading("Chapter 8: a GAN on handwritten digits")?;
    let start = Instant::now();
    let images = match &args.data {
        None => aigc::data::digits()?,
        Some(path) => aigc::data::Images::from_path(path)?,
    };
    let cfg = GanConfig {
        steps: args.steps,
        batch: args.batch,
        lr: args.lr as f32,
        noise_dim: args.noise_dim,
        pack: args.pack,
        eval_every: args.eval_every,
        seed: args.seed,
        cosine: args.cosine,
        ..GanConfig::digits()
    };
    cfg.validate()?;
    let judge = aigc::gan::Classifier::train(&images);
    let real = aigc::gan::real_reference(&images, &judge);
    say!(
        "{} images; judge (softmax regression) held-out accuracy {}%, real digits score {}",
        images.len(),
        sig(100.0 * judge.heldout_accuracy, 3),
        sig(real.is_like, 3)
    );
    let out_dir = cli.out.join("gan");
    let ckpt = args
        .checkpoint
        .clone()
        .unwrap_or_else(|| out_dir.join("digits.ckpt"));
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst));
    let mut out = OutputDir::create(&out_dir)?;
    fn go<const DI: usize, D: Device<f32>>(
        dev: &D,
        images: &aigc::data::Images,
        judge: &aigc::gan::Classifier,
        cfg: &GanConfig,
        ckpt: &Path,
        resume: bool,
    ) -> aigc::Result<(GanLog, GanConfig, aigc::gan::Finish)> {
        let (_, log, cfg, finish) = aigc::gan::run_digits::<DI, D>(
            dev,
            images,
            judge,
            cfg,
            Some(ckpt),
            resume,
            &INTERRUPTED,
        )?;
        Ok((log, cfg, finish))
    }
    let (log, cfg, fin) = on_device!(cli.device, cfg.seed, |dev| {
        with_pack!(
            cfg.pack,
            64,
            go,
            &dev,
            &images,
            &judge,
            &cfg,
            &ckpt,
            args.resume
        )?
    });
    if fin == aigc::gan::Finish::Interrupted {
        say!(
            "\ninterrupted at step {}: checkpoint saved to {}; continue with `aigc gan digits --resume`",
            log.step,
            ckpt.display()
        );
        return Ok(());
    }
    let report = aigc::gan::DigitsReport::new(&cfg, &log, &judge, real)?;
    say!("{}", report.summary().trim_end());
    aigc::gan::write_digits_report(&report, &log, &images, &mut out)?;
    out.written.push(ckpt);
    finish(&out, start)
}
