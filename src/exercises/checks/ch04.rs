//! Checks of chapter 4's exercises: the logic of `tests/exercises.rs`, callable on any
//! function with the exercise's signature (the notebooks' check cells call these).

#![allow(clippy::type_complexity)]

#[allow(unused_imports)]
use super::*;
use crate::mse::{EXAM_SCORES, STUDY_HOURS, gaussian_nll, mse, toy_best_w};

fn random(rng: &mut StdRng, n: usize) -> Vec<f64> {
    (0..n).map(|_| rng.gen_range(-3.0..3.0)).collect()
}

/// The checks of `tests/exercises.rs::ch04::exercise_4_1_mean_absolute_error`, on the given `mean_absolute_error`.
pub fn exercise_4_1_mean_absolute_error(mean_absolute_error: impl Fn(&[f64], &[f64]) -> f64) {
    assert_eq!(
        mean_absolute_error(&[1.0, 2.0, 3.0], &[1.0, 2.0, 5.0]),
        2.0 / 3.0
    );
    assert_eq!(mean_absolute_error(&[0.0, 0.0], &[3.0, -4.0]), 3.5);
    assert_eq!(mean_absolute_error(&[1.5], &[1.5]), 0.0);
    let mut rng = StdRng::seed_from_u64(4);
    for n in [1, 5, 100] {
        let (y, y_hat) = (random(&mut rng, n), random(&mut rng, n));
        let mae = mean_absolute_error(&y, &y_hat);
        let want = y
            .iter()
            .zip(&y_hat)
            .map(|(a, b)| (a - b).abs())
            .sum::<f64>()
            / n as f64;
        assert!(close(mae, want, 1e-12), "n = {n}: {mae} vs {want}");
        // Averages of |e| never exceed the root of the average of e².
        assert!(mae <= mse(&y, &y_hat).sqrt() + 1e-12);
    }
}

/// The checks of `tests/exercises.rs::ch04::exercise_4_2_mae_gradient_matches_finite_differences`, on the given `mae_gradient`.
pub fn exercise_4_2_mae_gradient_matches_finite_differences(
    mae_gradient: impl Fn(&[f64], &[f64]) -> Vec<f64>,
) {
    let y = [1.0, 2.0, 3.0, 4.0];
    assert_eq!(
        mae_gradient(&y, &[0.0, 2.0, 3.5, 4.0]),
        vec![-0.25, 0.0, 0.25, 0.0]
    );
    let mae = |y_hat: &[f64]| {
        y.iter().zip(y_hat).map(|(a, b)| (a - b).abs()).sum::<f64>() / y.len() as f64
    };
    let y_hat = [0.3, 2.7, 2.9, 5.0];
    let grad = mae_gradient(&y, &y_hat);
    let h = 1e-6;
    for i in 0..4 {
        let (mut plus, mut minus) = (y_hat, y_hat);
        plus[i] += h;
        minus[i] -= h;
        let numeric = (mae(&plus) - mae(&minus)) / (2.0 * h);
        assert!(
            (grad[i] - numeric).abs() < 1e-8,
            "component {i}: {} vs {numeric}",
            grad[i]
        );
    }
}

/// The checks of `tests/exercises.rs::ch04::exercise_4_3_best_w_and_an_outlier`, on the given `best_w_for`.
pub fn exercise_4_3_best_w_and_an_outlier(best_w_for: impl Fn(&[f64; 6]) -> f64) {
    assert!(close(best_w_for(&EXAM_SCORES), toy_best_w(), 1e-12));
    let mut scores = EXAM_SCORES;
    scores[5] = 30.0;
    let w = best_w_for(&scores);
    let loss = |w: f64| {
        let y_hat: Vec<f64> = STUDY_HOURS.iter().map(|x| w * x).collect();
        mse(&scores, &y_hat)
    };
    // The minimum: the slope is zero there, and the loss is higher on both sides.
    let h = 1e-5;
    assert!(
        ((loss(w + h) - loss(w - h)) / (2.0 * h)).abs() < 1e-6,
        "slope at w = {w}"
    );
    assert!(loss(w) < loss(w + 0.01) && loss(w) < loss(w - 0.01));
    assert!(
        w > toy_best_w() + 1.0,
        "the outlier must pull w* up, got {w}"
    );
}

/// The checks of `tests/exercises.rs::ch04::exercise_4_4_best_sigma_minimises_the_gaussian_nll`, on the given `best_sigma`.
pub fn exercise_4_4_best_sigma_minimises_the_gaussian_nll(
    best_sigma: impl Fn(&[f64], &[f64]) -> f64,
) {
    let mut rng = StdRng::seed_from_u64(5);
    let (y, y_hat) = (random(&mut rng, 50), random(&mut rng, 50));
    let s = best_sigma(&y, &y_hat);
    assert!(
        close(s * s, mse(&y, &y_hat), 1e-9),
        "σ² = {} vs MSE {}",
        s * s,
        mse(&y, &y_hat)
    );
    let nll = |s: f64| gaussian_nll(&y, &y_hat, s);
    for f in [0.9, 0.99, 1.01, 1.1] {
        assert!(nll(s) < nll(s * f), "NLL(σ*) must be below NLL({f}σ*)");
    }
}
