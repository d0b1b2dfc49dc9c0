//! The chapter's experiment: how often does a GAN collapse, and does packing fix it?
//! Vanilla and packed GANs on the ring and the grid, over several seeds.

use dfdx::prelude::*;
use serde::Serialize;

use super::{GanConfig, GanLog, GanOutcome, Identity, PlaneGan, Relu, figures, run};
use crate::data::Mixture;
use crate::error::Result;
use crate::numbers::{median, sig};
use crate::report::{MarkdownTable, OutputDir, Report};
use crate::train::{Finish, RunOptions, Stop};

/// Which runs the experiment makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CollapseConfig {
    /// Steps per run.
    pub steps: usize,
    /// Seeds per (data set, method): 0, 1, ….
    pub seeds: usize,
    /// Also run the PyTorch reference's settings (noise 256, learning rate 10⁻⁴).
    pub reference: bool,
}

impl Default for CollapseConfig {
    fn default() -> Self {
        CollapseConfig {
            steps: GanConfig::default().steps,
            seeds: 3,
            reference: false,
        }
    }
}

/// One finished run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollapseRun {
    /// `ring` or `grid`.
    pub dataset: String,
    /// `reference`, `vanilla` or `PacGAN`.
    pub method: String,
    /// Samples the discriminator judged together.
    pub pack: usize,
    /// The run's seed.
    pub seed: u64,
    /// Modes covered at the end.
    pub modes_covered: usize,
    /// Modes of the mixture.
    pub n_modes: usize,
    /// High-quality samples at the end, in percent.
    pub high_quality_pct: f64,
    /// KL(nearest-mode histogram ‖ uniform) at the end.
    pub kl_vs_uniform: f64,
}

/// What `aigc gan collapse` writes: every run, the medians over seeds, pictures of seed 0.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollapseReport {
    /// Steps per run.
    pub steps: usize,
    /// Every finished run.
    pub runs: Vec<CollapseRun>,
    /// (data set, method, median modes, median HQ %) over the seeds.
    pub medians: Vec<(String, String, f64, f64)>,
    /// Completed, or interrupted (the runs so far are reported).
    #[serde(skip)]
    pub finish: Finish,
    #[serde(skip)]
    pictures: Vec<(Mixture, String, GanLog)>,
}

/// The methods compared, in the table's order.
fn methods(cfg: &CollapseConfig) -> Vec<(&'static str, GanConfig)> {
    let mut m = vec![
        ("vanilla", GanConfig::vanilla()),
        ("PacGAN", GanConfig::default()),
    ];
    if cfg.reference {
        m.insert(0, ("reference", GanConfig::reference()));
    }
    m
}

/// Runs every (data set, method, seed), calling `done` after each run.
pub fn collapse<D: Device<f32>>(
    dev: &D,
    cfg: &CollapseConfig,
    stop: &Stop,
    mut done: impl FnMut(&CollapseRun, f64),
) -> Result<CollapseReport> {
    let mut report = CollapseReport {
        steps: cfg.steps,
        runs: Vec::new(),
        medians: Vec::new(),
        finish: Finish::Completed,
        pictures: Vec::new(),
    };
    for mixture in [Mixture::ring(), Mixture::grid()] {
        for (method, base) in methods(cfg) {
            for seed in 0..cfg.seeds as u64 {
                let eval_every = (cfg.steps / 20).max(1);
                let gan_cfg = GanConfig {
                    steps: cfg.steps,
                    seed,
                    eval_every,
                    ..base
                };
                let opts = RunOptions::default();
                let outcome: GanOutcome<PlaneGan<D>> =
                    run::<128, Relu, Identity, D, Mixture>(dev, &mixture, &gan_cfg, &opts, stop)?;
                if outcome.finish == Finish::Interrupted {
                    report.finish = Finish::Interrupted;
                    report.medians = medians(&report.runs);
                    return Ok(report);
                }
                let Some(m) = outcome.log.last_eval().and_then(|e| e.modes.clone()) else {
                    continue;
                };
                let r = CollapseRun {
                    dataset: mixture.name.clone(),
                    method: method.into(),
                    pack: base.pack,
                    seed,
                    modes_covered: m.modes_covered,
                    n_modes: m.n_modes,
                    high_quality_pct: m.high_quality_pct,
                    kl_vs_uniform: m.kl_vs_uniform,
                };
                done(&r, 1e3 / outcome.log.ms_per_step().max(1e-9));
                report.runs.push(r);
                if seed == 0 {
                    report
                        .pictures
                        .push((mixture.clone(), method.into(), outcome.log));
                }
            }
        }
    }
    report.medians = medians(&report.runs);
    Ok(report)
}

/// The median modes and HQ % of every (data set, method) over its seeds.
fn medians(runs: &[CollapseRun]) -> Vec<(String, String, f64, f64)> {
    let mut out = Vec::new();
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
            out.push((data.into(), method.into(), mm, mh));
        }
    }
    out
}

fn method_label(method: &str) -> String {
    match method {
        "reference" => "vanilla GAN, reference settings (noise 256, lr 10⁻⁴)".into(),
        "vanilla" => "vanilla GAN".into(),
        _ => format!("PacGAN (pack {})", GanConfig::default().pack),
    }
}

impl Report for CollapseReport {
    fn summary(&self) -> String {
        let mut t = MarkdownTable::new(&[
            "data",
            "method",
            "modes covered (per seed)",
            "high-quality % (per seed)",
            "median modes",
            "median HQ %",
        ]);
        for (data, method, mm, mh) in &self.medians {
            let rs: Vec<&CollapseRun> = self
                .runs
                .iter()
                .filter(|r| &r.dataset == data && &r.method == method)
                .collect();
            let join = |f: &dyn Fn(&CollapseRun) -> String| {
                rs.iter().map(|r| f(r)).collect::<Vec<_>>().join(", ")
            };
            t.row(vec![
                data.clone(),
                method_label(method),
                join(&|r| format!("{}/{}", r.modes_covered, r.n_modes)),
                join(&|r| sig(r.high_quality_pct, 3)),
                sig(*mm, 3),
                sig(*mh, 3),
            ]);
        }
        t.to_markdown()
    }

    /// Writes `collapse.json`, `collapse.md` and the last samples of every seed-0 run
    /// (`collapse-<data>-<method>.svg`).
    fn write(&self, out: &mut OutputDir) -> Result<()> {
        out.json("collapse.json", self)?;
        out.text("collapse.md", &self.summary())?;
        for (mixture, method, log) in &self.pictures {
            let last = log
                .last_eval()
                .map(|e| e.samples.clone())
                .unwrap_or_default();
            let m = log.last_eval().and_then(|e| e.modes.clone());
            let (c, hq) = m.map_or((0, 0.0), |m| (m.modes_covered, m.high_quality_pct));
            let title = format!(
                "{} {method}, seed 0, step {}: {c}/{} modes, {}% HQ",
                mixture.name,
                log.step,
                mixture.centres.len(),
                sig(hq, 3)
            );
            let chart = figures::scatter_chart(&last, mixture, &title);
            let name = format!("collapse-{}-{}.svg", mixture.name, method.to_lowercase());
            out.svg(&name, &chart)?;
        }
        Ok(())
    }
}
