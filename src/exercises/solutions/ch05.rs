//! Solutions of chapter 5's exercises.

use crate::data::Dataset;
use crate::regression::{LinearModel, gradient, gradient_descent_step};

pub fn scheduled_descent(data: &Dataset, lr0: f64, epochs: usize) -> Vec<f64> {
    let mut model = LinearModel::zeros(data.n_features());
    let mut losses = vec![model.mse(data)];
    for t in 0..epochs {
        let lr = lr0 / (1.0 + t as f64 / 100.0);
        gradient_descent_step(&mut model, data, lr);
        losses.push(model.mse(data));
    }
    losses
}

/// M = AᵀA/n, with A the features plus a column of ones.
fn normal_matrix(data: &Dataset) -> Vec<Vec<f64>> {
    let k = data.n_features() + 1;
    let n = data.len() as f64;
    let mut m = vec![vec![0.0; k]; k];
    for i in 0..data.len() {
        let row: Vec<f64> = data.row(i).iter().copied().chain([1.0]).collect();
        for (a, m_row) in row.iter().zip(m.iter_mut()) {
            for (b, m_ab) in row.iter().zip(m_row.iter_mut()) {
                *m_ab += a * b / n;
            }
        }
    }
    m
}

/// The largest eigenvalue of the symmetric positive semi-definite matrix `m`.
fn power_iteration(m: &[Vec<f64>]) -> f64 {
    let k = m.len();
    // A start with a component along every eigenvector (in practice).
    let mut v: Vec<f64> = (0..k).map(|i| 1.0 + i as f64 / k as f64).collect();
    let mut lambda = 0.0;
    for _ in 0..1_000_000 {
        let u: Vec<f64> = m
            .iter()
            .map(|row| row.iter().zip(&v).map(|(a, b)| a * b).sum())
            .collect();
        let norm = u.iter().map(|x| x * x).sum::<f64>().sqrt();
        v = u.iter().map(|x| x / norm).collect();
        if (norm - lambda).abs() <= 1e-14 * norm {
            return norm;
        }
        lambda = norm;
    }
    lambda
}

pub fn condition_number(data: &Dataset) -> f64 {
    let m = normal_matrix(data);
    let lambda_max = power_iteration(&m);
    let shifted: Vec<Vec<f64>> = m
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, &x)| if i == j { lambda_max - x } else { -x })
                .collect()
        })
        .collect();
    let lambda_min = lambda_max - power_iteration(&shifted);
    lambda_max / lambda_min
}

pub fn momentum_descent(data: &Dataset, lr: f64, mu: f64, epochs: usize) -> Vec<f64> {
    let mut model = LinearModel::zeros(data.n_features());
    let mut velocity = LinearModel::zeros(data.n_features()); // one velocity per parameter
    let mut losses = vec![model.mse(data)];
    for _ in 0..epochs {
        let g = gradient(&model, data);
        for ((w, v), g) in model.w.iter_mut().zip(&mut velocity.w).zip(&g.w) {
            *v = mu * *v + g;
            *w -= lr * *v;
        }
        velocity.b = mu * velocity.b + g.b;
        model.b -= lr * velocity.b;
        losses.push(model.mse(data));
    }
    losses
}
