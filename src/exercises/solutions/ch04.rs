//! Solutions of chapter 4's exercises.

use crate::mse::{STUDY_HOURS, mse};

pub fn mean_absolute_error(y: &[f64], y_hat: &[f64]) -> f64 {
    assert_eq!(
        y.len(),
        y_hat.len(),
        "targets and predictions differ in length"
    );
    assert!(!y.is_empty(), "the MAE of no examples is undefined");
    let sum: f64 = y
        .iter()
        .zip(y_hat)
        .map(|(y, y_hat)| (y - y_hat).abs())
        .sum();
    sum / y.len() as f64
}

pub fn mae_gradient(y: &[f64], y_hat: &[f64]) -> Vec<f64> {
    let n = y.len() as f64;
    y.iter()
        .zip(y_hat)
        .map(|(y, y_hat)| match y_hat.partial_cmp(y) {
            Some(std::cmp::Ordering::Greater) => 1.0 / n,
            Some(std::cmp::Ordering::Less) => -1.0 / n,
            _ => 0.0,
        })
        .collect()
}

pub fn best_w_for(scores: &[f64; 6]) -> f64 {
    // dL/dw = (2/n) Σ (w xᵢ − yᵢ) xᵢ = 0  ⇔  w = Σ xᵢyᵢ / Σ xᵢ².
    let xy: f64 = STUDY_HOURS.iter().zip(scores).map(|(x, y)| x * y).sum();
    let xx: f64 = STUDY_HOURS.iter().map(|x| x * x).sum();
    xy / xx
}

pub fn best_sigma(y: &[f64], y_hat: &[f64]) -> f64 {
    // NLL(σ) = ln σ + ½ ln 2π + MSE/(2σ²); dNLL/dσ = 1/σ − MSE/σ³ = 0  ⇔  σ² = MSE.
    mse(y, y_hat).sqrt()
}
