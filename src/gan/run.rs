//! The chapter's experiments as `aigc gan` runs them: train with checkpoints (resumable),
//! measure, and draw.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use dfdx::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

use super::train::{Eval, Finish, GanConfig, GanLog, Players, RealData, noise};
use super::{Activation, DigitsGan, Gan, PlaneGan, figures, metrics};
use crate::checkpoint::{self, Tensors};
use crate::data::Mixture;
use crate::data::images::{Images, PIXELS};
use crate::error::{AigcError, Result};
use crate::optim::{parameters, set_parameters};
use crate::report::{OutputDir, Table, sig};

/// What a training run hands back: the trained networks, the log, the configuration it
/// ran with (a resumed run's comes from its checkpoint) and how it ended.
pub type Trained<G> = (G, GanLog, GanConfig, Finish);

/// Seed of the fixed evaluation noise (as in the PyTorch references).
pub const EVAL_SEED: u64 = 999;

/// Generated samples kept per evaluation for the pictures of training.
pub const KEPT_SAMPLES: usize = 500;

/// Everything in a GAN checkpoint besides the tensors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckpointMeta {
    /// Which model the tensors belong to (data set, sizes, packing).
    pub model: String,
    /// How many of the parameter tensors are the generator's (the rest are D's).
    pub g_tensors: usize,
    /// The run's hyper-parameters.
    pub config: GanConfig,
    /// What the run has measured so far.
    pub log: GanLog,
    /// The two optimisers' step counts (G, D).
    pub adam_t: [u64; 2],
}

/// The name a checkpoint records for a model: a checkpoint loads only into the same one.
pub fn model_name<const Z: usize, const H: usize, const X: usize, const DI: usize>(
    data: &str,
) -> String {
    format!("GAN {data} Z{Z} H{H} X{X} pack{}", DI / X)
}

/// Saves both networks, both optimisers and the log to `path` (atomically).
pub fn save_checkpoint<const Z: usize, const H: usize, const X: usize, const DI: usize, A, O, D>(
    path: &Path,
    gan: &Gan<Z, H, X, DI, A, O, D>,
    players: &Players,
    data: &str,
    config: &GanConfig,
    log: &GanLog,
) -> Result<()>
where
    A: Activation,
    O: Activation,
    D: Device<f32>,
{
    let mut params = parameters(&gan.g);
    let g_tensors = params.len();
    params.extend(parameters(&gan.d));
    let cat = |g: &[Vec<f32>], d: &[Vec<f32>]| [g, d].concat();
    let tensors = Tensors {
        params,
        adam_m: cat(&players.g.m, &players.d.m),
        adam_v: cat(&players.g.v, &players.d.v),
    };
    let meta = CheckpointMeta {
        model: model_name::<Z, H, X, DI>(data),
        g_tensors,
        config: *config,
        log: log.clone(),
        adam_t: [players.g.t, players.d.t],
    };
    checkpoint::save(path, &tensors, &meta)
}

/// Loads a checkpoint written by [`save_checkpoint`] for the same model; another model's
/// checkpoint (other data, sizes or packing) is an error that says which.
pub fn load_checkpoint<const Z: usize, const H: usize, const X: usize, const DI: usize, A, O, D>(
    dev: &D,
    path: &Path,
    data: &str,
) -> Result<(Gan<Z, H, X, DI, A, O, D>, Players, CheckpointMeta)>
where
    A: Activation,
    O: Activation,
    D: Device<f32>,
{
    let (tensors, meta): (Tensors, CheckpointMeta) = checkpoint::load(path)?;
    let want = model_name::<Z, H, X, DI>(data);
    if meta.model != want {
        return Err(AigcError::Checkpoint(format!(
            "{}: holds a {:?}, not a {want:?}; resume with the same data set and --pack, \
             or start a new run without --resume",
            path.display(),
            meta.model
        )));
    }
    let mut gan = Gan::new(dev);
    let k = meta.g_tensors.min(tensors.params.len());
    if !set_parameters(&mut gan.g, &tensors.params[..k])
        || !set_parameters(&mut gan.d, &tensors.params[k..])
    {
        return Err(AigcError::Checkpoint(format!(
            "{}: its tensors have other shapes than this model's",
            path.display()
        )));
    }
    let mut players = Players::new(meta.config.adam);
    if tensors.adam_m.len() == tensors.params.len() {
        players.g.m = tensors.adam_m[..k].to_vec();
        players.d.m = tensors.adam_m[k..].to_vec();
        players.g.v = tensors.adam_v[..k].to_vec();
        players.d.v = tensors.adam_v[k..].to_vec();
    }
    [players.g.t, players.d.t] = meta.adam_t;
    Ok((gan, players, meta))
}

