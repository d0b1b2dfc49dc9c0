//! The reports of `aigc gan ring|grid` and `aigc gan digits`.

use serde::Serialize;

use super::data::DigitData;
use super::figures;
use super::metrics::{DigitMetrics, ModeMetrics};
use super::{GanConfig, GanLog, GanOutcome};
use crate::data::Mixture;
use crate::error::{AigcError, Result};
use crate::numbers::sig;
use crate::plot::{Chart, Series};
use crate::report::{MarkdownTable, OutputDir, Report};

/// Mean D and G losses over the last 10 % of the steps.
pub fn final_losses(log: &GanLog) -> (f64, f64) {
    let n = log.losses.len();
    let tail = &log.losses[n - (n / 10).max(1).min(n)..];
    let count = tail.len().max(1) as f64;
    (
        tail.iter().map(|l| l.d as f64).sum::<f64>() / count,
        tail.iter().map(|l| l.g as f64).sum::<f64>() / count,
    )
}

/// The numbers `aigc gan ring|grid` writes to `<data>.json`, and its figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaneReport {
    /// `ring` or `grid`.
    pub dataset: String,
    /// The run's hyper-parameters.
    pub config: GanConfig,
    /// Steps trained.
    pub steps: usize,
    /// The metrics at the end.
    pub last: ModeMetrics,
    /// (step, modes covered, % high quality) at every evaluation.
    pub history: Vec<(usize, usize, f64)>,
    /// Mean D and G losses over the last 10 % of the steps.
    pub final_losses: (f64, f64),
    /// Training speed: steps / training time.
    pub steps_per_second: f64,
    /// Training speed: 1 / the median step time (robust to other processes' load).
    pub steps_per_second_median: f64,
    #[serde(skip)]
    log: GanLog,
    #[serde(skip)]
    mixture: Mixture,
}

impl PlaneReport {
    /// Summarises a finished 2-D run on `mixture`.
    pub fn new<G>(outcome: &GanOutcome<G>, mixture: &Mixture) -> Result<Self> {
        let log = &outcome.log;
        let last = log
            .last_eval()
            .and_then(|e| e.modes.clone())
            .ok_or_else(|| AigcError::Shape("the run has no evaluation".into()))?;
        let history = log
            .evals
            .iter()
            .filter_map(|e| {
                let m = e.value.modes.as_ref()?;
                Some((e.step, m.modes_covered, m.high_quality_pct))
            })
            .collect();
        Ok(PlaneReport {
            dataset: mixture.name.clone(),
            config: outcome.config,
            steps: log.step,
            last,
            history,
            final_losses: final_losses(log),
            steps_per_second: 1e3 / log.ms_per_step().max(1e-9),
            steps_per_second_median: 1e3 / log.median_ms_per_step().max(1e-9),
            log: log.clone(),
            mixture: mixture.clone(),
        })
    }

    fn title(&self) -> String {
        format!("{} GAN, pack {}", self.dataset, self.config.pack)
    }
}

impl Report for PlaneReport {
    fn summary(&self) -> String {
        let mut t = MarkdownTable::new(&["step", "modes covered", "high-quality samples"]);
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

    /// Writes `<data>.json`, `<data>.md`, `<data>-loss.svg`, `<data>-modes.svg`, scatter
    /// plots at four points of training (`<data>-step-<k>.svg`) and, for the ring, an
    /// animated `ring.gif`.
    fn write(&self, out: &mut OutputDir) -> Result<()> {
        let (name, title, log) = (&self.dataset, self.title(), &self.log);
        out.json(&format!("{name}.json"), self)?;
        out.text(&format!("{name}.md"), &self.summary())?;
        let losses = figures::loss_chart(log, &format!("{title}: losses"));
        out.svg(&format!("{name}-loss.svg"), &losses)?;
        let n_modes = self.mixture.centres.len();
        let coverage = figures::coverage_chart(
            &[(title.clone(), log)],
            n_modes,
            &format!("{title}: modes covered"),
        );
        out.svg(&format!("{name}-modes.svg"), &coverage)?;
        let n = log.evals.len();
        let mut picks = vec![0, n / 4, n / 2, n.saturating_sub(1)];
        picks.dedup();
        for k in picks {
            let e = &log.evals[k];
            let m = e.value.modes.as_ref();
            let (c, hq) = m.map_or((0, 0.0), |m| (m.modes_covered, m.high_quality_pct));
            let caption = format!(
                "{title}, step {}: {c}/{n_modes} modes, {}% HQ",
                e.step,
                sig(hq, 3)
            );
            let chart = figures::scatter_chart(&e.value.samples, &self.mixture, &caption);
            out.svg(&format!("{name}-step-{}.svg", e.step), &chart)?;
        }
        if name == "ring" {
            let gif = figures::training_gif(log, &self.mixture, self.config.steps)?;
            out.bytes("ring.gif", &gif)?;
        }
        Ok(())
    }
}

/// The numbers `aigc gan digits` writes to `digits.json`, and its pictures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigitsReport {
    /// The run's hyper-parameters.
    pub config: GanConfig,
    /// Steps trained.
    pub steps: usize,
    /// The judge's accuracy on held-out real digits.
    pub judge_heldout_accuracy: f64,
    /// The judge's verdict on 1,000 real digits: the ceiling to compare with.
    pub real: DigitMetrics,
    /// The judge's verdict on 1,000 generated digits at the end.
    pub last: DigitMetrics,
    /// (step, Inception-Score-like number, classes with ≥ 5 %) at every evaluation.
    pub history: Vec<(usize, f64, usize)>,
    /// Mean D and G losses over the last 10 % of the steps.
    pub final_losses: (f64, f64),
    /// Training speed: steps / training time.
    pub steps_per_second: f64,
    /// Training speed: 1 / the median step time (robust to other processes' load).
    pub steps_per_second_median: f64,
    #[serde(skip)]
    log: GanLog,
    #[serde(skip)]
    real_grid: Vec<f32>,
}

