//! Gradient descent with the hand-derived gradient, and what the learning rate does to it.
//!
//! The update rule is one line: θ ← θ − η ∇L(θ), where η (eta) is the learning rate.
//! Too small an η crawls; too large an η overshoots the valley floor and the loss explodes.
//! For the MSE of a linear model the border is exact: with A the feature matrix plus a
//! column of ones, gradient descent converges iff η < 1/λ_max(AᵀA/n).

use crate::data::Dataset;
use crate::error::{AigcError, Result};
use crate::regression::{LinearModel, gradient};
use crate::train::{Divergence, check_loss};

/// Hyper-parameters of full-batch gradient descent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GdConfig {
    /// The learning rate η.
    pub lr: f64,
    /// How many full passes over the data (one update each).
    pub epochs: usize,
}

impl Default for GdConfig {
    /// The book's numbers: η = 0.1 for 1,000 epochs on standardised features.
    fn default() -> Self {
        GdConfig {
            lr: 0.1,
            epochs: 1000,
        }
    }
}

impl GdConfig {
    /// Rejects a learning rate that is not a positive finite number, and zero epochs.
    pub fn validate(&self) -> Result<()> {
        crate::train::validate_lr(self.lr)?;
        crate::train::validate_count("epochs", self.epochs)
    }
}

/// The outcome of a gradient-descent run.
#[derive(Debug, Clone, PartialEq)]
pub struct GdRun {
    /// The learning rate used.
    pub lr: f64,
    /// The trained model.
    pub model: LinearModel,
    /// The MSE before the first update and after every epoch (`epochs + 1` values,
    /// fewer when the run diverged).
    pub losses: Vec<f64>,
    /// `Some(epoch)` when the loss stopped being finite or exploded at that epoch.
    pub diverged_at: Option<usize>,
}

/// One step of gradient descent: θ ← θ − η ∇L(θ).
// ANCHOR: step
pub fn gradient_descent_step(model: &mut LinearModel, data: &Dataset, lr: f64) {
    let grad = gradient(model, data);
    for (w, g) in model.w.iter_mut().zip(&grad.w) {
        *w -= lr * g;
    }
    model.b -= lr * grad.b;
}
// ANCHOR_END: step

/// Runs gradient descent from w = 0, b = 0, recording the loss after every epoch.
///
/// A run whose loss becomes NaN or infinite, or grows a thousandfold, stops there and
/// reports the epoch in [`GdRun::diverged_at`]; use [`gradient_descent`] to get an error.
// ANCHOR: loop
pub fn gradient_descent_run(data: &Dataset, cfg: GdConfig) -> GdRun {
    let mut model = LinearModel::zeros(data.n_features());
    let mut losses = vec![model.mse(data)];
    let mut diverged_at = None;
    for epoch in 1..=cfg.epochs {
        gradient_descent_step(&mut model, data, cfg.lr);
        let loss = model.mse(data);
        if let Err(Divergence) = check_loss(loss, losses[0]) {
            diverged_at = Some(epoch);
            break;
        }
        losses.push(loss);
    }
    GdRun {
        lr: cfg.lr,
        model,
        losses,
        diverged_at,
    }
}
// ANCHOR_END: loop

/// Like [`gradient_descent_run`], but a diverging run is an error that names the
/// learning rate and the largest stable one for this data.
///
/// ```
/// use aigc::regression::{gradient_descent, GdConfig};
/// let wine = aigc::data::wine_quality().unwrap().standardized();
/// let err = gradient_descent(&wine, GdConfig { lr: 5.0, epochs: 100 }).unwrap_err();
/// assert!(err.to_string().contains("learning rate 5"));
/// ```
pub fn gradient_descent(data: &Dataset, cfg: GdConfig) -> Result<GdRun> {
    cfg.validate()?;
    let run = gradient_descent_run(data, cfg);
    match run.diverged_at {
        None => Ok(run),
        Some(step) => Err(AigcError::Diverged {
            step,
            loss: run.model.mse(data),
            lr: cfg.lr,
            hint: format!(
                "For this data gradient descent is stable only below η = {:.4} (1/λ_max); \
                 try --lr {:.2}.",
                stable_lr_limit(data),
                stable_lr_limit(data) / 3.0
            ),
        }),
    }
}

/// The largest stable learning rate, 1/λ_max(AᵀA/n), with λ_max by power iteration.
///
/// The MSE is a quadratic bowl with Hessian 2AᵀA/n. Along the eigenvector of AᵀA/n with
/// eigenvalue λ, one step multiplies the remaining error by (1 − 2ηλ); that shrinks only
/// while |1 − 2ηλ| < 1, i.e. η < 1/λ. The steepest direction, λ_max, sets the limit.
///
/// ```
/// let wine = aigc::data::wine_quality().unwrap().standardized();
/// let limit = aigc::regression::stable_lr_limit(&wine);
/// assert!(limit > 0.1 && limit < 1.0);
/// ```
// ANCHOR: limit
pub fn stable_lr_limit(data: &Dataset) -> f64 {
    let n = data.len() as f64;
    let k = data.n_features() + 1;
    let row = |i: usize| data.row(i).iter().copied().chain([1.0]);
    let mut v = vec![1.0 / (k as f64).sqrt(); k];
    let mut lambda = 0.0;
    for _ in 0..500 {
        // u = (AᵀA/n) v, computed as Aᵀ(A v)/n without forming AᵀA.
        let mut u = vec![0.0; k];
        for i in 0..data.len() {
            let av: f64 = row(i).zip(&v).map(|(a, v)| a * v).sum();
            for (u, a) in u.iter_mut().zip(row(i)) {
                *u += a * av / n;
            }
        }
        let norm = u.iter().map(|x| x * x).sum::<f64>().sqrt();
        v = u.iter().map(|x| x / norm).collect();
        if (norm - lambda).abs() <= 1e-12 * norm {
            break;
        }
        lambda = norm;
    }
    1.0 / lambda
}
// ANCHOR_END: limit

/// Runs gradient descent once per learning rate, for the learning-rate plot.
pub fn learning_rate_sweep(data: &Dataset, lrs: &[f64], epochs: usize) -> Vec<GdRun> {
    lrs.iter()
        .map(|&lr| gradient_descent_run(data, GdConfig { lr, epochs }))
        .collect()
}