/// The fixed noise every evaluation feeds the generator: `n` × `dim`, seed [`EVAL_SEED`].
pub fn eval_noise(n: usize, dim: usize) -> Vec<f32> {
    noise(n, dim, &mut StdRng::seed_from_u64(EVAL_SEED))
}

/// Starts a run, or with `resume` continues the one in `ckpt` (weights, both Adams, step,
/// log). `evaluate` measures the generator's samples; every evaluation is checkpointed.
// ANCHOR: resume
#[allow(clippy::too_many_arguments)]
pub fn train_or_resume<const Z: usize, const H: usize, const X: usize, const DI: usize, A, O, D>(
    dev: &D,
    data: &impl RealData,
    data_name: &str,
    cfg: &GanConfig,
    ckpt: Option<&Path>,
    resume: bool,
    interrupt: &AtomicBool,
    mut evaluate: impl FnMut(&[f32]) -> Eval,
) -> Result<Trained<Gan<Z, H, X, DI, A, O, D>>>
where
    A: Activation,
    O: Activation,
    D: Device<f32>,
{
    super::check_shapes::<Z, X, DI>(cfg, data.dim())?;
    let (mut gan, mut players, mut log, cfg) = match (resume, ckpt) {
        (true, Some(path)) => {
            let (gan, players, meta) = load_checkpoint(dev, path, data_name)?;
            let cfg = GanConfig {
                steps: cfg.steps.max(meta.config.steps),
                ..meta.config
            };
            (gan, players, meta.log, cfg)
        }
        _ => (
            Gan::new(dev),
            Players::new(cfg.adam),
            GanLog::default(),
            *cfg,
        ),
    };
    let z_eval = eval_noise(metrics::EVAL_SAMPLES, Z);
    let finish = super::train_gan(
        dev,
        &mut gan,
        &mut players,
        data,
        &cfg,
        &mut log,
        interrupt,
        |gan, players, log| {
            let mut eval = evaluate(&gan.generate(dev, &z_eval));
            eval.step = log.step;
            log.evals.push(eval);
            match ckpt {
                Some(path) => save_checkpoint(path, gan, players, data_name, &cfg, log),
                None => Ok(()),
            }
        },
    )?;
    Ok((gan, log, cfg, finish))
}
// ANCHOR_END: resume

/// Measures 2-D samples against `mixture`, keeping [`KEPT_SAMPLES`] for the pictures.
pub fn plane_eval(mixture: &Mixture) -> impl FnMut(&[f32]) -> Eval + '_ {
    move |points| Eval {
        step: 0,
        modes: Some(metrics::mode_metrics(points, mixture)),
        digits: None,
        samples: points[..(2 * KEPT_SAMPLES).min(points.len())].to_vec(),
    }
}

/// Trains the 2-D GAN with noise `Z` and packing `DI / 2` on `mixture`.
pub fn run_plane<const Z: usize, const DI: usize, D: Device<f32>>(
    dev: &D,
    mixture: &Mixture,
    cfg: &GanConfig,
    ckpt: Option<&Path>,
    resume: bool,
    interrupt: &AtomicBool,
) -> Result<Trained<PlaneGan<Z, DI, D>>> {
    let name = mixture.name.clone();
    train_or_resume(
        dev,
        mixture,
        &name,
        cfg,
        ckpt,
        resume,
        interrupt,
        plane_eval(mixture),
    )
}

/// The digits as a source of real batches: epochs of a seeded permutation, batch `b`
/// dropping the last partial batch (as the PyTorch reference does).
#[derive(Debug, Clone)]
pub struct DigitBatches<'a> {
    /// The images.
    pub images: &'a Images,
    /// Seed of the permutations.
    pub seed: u64,
}

