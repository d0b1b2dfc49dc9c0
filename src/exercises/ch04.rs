//! Exercises of chapter 4, *Neurons and the MSE loss* (`book/src/04-mse.md`).
//!
//! Check them with `cargo test --features exercises --test exercises ch04`.

#[cfg(feature = "solutions")]
use super::solutions;

/// **Exercise 4.1.** The **mean absolute error** (1/n) Σᵢ |yᵢ − ŷᵢ|, written next to
/// [`mse`](crate::mse::mse) in the same style.
pub fn mean_absolute_error(y: &[f64], y_hat: &[f64]) -> f64 {
    exercise!(
        "Exercise 4.1: the mean absolute error (1/n) Σ |yᵢ − ŷᵢ|",
        solutions::ch04::mean_absolute_error(y, y_hat)
    )
}

/// **Exercise 4.2.** The gradient of the MAE with respect to every prediction,
/// ∂MAE/∂ŷᵢ = sign(ŷᵢ − yᵢ)/n, like [`mse_gradient`](crate::mse::mse_gradient). Where
/// ŷᵢ = yᵢ the MAE has no derivative; return 0 there (careful: `f64::signum(0.0)` is 1).
pub fn mae_gradient(y: &[f64], y_hat: &[f64]) -> Vec<f64> {
    exercise!(
        "Exercise 4.2: ∂MAE/∂ŷᵢ = sign(ŷᵢ − yᵢ)/n, and 0 where ŷᵢ = yᵢ",
        solutions::ch04::mae_gradient(y, y_hat)
    )
}

/// **Exercise 4.3.** The best weight w* of the model ŷ = w·x on the study hours
/// [`STUDY_HOURS`](crate::mse::STUDY_HOURS) and the given `scores` (six of them, in place
/// of [`EXAM_SCORES`](crate::mse::EXAM_SCORES)): the w that minimises the MSE. With the
/// book's scores it is [`toy_best_w`](crate::mse::toy_best_w)`()`; then change 8.8 to 30.
pub fn best_w_for(scores: &[f64; 6]) -> f64 {
    exercise!(
        "Exercise 4.3: the MSE-minimising w for ŷ = w·x on other scores",
        solutions::ch04::best_w_for(scores)
    )
}

/// **Exercise 4.4.** For fixed predictions, the σ that minimises the Gaussian negative
/// log-likelihood [`gaussian_nll`](crate::mse::gaussian_nll)`(y, y_hat, σ)`. Derive it by
/// setting dNLL/dσ = 0, then return it.
pub fn best_sigma(y: &[f64], y_hat: &[f64]) -> f64 {
    exercise!(
        "Exercise 4.4: the σ that minimises the Gaussian NLL",
        solutions::ch04::best_sigma(y, y_hat)
    )
}