impl DigitsReport {
    /// Summarises a finished digits run.
    pub fn new<G>(outcome: &GanOutcome<G>, data: &DigitData) -> Result<Self> {
        let log = &outcome.log;
        let last = log
            .last_eval()
            .and_then(|e| e.digits.clone())
            .ok_or_else(|| AigcError::Shape("the run has no evaluation".into()))?;
        let history = log
            .evals
            .iter()
            .filter_map(|e| {
                let m = e.value.digits.as_ref()?;
                Some((e.step, m.is_like, m.classes_ge_5pct))
            })
            .collect();
        let real_grid = (0..64)
            .flat_map(|i| data.images.image(i * 28).to_vec())
            .collect();
        Ok(DigitsReport {
            config: outcome.config,
            steps: log.step,
            judge_heldout_accuracy: data.judge.heldout_accuracy,
            real: data.real_reference(),
            last,
            history,
            final_losses: final_losses(log),
            steps_per_second: 1e3 / log.ms_per_step().max(1e-9),
            steps_per_second_median: 1e3 / log.median_ms_per_step().max(1e-9),
            log: log.clone(),
            real_grid,
        })
    }
}

impl Report for DigitsReport {
    fn summary(&self) -> String {
        let mut t = MarkdownTable::new(&[
            "digits",
            "Inception-Score-like",
            "classes ≥ 5 %",
            "confidence > 0.9",
            "class histogram (0–9)",
        ]);
        let row = |name: &str, m: &DigitMetrics| {
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

    /// Writes `digits.json`, `digits.md`, `digits-loss.svg`, `digits-is.svg`, `digits.png`
    /// (64 generated digits at the end), `digits-start.png` (at step 0) and
    /// `digits-real.png`.
    fn write(&self, out: &mut OutputDir) -> Result<()> {
        out.json("digits.json", self)?;
        out.text("digits.md", &self.summary())?;
        let title = format!("digits GAN, pack {}", self.config.pack);
        let losses = figures::loss_chart(&self.log, &format!("{title}: losses"));
        out.svg("digits-loss.svg", &losses)?;
        let is: Vec<(f64, f64)> = self.history.iter().map(|h| (h.0 as f64, h.1)).collect();
        let (end, real) = (self.steps as f64, self.real.is_like);
        let chart = Chart::new(
            &format!("{title}: Inception-Score-like number"),
            "step",
            "exp E[KL(p(y|x) ‖ p(y))]",
        )
        .with(Series::line("generated", is))
        .with(Series::line("real digits", vec![(0.0, real), (end, real)]));
        out.svg("digits-is.svg", &chart)?;
        let samples = |e: Option<&super::GanEval>| e.map(|e| e.samples.clone()).unwrap_or_default();
        let first = samples(self.log.evals.first().map(|m| &m.value));
        let last = samples(self.log.last_eval());
        out.bytes("digits.png", &figures::digit_grid_png(&last, 4)?)?;
        out.bytes("digits-start.png", &figures::digit_grid_png(&first, 4)?)?;
        out.bytes(
            "digits-real.png",
            &figures::digit_grid_png(&self.real_grid, 4)?,
        )
    }
}