impl RealData for DigitBatches<'_> {
    fn dim(&self) -> usize {
        PIXELS
    }
    fn batch(&self, n: usize, step: usize, _rng: &mut StdRng) -> Vec<f32> {
        use rand::seq::SliceRandom;
        let per_epoch = (self.images.len() / n).max(1);
        let (epoch, k) = (step / per_epoch, step % per_epoch);
        let mut order: Vec<usize> = (0..self.images.len()).collect();
        order.shuffle(&mut StdRng::seed_from_u64(
            self.seed.wrapping_mul(7919).wrapping_add(epoch as u64),
        ));
        order
            .iter()
            .cycle()
            .skip(k * n)
            .take(n)
            .flat_map(|&i| self.images.image(i).to_vec())
            .collect()
    }
}

/// Measures generated digits with `judge`, keeping 64 for the sample grid.
pub fn digit_eval(judge: &metrics::Classifier) -> impl FnMut(&[f32]) -> Eval + '_ {
    move |pixels| {
        let n = (pixels.len() / PIXELS).min(1000); // 1,000 samples, like the reference
        Eval {
            step: 0,
            modes: None,
            digits: Some(judge.judge(&pixels[..n * PIXELS])),
            samples: pixels[..64 * PIXELS].to_vec(),
        }
    }
}

/// Trains the digits GAN with packing `DI / 64`.
pub fn run_digits<const DI: usize, D: Device<f32>>(
    dev: &D,
    images: &Images,
    judge: &metrics::Classifier,
    cfg: &GanConfig,
    ckpt: Option<&Path>,
    resume: bool,
    interrupt: &AtomicBool,
) -> Result<Trained<DigitsGan<DI, D>>> {
    let data = DigitBatches {
        images,
        seed: cfg.seed,
    };
    train_or_resume(
        dev,
        &data,
        "digits",
        cfg,
        ckpt,
        resume,
        interrupt,
        digit_eval(judge),
    )
}

/// The numbers `aigc gan ring|grid` writes to `<data>.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaneReport {
    /// `ring` or `grid`.
    pub dataset: String,
    /// The run's hyper-parameters.
    pub config: GanConfig,
    /// Steps trained.
    pub steps: usize,
    /// The metrics at the end.
    pub last: metrics::ModeMetrics,
    /// (step, modes covered, % high quality) at every evaluation.
    pub history: Vec<(usize, usize, f64)>,
    /// Mean D and G losses over the last 10 % of the steps.
    pub final_losses: (f64, f64),
    /// Training speed: steps / training time.
    pub steps_per_second: f64,
    /// Training speed: 1 / the median step time (robust to other processes' load).
    pub steps_per_second_median: f64,
}

/// Mean D and G losses over the last 10 % of the steps.
pub fn final_losses(log: &GanLog) -> (f64, f64) {
    let tail =
        &log.losses[log.losses.len() - (log.losses.len() / 10).max(1).min(log.losses.len())..];
    let n = tail.len().max(1) as f64;
    (
        tail.iter().map(|l| l.d as f64).sum::<f64>() / n,
        tail.iter().map(|l| l.g as f64).sum::<f64>() / n,
    )
}

impl PlaneReport {
    /// Summarises a finished 2-D run.
    pub fn new(dataset: &str, cfg: &GanConfig, log: &GanLog) -> Result<Self> {
        let last = log
            .evals
            .last()
            .and_then(|e| e.modes.clone())
            .ok_or_else(|| AigcError::Shape("the run has no evaluation".into()))?;
        Ok(PlaneReport {
            dataset: dataset.into(),
            config: *cfg,
            steps: log.step,
            last,
            history: log
                .evals
                .iter()
                .filter_map(|e| {
                    e.modes
                        .as_ref()
                        .map(|m| (e.step, m.modes_covered, m.high_quality_pct))
                })
                .collect(),
            final_losses: final_losses(log),
            steps_per_second: log.steps_per_second(),
            steps_per_second_median: log.steps_per_second_median(),
        })
    }

