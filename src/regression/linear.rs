//! The linear model and its loss gradient, derived by hand.
//!
//! A linear model predicts ŷ = w·x + b. With the mean squared error
//! L = (1/n) Σᵢ (ŷᵢ − yᵢ)², the chain rule gives
//!
//! ∂L/∂wⱼ = (2/n) Σᵢ (ŷᵢ − yᵢ) xᵢⱼ  and  ∂L/∂b = (2/n) Σᵢ (ŷᵢ − yᵢ).
//!
//! This file writes those two lines in plain Rust; `autodiff.rs` lets dfdx derive them.

use crate::data::Dataset;
use crate::mse::mse;

/// A linear model ŷ = w·x + b with one weight per feature.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    /// One weight per feature.
    pub w: Vec<f64>,
    /// The bias (intercept).
    pub b: f64,
}

/// The gradient of the loss with respect to every parameter of a [`LinearModel`].
#[derive(Debug, Clone, PartialEq)]
pub struct Gradient {
    /// ∂L/∂wⱼ for every weight.
    pub w: Vec<f64>,
    /// ∂L/∂b.
    pub b: f64,
}

impl LinearModel {
    /// A model with every weight and the bias at zero: where gradient descent starts.
    pub fn zeros(n_features: usize) -> Self {
        LinearModel {
            w: vec![0.0; n_features],
            b: 0.0,
        }
    }

    /// ŷ = w·x + b for one example.
    ///
    /// ```
    /// let model = aigc::regression::LinearModel { w: vec![2.0, -1.0], b: 0.5 };
    /// assert_eq!(model.predict(&[3.0, 4.0]), 2.5);
    /// ```
    // ANCHOR: predict
    pub fn predict(&self, x: &[f64]) -> f64 {
        self.w.iter().zip(x).map(|(w, x)| w * x).sum::<f64>() + self.b
    }
    // ANCHOR_END: predict

    /// Predictions for every row of a data set.
    pub fn predict_all(&self, data: &Dataset) -> Vec<f64> {
        (0..data.len()).map(|i| self.predict(data.row(i))).collect()
    }

    /// The model's mean squared error on a data set.
    ///
    /// ```
    /// let wine = aigc::data::wine_quality().unwrap();
    /// let m = aigc::regression::LinearModel::zeros(wine.n_features());
    /// // Predicting 0 for every wine: the MSE is the mean of quality².
    /// assert!(m.mse(&wine) > 30.0);
    /// ```
    pub fn mse(&self, data: &Dataset) -> f64 {
        mse(&data.y, &self.predict_all(data))
    }
}

/// The hand-derived gradient of the MSE of `model` on `data`.
///
/// ```
/// let wine = aigc::data::wine_quality().unwrap();
/// let g = aigc::regression::gradient(&aigc::regression::LinearModel::zeros(11), &wine);
/// // At w = 0, b = 0 every prediction is too low, so raising b lowers the loss: ∂L/∂b < 0.
/// assert!(g.b < 0.0);
/// ```
// ANCHOR: gradient
pub fn gradient(model: &LinearModel, data: &Dataset) -> Gradient {
    let n = data.len() as f64;
    let mut grad = Gradient {
        w: vec![0.0; model.w.len()],
        b: 0.0,
    };
    for i in 0..data.len() {
        let x = data.row(i);
        let error = model.predict(x) - data.y[i]; // ŷᵢ − yᵢ
        for (g, xj) in grad.w.iter_mut().zip(x) {
            *g += 2.0 / n * error * xj; // ∂L/∂wⱼ = (2/n) Σ (ŷᵢ − yᵢ) xᵢⱼ
        }
        grad.b += 2.0 / n * error; // ∂L/∂b = (2/n) Σ (ŷᵢ − yᵢ)
    }
    grad
}
// ANCHOR_END: gradient

/// The gradient estimated by central finite differences: (L(θ + h) − L(θ − h)) / 2h.
///
/// Slow (two loss evaluations per parameter) but needs no calculus, which makes it the
/// referee for both the hand-derived and the automatic gradient.
pub fn finite_difference_gradient(model: &LinearModel, data: &Dataset, h: f64) -> Gradient {
    let loss_at = |m: &LinearModel| m.mse(data);
    let mut w = Vec::with_capacity(model.w.len());
    for j in 0..model.w.len() {
        let (mut plus, mut minus) = (model.clone(), model.clone());
        plus.w[j] += h;
        minus.w[j] -= h;
        w.push((loss_at(&plus) - loss_at(&minus)) / (2.0 * h));
    }
    let (mut plus, mut minus) = (model.clone(), model.clone());
    plus.b += h;
    minus.b -= h;
    let b = (loss_at(&plus) - loss_at(&minus)) / (2.0 * h);
    Gradient { w, b }
}
