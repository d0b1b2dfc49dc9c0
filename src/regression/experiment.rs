//! The chapter's experiments as the CLI and the book run them: numbers, tables, figures.

use dfdx::prelude::*;
use serde::Serialize;

use crate::data::Dataset;
use crate::error::Result;
use crate::numbers::sig;
use crate::plot::{Chart, Series};
use crate::regression::*;
use crate::report::{MarkdownTable, OutputDir, Report};

/// Everything `aigc regression` runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionConfig {
    /// The main gradient-descent run.
    pub gd: GdConfig,
    /// Learning rates of the sweep, and how many epochs each runs.
    pub sweep_lrs: Vec<f64>,
    /// Epochs per sweep run.
    pub sweep_epochs: usize,
    /// The optimiser comparison (needs [`WINE_FEATURES`] features).
    pub optimisers: Vec<OptimiserConfig>,
}

impl Default for RegressionConfig {
    fn default() -> Self {
        RegressionConfig {
            gd: GdConfig::default(),
            sweep_lrs: vec![0.001, 0.01, 0.1, 0.3, 0.4],
            sweep_epochs: 100,
            optimisers: OptimiserKind::ALL
                .iter()
                .map(|&k| OptimiserConfig::book(k))
                .collect(),
        }
    }
}

/// One row of the learning-rate sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepRow {
    /// The learning rate.
    pub lr: f64,
    /// The MSE after the last epoch, or `None` if the run diverged.
    pub final_mse: Option<f64>,
    /// The epoch at which the run diverged, if it did.
    pub diverged_at: Option<usize>,
}

/// The numbers `aigc regression` produces (written to `regression.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegressionReport {
    /// Rows and features of the data.
    pub rows: usize,
    /// Number of features.
    pub features: usize,
    /// MSE of the least-squares solution.
    pub closed_form_mse: f64,
    /// Learning rate and epochs of the main run.
    pub gd_lr: f64,
    /// Epochs of the main run.
    pub gd_epochs: usize,
    /// MSE after the main gradient-descent run.
    pub gd_mse: f64,
    /// How far above the closed form gradient descent ended, in percent.
    pub gd_gap_percent: f64,
    /// Largest |hand − autodiff| over all gradient components at w = 0 (`None` when the
    /// data does not have the width the dfdx model is compiled for).
    pub max_autodiff_difference: Option<f64>,
    /// Largest |hand − finite difference| over all gradient components at w = 0.
    pub max_finite_difference: f64,
    /// The largest stable learning rate, 1/λ_max.
    pub stable_lr_limit: f64,
    /// The learning-rate sweep.
    pub sweep: Vec<SweepRow>,
    /// Final full-data MSE of each optimiser.
    pub optimisers: Vec<(String, f64, f64)>,
    #[serde(skip)]
    gd_chart: Chart,
    #[serde(skip)]
    sweep_chart: Chart,
    #[serde(skip)]
    optimiser_chart: Chart,
    /// Steps each optimiser needs on the two-parameter bowl to reach L < 10⁻³.
    pub bowl_steps: Vec<(String, f64, Option<usize>)>,
    #[serde(skip)]
    paths_chart: Chart,
}

