//! How much arithmetic a training step is, and how fast this machine does arithmetic at
//! best: the two numbers that turn a time into an efficiency.
//!
//! A multiply-add counts as two floating-point operations (FLOPs). Training costs about
//! three times its forward pass in matrix products (the forward product, and two more in
//! the backward pass: one for the inputs' gradient, one for the weights'), so each count
//! is 3 × the forward products; the element-wise work is left out, as is usual.

use std::time::Instant;

use dfdx::prelude::*;

/// FLOPs of one training step of the chapter 6 LSTM (embedding `e`, hidden `h`, `vocab`
/// characters, `batch` windows of `seq`).
///
/// ```
/// let f = aigc::bench::lstm_flops(65, 32, 64);
/// assert_eq!(f, 3.0 * 2.0 * (32.0 * 64.0) * (64.0 * 1024.0 + 256.0 * 1024.0 + 256.0 * 65.0));
/// ```
pub fn lstm_flops(vocab: usize, batch: usize, seq: usize) -> f64 {
    let (e, h) = (64.0, 256.0);
    let per_position = e * 4.0 * h + h * 4.0 * h + h * vocab as f64;
    3.0 * 2.0 * (batch * seq) as f64 * per_position
}

/// FLOPs of one training step of the chapter 7 GPT (4 blocks × 128, context `seq`).
pub fn gpt_flops(vocab: usize, batch: usize, seq: usize) -> f64 {
    let (c, blocks) = (128.0, 4.0);
    // Per block and position: q, k, v and the output projection (4C²), the MLP (8C²), and
    // attention's two products over on average seq/2 earlier positions (2 · seq/2 · C).
    let block = 4.0 * c * c + 8.0 * c * c + seq as f64 * c;
    let per_position = blocks * block + c * vocab as f64;
    3.0 * 2.0 * (batch * seq) as f64 * per_position
}

/// FLOPs of one D step and one G step of a GAN with noise `z`, hidden `h`, samples of `x`
/// numbers, packs of `pack`, on `batch` real and as many generated samples.
pub fn gan_flops(z: usize, h: usize, x: usize, pack: usize, batch: usize) -> f64 {
    let (z, h, x, p, n) = (z as f64, h as f64, x as f64, pack as f64, batch as f64);
    let g = n * (z * h + h * h + h * x); // the generator on the batch's noise
    let d = |rows: f64| rows * (p * x * h + h * h + h); // the discriminator on packed rows
    // D step: D on real and fake rows. G step: G again (its backward) and D on the fakes.
    3.0 * 2.0 * (g + d(2.0 * n / p) + d(n / p))
}

/// The best f32 matrix-product speed this device reaches, in GFLOP/s: the median of five
/// products of two 1024 × 1024 matrices, through dfdx's `matmul` (so with the same
/// library and threads as training).
pub fn matmul_peak_gflops<D: Device<f32>>(dev: &D) -> f64 {
    let n = 1024;
    let a: Tensor<(usize, usize), f32, D> = dev.sample_normal_like(&(n, n));
    let b: Tensor<(usize, usize), f32, D> = dev.sample_normal_like(&(n, n));
    let _ = a.clone().matmul(b.clone()).as_vec(); // warm up
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            let c = a.clone().matmul(b.clone());
            std::hint::black_box(c.as_vec()); // reading waits for the device
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    2.0 * (n * n * n) as f64 / times[2] / 1e9
}
