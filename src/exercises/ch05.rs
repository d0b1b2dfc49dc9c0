//! Exercises of chapter 5, *Gradient descent* (`book/src/05-gradient-descent.md`).
//!
//! Check them with `cargo test --features exercises --test exercises ch05`.

#[cfg(feature = "solutions")]
use super::solutions;
use crate::data::Dataset;

/// **Exercise 5.1 (learning-rate schedule).** Full-batch gradient descent from w = 0, b = 0
/// (like [`gradient_descent_run`](crate::regression::gradient_descent_run)) whose learning
/// rate decays as ηₜ = η₀ / (1 + t/100) for steps t = 0, 1, 2, …: step t uses ηₜ. Use
/// [`gradient_descent_step`](crate::regression::gradient_descent_step). Return the MSE
/// before the first step and after every step (`epochs + 1` values).
pub fn scheduled_descent(data: &Dataset, lr0: f64, epochs: usize) -> Vec<f64> {
    exercise!(
        "Exercise 5.1: gradient descent with ηₜ = η₀ / (1 + t/100)",
        solutions::ch05::scheduled_descent(data, lr0, epochs)
    )
}

/// **Exercise 5.2 (condition number).** λ_max / λ_min of the matrix AᵀA/n, where A is the
/// data's feature matrix with a column of ones appended (as in
/// [`stable_lr_limit`](crate::regression::stable_lr_limit), which gives 1/λ_max).
/// Find λ_min by power iteration on λ_max·I − AᵀA/n: its largest eigenvalue is
/// λ_max − λ_min. (Forming the small (d+1) × (d+1) matrix once makes each iteration cheap.)
pub fn condition_number(data: &Dataset) -> f64 {
    exercise!(
        "Exercise 5.2: the condition number λ_max/λ_min of AᵀA/n",
        solutions::ch05::condition_number(data)
    )
}

/// **Exercise 5.3 (momentum by hand).** Full-batch gradient descent with classic momentum,
/// from w = 0, b = 0 and velocity 0, using the hand-derived
/// [`gradient`](crate::regression::gradient): v ← μ·v + g, then θ ← θ − η·v, for every
/// weight and the bias. Return the MSE before the first step and after every step
/// (`epochs + 1` values). The test checks it against dfdx's `Sgd` with
/// `Momentum::Classic(0.9)`.
pub fn momentum_descent(data: &Dataset, lr: f64, mu: f64, epochs: usize) -> Vec<f64> {
    exercise!(
        "Exercise 5.3: gradient descent with momentum, v ← μv + g, θ ← θ − ηv",
        solutions::ch05::momentum_descent(data, lr, mu, epochs)
    )
}
