//! Beyond straight lines: a small multi-layer perceptron fits a curve.
//!
//! A linear model can only draw a line through y = sin(3x). Stacking two layers of neurons
//! with a non-linear activation (tanh) between them gives a model that can bend:
//! ŷ = W₃ tanh(W₂ tanh(W₁x + b₁) + b₂) + b₃. It is trained by the same loop, with Adam.

use dfdx::nn::DeviceBuildExt;
use dfdx::nn::modules as layers;
use dfdx::optim::{Adam, AdamConfig, Optimizer};
use dfdx::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Normal, Uniform};
use serde::Serialize;

use crate::data::Dataset;
use crate::error::{AigcError, Result};
use crate::numbers::sig;
use crate::plot::{Chart, Series};
use crate::regression::least_squares;
use crate::report::{MarkdownTable, OutputDir, Report};
use crate::train::{check_loss, progress_bar, validate_count, validate_lr};

/// 1 input → 32 tanh units → 32 tanh units → 1 output.
// ANCHOR: mlp_type
pub type CurveMlp = (Linear<1, 32>, Tanh, Linear<32, 32>, Tanh, Linear<32, 1>);
// ANCHOR_END: mlp_type

/// The [`CurveMlp`] built on device `D`: what `dev.build_module::<CurveMlp, f32>()` returns.
pub type MlpModel<D> = (
    layers::Linear<1, 32, f32, D>,
    Tanh,
    layers::Linear<32, 32, f32, D>,
    Tanh,
    layers::Linear<32, 1, f32, D>,
);

/// Hyper-parameters of the curve-fitting experiment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MlpConfig {
    /// How many noisy samples of the curve to fit.
    pub points: usize,
    /// Standard deviation of the noise added to sin(3x).
    pub noise: f64,
    /// Adam's learning rate.
    pub lr: f64,
    /// Full-batch training steps.
    pub steps: usize,
    /// Seed of the data and of the initial weights.
    pub seed: u64,
}

impl Default for MlpConfig {
    /// The book's numbers: 256 points with noise 0.1, Adam η = 0.01, 2,000 steps.
    fn default() -> Self {
        MlpConfig {
            points: 256,
            noise: 0.1,
            lr: 0.01,
            steps: 2000,
            seed: 0,
        }
    }
}

/// What a curve-fitting run produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MlpRun {
    /// The training inputs.
    pub xs: Vec<f64>,
    /// The noisy training targets.
    pub ys: Vec<f64>,
    /// Training MSE before the first step and after every step.
    pub losses: Vec<f64>,
    /// A grid of inputs covering the data, for drawing the fitted curve.
    pub grid: Vec<f64>,
    /// The trained network's output on `grid`.
    pub fitted: Vec<f64>,
}

/// The curve the MLP learns.
pub fn target_curve(x: f64) -> f64 {
    (3.0 * x).sin()
}

/// `points` samples of sin(3x) on [−2, 2] with Gaussian noise of std `noise`.
///
/// ```
/// let (xs, ys) = aigc::regression::sine_data(100, 0.0, 1);
/// assert!(xs.iter().zip(&ys).all(|(x, y)| (y - (3.0 * x).sin()).abs() < 1e-12));
/// ```
pub fn sine_data(points: usize, noise: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let x_dist = Uniform::new_inclusive(-2.0, 2.0);
    let noise = Normal::new(0.0, noise.max(0.0)).expect("a non-negative std is valid");
    let xs: Vec<f64> = (0..points).map(|_| x_dist.sample(&mut rng)).collect();
    let ys = xs
        .iter()
        .map(|&x| target_curve(x) + noise.sample(&mut rng))
        .collect();
    (xs, ys)
}

fn column<D: Device<f32>>(dev: &D, v: &[f64]) -> Tensor<(usize, Const<1>), f32, D> {
    dev.tensor_from_vec(v.iter().map(|&v| v as f32).collect(), (v.len(), Const::<1>))
}

/// Fits a freshly initialised [`CurveMlp`] to noisy samples of sin(3x) with full-batch Adam.
///
/// `dev` should be seeded (`Cpu::seed_from_u64`): it draws the initial weights.
pub fn fit_mlp<D: Device<f32> + DeviceBuildExt>(dev: &D, cfg: &MlpConfig) -> Result<MlpRun> {
    train_mlp(dev, dev.build_module::<CurveMlp, f32>(), cfg)
}