    /// The result table, as Markdown.
    pub fn summary(&self) -> String {
        let mut t = Table::new(&["step", "modes covered", "high-quality samples"]);
        // About ten rows: every k-th evaluation, and always the last.
        let k = self.history.len().div_ceil(10).max(1);
        let last = self.history.len().saturating_sub(1);
        let rows = self.history.iter().enumerate();
        for (_, &(step, modes, hq)) in rows.filter(|(i, _)| i % k == 0 || *i == last) {
            t.row(vec![
                step.to_string(),
                format!("{modes}/{}", self.last.n_modes),
                format!("{}%", sig(hq, 3)),
            ]);
        }
        format!(
            "{}\n{} (pack {}), {} steps at {} steps/s; final losses D {}, G {}\n",
            t.to_markdown(),
            self.dataset,
            self.config.pack,
            self.steps,
            sig(self.steps_per_second, 3),
            sig(self.final_losses.0, 3),
            sig(self.final_losses.1, 3)
        )
    }
}

/// Writes `<name>.json`, `<name>.md`, `<name>-loss.svg`, `<name>-modes.svg`, scatter plots
/// at four points of training (`<name>-step-<k>.svg`) and, with `gif`, `<name>.gif`.
pub fn write_plane_report(
    report: &PlaneReport,
    mixture: &Mixture,
    log: &GanLog,
    name: &str,
    gif: bool,
    out: &mut OutputDir,
) -> Result<()> {
    out.json(&format!("{name}.json"), report)?;
    out.text(&format!("{name}.md"), &report.summary())?;
    let title = format!("{} GAN, pack {}", report.dataset, report.config.pack);
    out.svg(
        &format!("{name}-loss.svg"),
        &figures::loss_chart(log, &format!("{title}: losses")),
    )?;
    out.svg(
        &format!("{name}-modes.svg"),
        &figures::coverage_chart(
            &[(title.clone(), log)],
            mixture.centres.len(),
            &format!("{title}: modes covered"),
        ),
    )?;
    let n = log.evals.len();
    let mut picks = vec![0, n / 4, n / 2, n.saturating_sub(1)];
    picks.dedup();
    for k in picks {
        let e = &log.evals[k];
        let m = e
            .modes
            .as_ref()
            .map_or((0, 0.0), |m| (m.modes_covered, m.high_quality_pct));
        let chart = figures::scatter_chart(
            &e.samples,
            mixture,
            &format!(
                "{title}, step {}: {}/{} modes, {}% HQ",
                e.step,
                m.0,
                mixture.centres.len(),
                sig(m.1, 3)
            ),
        );
        out.svg(&format!("{name}-step-{}.svg", e.step), &chart)?;
    }
    if gif {
        out.bytes(
            &format!("{name}.gif"),
            &figures::training_gif(log, mixture, report.config.steps)?,
        )?;
    }
    Ok(())
}

/// The numbers `aigc gan digits` writes to `digits.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigitsReport {
    /// The run's hyper-parameters.
    pub config: GanConfig,
    /// Steps trained.
    pub steps: usize,
    /// The judge's accuracy on held-out real digits.
    pub judge_heldout_accuracy: f64,
    /// The judge's verdict on 1,000 real digits: the ceiling to compare with.
    pub real: metrics::DigitMetrics,
    /// The judge's verdict on 1,000 generated digits at the end.
    pub last: metrics::DigitMetrics,
    /// (step, Inception-Score-like number, classes with ≥ 5 %) at every evaluation.
    pub history: Vec<(usize, f64, usize)>,
    /// Mean D and G losses over the last 10 % of the steps.
    pub final_losses: (f64, f64),
    /// Training speed: steps / training time.
    pub steps_per_second: f64,
    /// Training speed: 1 / the median step time (robust to other processes' load).
    pub steps_per_second_median: f64,
}

/// The judge's verdict on 1,000 real digits (a fixed random subset).
pub fn real_reference(images: &Images, judge: &metrics::Classifier) -> metrics::DigitMetrics {
    use rand::seq::SliceRandom;
    let mut idx: Vec<usize> = (0..images.len()).collect();
    idx.shuffle(&mut StdRng::seed_from_u64(0));
    let px: Vec<f32> = idx
        .iter()
        .take(1000)
        .flat_map(|&i| images.image(i).to_vec())
        .collect();
    judge.judge(&px)
}

