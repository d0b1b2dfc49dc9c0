//! Exercises of chapter 9, *Running on a GPU* (`book/src/09-gpu.md`).
//!
//! Check them with `cargo test --features exercises --test exercises ch09`.

use dfdx::prelude::*;

#[cfg(feature = "solutions")]
use super::solutions;
use crate::bench::BenchRow;
use crate::data::Dataset;

/// **Exercise 9.1 (summation order).** Sum `xs` in `f32` the way a GPU reduction does, as a
/// tree: the sum of an empty slice is 0, of one number that number, and of a longer slice
/// the sum of its first `len / 2` numbers plus the sum of the rest, each summed the same
/// way. Compare the result with a left-to-right loop on 10,000 random numbers.
pub fn pairwise_sum(xs: &[f32]) -> f32 {
    exercise!(
        "Exercise 9.1: pairwise (tree) summation in f32",
        solutions::ch09::pairwise_sum(xs)
    )
}

/// **Exercise 9.2 (fewer synchronisations).** Train chapter 5's `Linear<11, 1>` from
/// w = 0, b = 0 on all of `data` (one full batch per step, built with
/// [`to_tensors`](crate::regression::to_tensors) and
/// [`to_layer`](crate::regression::to_layer)) with dfdx's `Sgd` at learning rate `lr`
/// (no momentum) for `steps` steps, as in [`linear_step_ms`](crate::bench::linear_step_ms).
/// Read the loss back from the device (`as_vec`) only in steps `every`, `2·every`, …:
/// return `(step, loss)` for those steps (counting from 1), where a step's loss is the one
/// its forward pass computed, before its update.
pub fn losses_read_every<D: Device<f32>>(
    dev: &D,
    data: &Dataset,
    lr: f64,
    steps: usize,
    every: usize,
) -> crate::Result<Vec<(usize, f32)>> {
    exercise!(
        "Exercise 9.2: train with dfdx, reading the loss every k steps",
        solutions::ch09::losses_read_every(dev, data, lr, steps, every)
    )
}

/// **Exercise 9.3 (where the GPU pays off).** A step's time grows about linearly with the
/// batch: t(b) = t₀ + c·b, where t₀ is the fixed cost (kernel launches, synchronisation)
/// and c the cost per example. Fit that line through a device's two rows (two batch
/// sizes, as `aigc bench` measures them) for `cpu` and for `gpu`, and return the smallest
/// batch at which the GPU's step is strictly faster, or `None` if it never is.
pub fn crossover_batch(cpu: [&BenchRow; 2], gpu: [&BenchRow; 2]) -> Option<usize> {
    exercise!(
        "Exercise 9.3: the batch size from which the GPU is faster",
        solutions::ch09::crossover_batch(cpu, gpu)
    )
}