/// Trains the given network (for example the same weights on two devices) on the data of `cfg`.
// ANCHOR: fit_mlp
pub fn train_mlp<D: Device<f32>>(dev: &D, mut mlp: MlpModel<D>, cfg: &MlpConfig) -> Result<MlpRun> {
    validate_lr(cfg.lr)?;
    validate_count("steps", cfg.steps)?;
    validate_count("points", cfg.points)?;
    let (xs, ys) = sine_data(cfg.points, cfg.noise, cfg.seed);
    let (x, y) = (column(dev, &xs), column(dev, &ys));

    let mut grads = mlp.alloc_grads();
    let mut opt = Adam::new(
        &mlp,
        AdamConfig {
            lr: cfg.lr,
            ..Default::default()
        },
    );
    let mut losses = Vec::with_capacity(cfg.steps + 1);
    let bar = progress_bar(cfg.steps as u64, "mlp");
    for step in 0..=cfg.steps {
        let loss = mse_loss(mlp.forward(x.trace(grads)), y.clone());
        let value = loss.as_vec()[0] as f64;
        if losses.is_empty() || check_loss(value, losses[0]).is_ok() {
            losses.push(value);
        } else {
            return Err(AigcError::Diverged {
                step,
                loss: value,
                lr: cfg.lr,
                hint: "Adam rarely needs more than 0.01 here; try a smaller --lr.".into(),
            });
        }
        grads = loss.backward();
        if step < cfg.steps {
            opt.update(&mut mlp, &grads)
                .map_err(|e| AigcError::Shape(format!("optimiser update failed: {e:?}")))?;
            bar.inc(1);
        }
        mlp.zero_grads(&mut grads);
    }
    bar.finish_and_clear();
    // ANCHOR_END: fit_mlp

    let grid: Vec<f64> = (0..=200).map(|i| -2.0 + 4.0 * i as f64 / 200.0).collect();
    let fitted = mlp.forward(column(dev, &grid)).as_vec();
    Ok(MlpRun {
        xs,
        ys,
        losses,
        grid,
        fitted: fitted.into_iter().map(f64::from).collect(),
    })
}

/// The numbers `aigc mlp` produces (written to `mlp.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MlpReport {
    /// The configuration.
    pub config: MlpConfig,
    /// The MLP's training MSE at the end.
    pub mlp_mse: f64,
    /// The best a straight line can do on the same points (closed form).
    pub line_mse: f64,
    /// The noise variance: the MSE of the true curve itself, the floor no model beats on average.
    pub noise_floor: f64,
    #[serde(skip)]
    run: MlpRun,
}

/// Fits the MLP and the best straight line to the same noisy sine.
pub fn run_mlp<D: Device<f32> + dfdx::nn::DeviceBuildExt>(
    dev: &D,
    cfg: &MlpConfig,
) -> Result<MlpReport> {
    let run = fit_mlp(dev, cfg)?;
    let line_data = Dataset {
        feature_names: vec!["x".into()],
        target_name: "y".into(),
        x: run.xs.clone(),
        y: run.ys.clone(),
    };
    let line_mse = least_squares(&line_data)?.mse(&line_data);
    let truth: Vec<f64> = run.xs.iter().map(|&x| target_curve(x)).collect();
    Ok(MlpReport {
        config: *cfg,
        mlp_mse: *run.losses.last().unwrap_or(&f64::NAN),
        line_mse,
        noise_floor: crate::mse::mse(&run.ys, &truth),
        run,
    })
}

impl MlpReport {
    /// The run behind the report (data, loss curve, fitted curve).
    pub fn run(&self) -> &MlpRun {
        &self.run
    }

    /// The fitted curve over the data.
    pub fn fit_chart(&self) -> Chart {
        let r = &self.run;
        Chart::new("A 1-32-32-1 tanh MLP fits sin(3x)", "x", "y")
            .with(Series::points(
                "noisy samples",
                r.xs.iter().copied().zip(r.ys.iter().copied()).collect(),
            ))
            .with(Series::line(
                "MLP",
                r.grid
                    .iter()
                    .copied()
                    .zip(r.fitted.iter().copied())
                    .collect(),
            ))
            .with(Series::line(
                "sin(3x)",
                r.grid.iter().map(|&x| (x, target_curve(x))).collect(),
            ))
    }

    /// The training loss by step.
    pub fn loss_chart(&self) -> Chart {
        Chart::new(
            "MLP training loss (Adam, full batch)",
            "step",
            "MSE (log scale)",
        )
        .log_y()
        .with(Series::curve("MLP", &self.run.losses))
        .with(Series::line(
            "noise floor σ²",
            vec![
                (0.0, self.noise_floor),
                (self.run.losses.len() as f64, self.noise_floor),
            ],
        ))
    }
}

impl Report for MlpReport {
    /// The result table as Markdown.
    fn summary(&self) -> String {
        let mut t = MarkdownTable::new(&["model", "training MSE"]);
        t.row(vec![
            "best straight line (closed form)".into(),
            sig(self.line_mse, 4),
        ]);
        t.row(vec![
            format!("MLP after {} Adam steps", self.config.steps),
            sig(self.mlp_mse, 4),
        ]);
        t.row(vec![
            "the true curve sin(3x) (noise floor)".into(),
            sig(self.noise_floor, 4),
        ]);
        t.to_markdown()
    }

    /// Writes `mlp.json`, `mlp.md`, `mlp-fit.svg` and `mlp-loss.svg` into `out`.
    fn write(&self, out: &mut OutputDir) -> Result<()> {
        out.json("mlp.json", self)?;
        out.text("mlp.md", &self.summary())?;
        out.svg("mlp-fit.svg", &self.fit_chart())?;
        out.svg("mlp-loss.svg", &self.loss_chart())
    }
}
