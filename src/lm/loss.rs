//! The loss every language model of the book minimises.

use dfdx::prelude::*;

/// Mean cross-entropy of the next tokens, in nats per token:
/// L = −(1/N) Σ log softmax(logits)[target], over all N positions of the batch.
///
/// `logits` has one row of V scores per position, (…, positions, V) flattened to
/// (N, V); `targets` the N ids that should have scored highest.
///
/// ```
/// use aigc::dfdx::prelude::*;
/// let dev = Cpu::default();
/// // Two positions, three tokens, every score equal: the loss is ln 3.
/// let logits = dev.tensor_from_vec(vec![0.0f32; 6], (2, 3));
/// let loss = aigc::lm::next_token_loss(logits, dev.tensor_from_vec(vec![0, 2], (2,)));
/// assert!((loss.as_vec()[0] - 3f32.ln()).abs() < 1e-6);
/// ```
// ANCHOR: loss
pub fn next_token_loss<F: Dtype, D: Device<F>, T: Tape<F, D>>(
    logits: Tensor<(usize, usize), F, D, T>,
    targets: Tensor<(usize,), usize, D>,
) -> Tensor<Rank0, F, D, T> {
    let log_probs = logits.log_softmax::<Axis<1>>(); // log p of every token, every position
    let of_targets = log_probs.select(targets); // log p(target) at every position
    of_targets.mean().negate()
}
// ANCHOR_END: loss
