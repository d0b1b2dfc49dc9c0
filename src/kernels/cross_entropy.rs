//! Softmax and the mean next-token cross-entropy in one pass.

use dfdx::prelude::*;
use rayon::prelude::*;

use super::{cpu, cpu_grads, grad_of, grad_value, on_cpu};

/// The mean cross-entropy L = −(1/N) Σₙ log softmax(zₙ)[yₙ] of logits (N, V) against
/// `targets` (N ids): the number [`next_token_loss`](crate::lm::next_token_loss)
/// computes, and its gradient ∂L/∂zₙ = (softmax(zₙ) − onehot(yₙ)) / N.
///
/// On the CPU one pass per row finds its maximum, the softmax and the loss, and keeps the
/// softmax for the backward pass, which is then a single subtraction; elsewhere it is
/// `next_token_loss`.
///
/// ```
/// use aigc::dfdx::prelude::*;
/// let dev = Cpu::default();
/// let logits = dev.tensor_from_vec(vec![0.0f32; 6], (2, 3));
/// let loss = aigc::kernels::cross_entropy(logits, &[0, 2]);
/// assert!((loss.as_vec()[0] - 3f32.ln()).abs() < 1e-6);
/// ```
// ANCHOR: cross_entropy
pub fn cross_entropy<D: Device<f32>, T: Tape<f32, D>>(
    logits: Tensor<(usize, usize), f32, D, T>,
    targets: &[usize],
) -> Tensor<Rank0, f32, D, T> {
    if !on_cpu::<D>() {
        let dev = logits.device().clone();
        let targets = dev.tensor_from_vec(targets.to_vec(), (targets.len(),));
        return crate::lm::next_token_loss(logits, targets);
    }
    let (n, v) = *logits.shape();
    // Gradients are written in memory order: work on a contiguous tensor (a no-op when it is).
    let (logits, mut tape) = logits.reshape_like(&(n, v)).split_tape();
    assert_eq!(targets.len(), n, "one target per row of logits");
    let mut probs = logits.as_vec();
    let losses: Vec<f64> = probs
        .par_chunks_mut(v)
        .zip(targets.par_iter())
        .map(|(row, &y)| softmax_in_place(row, y))
        .collect();
    let mean = losses.iter().sum::<f64>() / n.max(1) as f64;
    let loss: Tensor<Rank0, f32, D> = logits.device().tensor(mean as f32);
    let (out, input, targets) = (loss.clone(), logits.clone(), targets.to_vec());
    tape.add_backward_op(move |grads| {
        let grads = cpu_grads(grads);
        let scale = grad_value(grads, cpu(&out))[0] / n.max(1) as f32;
        let g = grad_of(grads, cpu(&input));
        g.par_chunks_mut(v)
            .zip(probs.par_chunks(v))
            .zip(targets.par_iter())
            .for_each(|((g, p), &y)| {
                for (j, (g, p)) in g.iter_mut().zip(p).enumerate() {
                    *g += scale * (p - if j == y { 1.0 } else { 0.0 });
                }
            });
        Ok(())
    });
    loss.put_tape(tape)
}
// ANCHOR_END: cross_entropy

/// Turns a row of logits into its softmax, in place, and returns −log p(y).
fn softmax_in_place(row: &mut [f32], y: usize) -> f64 {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let z_y = row[y] - max;
    let mut sum = 0.0f32;
    for z in row.iter_mut() {
        *z = (*z - max).exp();
        sum += *z;
    }
    let log_p = z_y - sum.ln(); // log softmax, without forming a tiny probability first
    let inv = 1.0 / sum;
    row.iter_mut().for_each(|p| *p *= inv);
    -(log_p as f64)
}