/// Runs the whole chapter on a data set whose features are already standardised.
// ANCHOR: run_regression
pub fn run<D: Device<f32>>(
    dev: &D,
    data: &Dataset,
    cfg: &RegressionConfig,
) -> Result<RegressionReport> {
    let best = least_squares(data)?;
    let closed_form_mse = best.mse(data);
    let gd = gradient_descent(data, cfg.gd)?;
    let gd_mse = gd.model.mse(data);

    let zero = LinearModel::zeros(data.n_features());
    let hand = gradient(&zero, data);
    let fd = finite_difference_gradient(&zero, data, 1e-5);
    let auto = if data.n_features() == WINE_FEATURES {
        Some(autodiff_gradient::<WINE_FEATURES, D>(dev, &zero, data)?)
    } else {
        None
    };

    let sweep = learning_rate_sweep(data, &cfg.sweep_lrs, cfg.sweep_epochs);
    let mut optimiser_runs = Vec::new();
    if data.n_features() == WINE_FEATURES {
        for o in &cfg.optimisers {
            optimiser_runs.push(train_with::<WINE_FEATURES, D>(dev, data, o)?);
        }
    }
    let paths = super::paths::optimiser_paths(100);
    // ANCHOR_END: run_regression

    Ok(RegressionReport {
        rows: data.len(),
        features: data.n_features(),
        closed_form_mse,
        gd_lr: cfg.gd.lr,
        gd_epochs: cfg.gd.epochs,
        gd_mse,
        gd_gap_percent: 100.0 * (gd_mse - closed_form_mse) / closed_form_mse,
        max_autodiff_difference: auto.map(|a| max_difference(&hand, &a)),
        max_finite_difference: max_difference(&hand, &fd),
        stable_lr_limit: stable_lr_limit(data),
        sweep: sweep
            .iter()
            .map(|r| SweepRow {
                lr: r.lr,
                final_mse: r
                    .diverged_at
                    .is_none()
                    .then(|| *r.losses.last().unwrap_or(&f64::NAN)),
                diverged_at: r.diverged_at,
            })
            .collect(),
        optimisers: optimiser_runs
            .iter()
            .map(|r| {
                let last = *r.losses.last().unwrap_or(&f64::NAN);
                (r.config.kind.name().to_string(), r.config.lr, last)
            })
            .collect(),
        gd_chart: gd_chart(&gd, closed_form_mse),
        sweep_chart: sweep_chart(&sweep, cfg.sweep_epochs),
        optimiser_chart: optimiser_chart(&optimiser_runs, closed_form_mse),
        bowl_steps: paths
            .iter()
            .map(|p| (p.optimiser.clone(), p.lr, p.steps_to_1e_3))
            .collect(),
        paths_chart: super::paths::paths_chart(&paths),
    })
}

fn max_difference(a: &Gradient, b: &Gradient) -> f64 {
    a.w.iter()
        .zip(&b.w)
        .map(|(x, y)| (x - y).abs())
        .fold((a.b - b.b).abs(), f64::max)
}

fn gd_chart(gd: &GdRun, closed_form_mse: f64) -> Chart {
    let n = gd.losses.len() as f64;
    Chart::new(
        "Gradient descent on red-wine quality",
        "epoch",
        "MSE (log scale)",
    )
    .log_y()
    .with(Series::curve(
        format!("gradient descent, η = {}", gd.lr),
        &gd.losses,
    ))
    .with(Series::line(
        "closed-form least squares",
        vec![(0.0, closed_form_mse), (n - 1.0, closed_form_mse)],
    ))
}

fn sweep_chart(sweep: &[GdRun], epochs: usize) -> Chart {
    let mut chart = Chart::new(
        &format!("Learning-rate sweep ({epochs} epochs each)"),
        "epoch",
        "MSE (log scale)",
    )
    .log_y();
    for r in sweep {
        let label = match r.diverged_at {
            Some(e) => format!("η = {} (diverged at epoch {e})", r.lr),
            None => format!("η = {}", r.lr),
        };
        chart.series.push(Series::curve(label, &r.losses));
    }
    chart
}

fn optimiser_chart(runs: &[OptimiserRun], closed_form_mse: f64) -> Chart {
    let mut chart = Chart::new(
        "Optimisers on the same data (mini-batches of 32)",
        "epoch",
        "MSE (log scale)",
    )
    .log_y();
    for r in runs {
        let name = format!("{}, η = {}", r.config.kind.name(), r.config.lr);
        chart.series.push(Series::curve(name, &r.losses));
    }
    let epochs = runs.first().map_or(1, |r| r.losses.len() - 1) as f64;
    chart.with(Series::line(
        "closed form",
        vec![(0.0, closed_form_mse), (epochs, closed_form_mse)],
    ))
}

impl Report for RegressionReport {
    /// The result tables as Markdown (printed by the CLI, included by the book).
    fn summary(&self) -> String {
        let tables: Vec<String> = self.sections().into_iter().map(|(_, t)| t).collect();
        tables.join("\n")
    }

