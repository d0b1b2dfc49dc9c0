//! Exercises of chapter 3, *Tensors and autodiff in dfdx* (`book/src/03-tensors.md`).
//!
//! Check them with `cargo test --features exercises --test exercises ch03`.

use dfdx::prelude::*;

#[cfg(feature = "solutions")]
use super::solutions;
use crate::tensors::NeuronGradients;

/// **Exercise 3.1.** Change [`derivative_at`](crate::tensors::derivative_at) to the
/// function f(x) = x³ − 2x: return `(f(x), f'(x))`, with f'(x) computed by dfdx's
/// `backward()`, not by the formula. Work out f'(2) by hand first.
pub fn cubic_derivative_at<D: Device<f32>>(dev: &D, x: f32) -> (f32, f32) {
    exercise!(
        "Exercise 3.1: f(x) = x³ − 2x and f'(x) by backward()",
        solutions::ch03::cubic_derivative_at(dev, x)
    )
}

/// **Exercise 3.2.** The neuron of [`neuron_gradients`](crate::tensors::neuron_gradients)
/// with a sigmoid instead of tanh: a = σ(w·x + b). Return a, ∂a/∂w and ∂a/∂b, computed by
/// `backward()`. (By hand: σ'(z) = σ(z)(1 − σ(z)); the test compares with that.)
pub fn sigmoid_neuron_gradients<D: Device<f32>>(
    dev: &D,
    w: [f32; 3],
    b: f32,
    x: [f32; 3],
) -> NeuronGradients {
    exercise!(
        "Exercise 3.2: gradients of a sigmoid neuron by backward()",
        solutions::ch03::sigmoid_neuron_gradients(dev, w, b, x)
    )
}

/// **Exercise 3.3.** A whole batch through one layer: with the 4 × 3 matrix `x` (one example
/// per row), the 3 × 2 weight matrix `w` and the bias `b`, compute Y = X·W + b with dfdx
/// tensors (`matmul`, and `broadcast` to add `b` to every row) and return Y's 8 entries
/// row by row (`as_vec`).
pub fn layer_forward<D: Device<f32>>(
    dev: &D,
    x: [[f32; 3]; 4],
    w: [[f32; 2]; 3],
    b: [f32; 2],
) -> Vec<f32> {
    exercise!(
        "Exercise 3.3: Y = X·W + b for a batch, with matmul and broadcast",
        solutions::ch03::layer_forward(dev, x, w, b)
    )
}