impl DigitsReport {
    /// Summarises a finished digits run.
    pub fn new(
        cfg: &GanConfig,
        log: &GanLog,
        judge: &metrics::Classifier,
        real: metrics::DigitMetrics,
    ) -> Result<Self> {
        let last = log
            .evals
            .last()
            .and_then(|e| e.digits.clone())
            .ok_or_else(|| AigcError::Shape("the run has no evaluation".into()))?;
        Ok(DigitsReport {
            config: *cfg,
            steps: log.step,
            judge_heldout_accuracy: judge.heldout_accuracy,
            real,
            last,
            history: log
                .evals
                .iter()
                .filter_map(|e| {
                    e.digits
                        .as_ref()
                        .map(|m| (e.step, m.is_like, m.classes_ge_5pct))
                })
                .collect(),
            final_losses: final_losses(log),
            steps_per_second: log.steps_per_second(),
            steps_per_second_median: log.steps_per_second_median(),
        })
    }

    /// The result table, as Markdown.
    pub fn summary(&self) -> String {
        let mut t = Table::new(&[
            "digits",
            "Inception-Score-like",
            "classes ≥ 5 %",
            "confidence > 0.9",
            "class histogram (0–9)",
        ]);
        let row = |name: &str, m: &metrics::DigitMetrics| {
            vec![
                name.to_string(),
                sig(m.is_like, 3),
                m.classes_ge_5pct.to_string(),
                format!("{}%", sig(100.0 * m.frac_confident, 3)),
                format!("`{:?}`", m.class_hist),
            ]
        };
        t.row(row("real (1,000)", &self.real));
        t.row(row(
            &format!("generated (1,000), step {}", self.steps),
            &self.last,
        ));
        format!(
            "{}\njudge: softmax regression, held-out accuracy {}%; GAN pack {}, {} steps at {} steps/s; final losses D {}, G {}\n",
            t.to_markdown(),
            sig(100.0 * self.judge_heldout_accuracy, 3),
            self.config.pack,
            self.steps,
            sig(self.steps_per_second, 3),
            sig(self.final_losses.0, 3),
            sig(self.final_losses.1, 3)
        )
    }
}

/// Writes `digits.json`, `digits.md`, `digits-loss.svg`, `digits-is.svg`, `digits.png`
/// (64 generated digits at the end), `digits-start.png` (at step 0) and `digits-real.png`.
pub fn write_digits_report(
    report: &DigitsReport,
    log: &GanLog,
    images: &Images,
    out: &mut OutputDir,
) -> Result<()> {
    out.json("digits.json", report)?;
    out.text("digits.md", &report.summary())?;
    let title = format!("digits GAN, pack {}", report.config.pack);
    out.svg(
        "digits-loss.svg",
        &figures::loss_chart(log, &format!("{title}: losses")),
    )?;
    let is: Vec<(f64, f64)> = report.history.iter().map(|h| (h.0 as f64, h.1)).collect();
    let end = report.steps as f64;
    out.svg(
        "digits-is.svg",
        &crate::plot::Chart::new(
            &format!("{title}: Inception-Score-like number"),
            "step",
            "exp E[KL(p(y|x) ‖ p(y))]",
        )
        .with(crate::plot::Series::line("generated", is))
        .with(crate::plot::Series::line(
            "real digits",
            vec![(0.0, report.real.is_like), (end, report.real.is_like)],
        )),
    )?;
    let first = log
        .evals
        .first()
        .map(|e| e.samples.clone())
        .unwrap_or_default();
    let last = log
        .evals
        .last()
        .map(|e| e.samples.clone())
        .unwrap_or_default();
    out.bytes("digits.png", &figures::digit_grid_png(&last, 4)?)?;
    out.bytes("digits-start.png", &figures::digit_grid_png(&first, 4)?)?;
    let real: Vec<f32> = (0..64)
        .flat_map(|i| images.image(i * 28).to_vec())
        .collect();
    out.bytes("digits-real.png", &figures::digit_grid_png(&real, 4)?)
}