    /// Writes `regression.json`, `regression.md` and the figures into `out`.
    fn write(&self, out: &mut OutputDir) -> Result<()> {
        out.json("regression.json", self)?;
        out.text("regression.md", &self.anchored_summary())?;
        for (name, chart) in self.charts() {
            out.svg(name, chart)?;
        }
        Ok(())
    }
}

impl RegressionReport {
    /// The three tables, named `gd`, `sweep` and `optimisers`.
    pub fn sections(&self) -> Vec<(&'static str, String)> {
        let mut t = MarkdownTable::new(&["quantity", "value"]);
        let mut add = |k: &str, v: String| t.row(vec![k.to_string(), v]);
        add(
            "rows × features",
            format!("{} × {}", self.rows, self.features),
        );
        add("closed-form MSE", sig(self.closed_form_mse, 5));
        add(
            &format!(
                "gradient descent MSE (η = {}, {} epochs)",
                self.gd_lr, self.gd_epochs
            ),
            sig(self.gd_mse, 5),
        );
        add(
            "gap to closed form",
            format!("{}%", sig(self.gd_gap_percent, 2)),
        );
        add("largest stable η = 1/λ_max", sig(self.stable_lr_limit, 4));
        if let Some(d) = self.max_autodiff_difference {
            add("largest gap, hand vs autodiff gradient", sig(d, 2));
        }
        add(
            "largest gap, hand vs finite-difference gradient",
            sig(self.max_finite_difference, 2),
        );

        let mut s = MarkdownTable::new(&["learning rate η", "MSE after the sweep", "outcome"]);
        for r in &self.sweep {
            let (mse, outcome) = match (r.final_mse, r.diverged_at) {
                (Some(m), _) => (sig(m, 4), "converging".to_string()),
                (None, Some(e)) => ("—".to_string(), format!("diverged at epoch {e}")),
                (None, None) => ("—".to_string(), "—".to_string()),
            };
            s.row(vec![r.lr.to_string(), mse, outcome]);
        }
        let mut o = MarkdownTable::new(&["optimiser", "η", "MSE after the last epoch"]);
        for (name, lr, mse) in &self.optimisers {
            o.row(vec![name.clone(), lr.to_string(), sig(*mse, 4)]);
        }
        let mut b = MarkdownTable::new(&["optimiser on the bowl", "η", "steps until L < 10⁻³"]);
        for (name, lr, steps) in &self.bowl_steps {
            let steps = steps.map_or("more than 100".into(), |n| n.to_string());
            b.row(vec![name.clone(), lr.to_string(), steps]);
        }
        vec![
            ("gd", t.to_markdown()),
            ("sweep", s.to_markdown()),
            ("optimisers", o.to_markdown()),
            ("bowl", b.to_markdown()),
        ]
    }

    /// The tables with `ANCHOR` comments around each, so a book page can include one.
    pub fn anchored_summary(&self) -> String {
        self.sections()
            .into_iter()
            .map(|(name, table)| {
                format!("<!-- ANCHOR: {name} -->\n{table}<!-- ANCHOR_END: {name} -->\n")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The main gradient-descent run's loss per epoch, against the closed form.
    pub fn gd_chart(&self) -> &Chart {
        &self.gd_chart
    }

    /// The learning-rate sweep's loss curves.
    pub fn sweep_chart(&self) -> &Chart {
        &self.sweep_chart
    }

    /// SGD, momentum and Adam on the same data.
    pub fn optimiser_chart(&self) -> &Chart {
        &self.optimiser_chart
    }

    /// Every figure with the file name `aigc regression` gives it.
    pub fn charts(&self) -> [(&'static str, &Chart); 4] {
        [
            ("gd-loss.svg", &self.gd_chart),
            ("lr-sweep.svg", &self.sweep_chart),
            ("optimisers.svg", &self.optimiser_chart),
            ("loss-surface.svg", &self.paths_chart),
        ]
    }
}
