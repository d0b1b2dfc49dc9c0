//! `aigc tensors`, `mse`, `regression` and `mlp`: chapters 3 to 5.

use std::path::PathBuf;
use std::time::Instant;

use aigc::regression::{GdConfig, MlpConfig, RegressionConfig};
use clap::Args;

use super::{Ctx, at_least_one, heading, positive, report, say};

#[derive(Debug, Args)]
pub(super) struct RegressionArgs {
    /// A CSV file with a header line and numeric cells [default: the bundled red-wine data].
    #[arg(long)]
    data: Option<PathBuf>,
    /// The column to predict.
    #[arg(long, default_value = "quality")]
    target: String,
    /// Learning rate of the main gradient-descent run.
    #[arg(long, default_value_t = GdConfig::default().lr, value_parser = positive::<f64>, allow_negative_numbers = true)]
    lr: f64,
    /// Epochs (full passes) of the main gradient-descent run.
    #[arg(long, default_value_t = GdConfig::default().epochs, value_parser = at_least_one)]
    epochs: usize,
}

#[derive(Debug, Args)]
pub(super) struct MlpArgs {
    /// Adam's learning rate.
    #[arg(long, default_value_t = MlpConfig::default().lr, value_parser = positive::<f64>, allow_negative_numbers = true)]
    lr: f64,
    /// Training steps.
    #[arg(long, default_value_t = MlpConfig::default().steps, value_parser = at_least_one)]
    steps: usize,
    /// Number of noisy points of sin(3x).
    #[arg(long, default_value_t = MlpConfig::default().points, value_parser = at_least_one)]
    points: usize,
    /// Seed of the data and the initial weights.
    #[arg(long, default_value_t = MlpConfig::default().seed)]
    seed: u64,
}

pub(super) fn tensors(ctx: &Ctx) -> anyhow::Result<()> {
    heading("Chapter 3: tensors and autodiff")?;
    let start = Instant::now();
    let cfg = aigc::tensors::TensorsConfig::default();
    let outcome = aigc::on_device!(ctx.device, 0, |dev| aigc::tensors::run(&dev, &cfg));
    report(ctx, "tensors", &outcome, start)
}

pub(super) fn mse(ctx: &Ctx) -> anyhow::Result<()> {
    heading("Chapter 4: neurons and the MSE loss")?;
    let start = Instant::now();
    let cfg = aigc::mse::MseConfig::default();
    let outcome = aigc::on_device!(ctx.device, 0, |dev| aigc::mse::run(&dev, &cfg));
    report(ctx, "mse", &outcome, start)
}

pub(super) fn regression(ctx: &Ctx, args: &RegressionArgs) -> anyhow::Result<()> {
    let table = match &args.data {
        None => aigc::data::wine_table()?,
        Some(path) => aigc::data::Table::from_path(path)?,
    };
    let cfg = RegressionConfig {
        gd: GdConfig {
            lr: args.lr,
            epochs: args.epochs,
        },
        ..RegressionConfig::default()
    };
    regression_on(ctx, &table, &args.target, &cfg)
}

pub(super) fn regression_on(
    ctx: &Ctx,
    table: &aigc::data::Table,
    target: &str,
    cfg: &RegressionConfig,
) -> anyhow::Result<()> {
    heading("Chapter 5: gradient descent on red-wine quality")?;
    let start = Instant::now();
    let data = table.split_target(target)?; // an unknown column lists the ones there are
    say!(
        "data: {} rows × {} features, target {:?} (features standardised)\n",
        data.len(),
        data.n_features(),
        data.target_name
    );
    let data = data.standardized();
    let outcome = aigc::on_device!(ctx.device, 0, |dev| {
        aigc::regression::run(&dev, &data, cfg)?
    });
    report(ctx, "regression", &outcome, start)
}

impl MlpArgs {
    pub(super) fn config(&self) -> MlpConfig {
        MlpConfig {
            lr: self.lr,
            steps: self.steps,
            points: self.points,
            seed: self.seed,
            ..MlpConfig::default()
        }
    }
}

pub(super) fn mlp(ctx: &Ctx, cfg: &MlpConfig) -> anyhow::Result<()> {
    heading("Chapter 5: an MLP fits a curve")?;
    let start = Instant::now();
    let outcome = aigc::on_device!(ctx.device, cfg.seed, |dev| {
        aigc::regression::run_mlp(&dev, cfg)?
    });
    report(ctx, "mlp", &outcome, start)
}
