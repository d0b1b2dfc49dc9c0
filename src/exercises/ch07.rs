//! Exercises of chapter 7, *Attention and the Transformer* (`book/src/07-transformer.md`).
//!
//! Check them with `cargo test --features exercises --test exercises ch07`.

#[cfg(feature = "solutions")]
use super::solutions;

/// **Exercise 7.1 (attention by hand).** Causal scaled dot-product attention for one
/// sequence and one head, with plain vectors and loops, no dfdx: `q`, `k` and `v` hold
/// `t` rows of `d` numbers each (row-major, `t * d` numbers). Return the `t * d` outputs
/// yᵢ = Σ_{s ≤ i} a_{is} v_s with a_{is} = softmax over s ≤ i of q_i · k_s / √d.
/// Subtract each row's largest score before `exp`, as a softmax must, so large scores do
/// not overflow. The test compares your numbers with [`crate::gpt::attention`].
pub fn attention_by_hand(q: &[f32], k: &[f32], v: &[f32], t: usize, d: usize) -> Vec<f32> {
    exercise!(
        "Exercise 7.1: causal attention with loops",
        solutions::ch07::attention_by_hand(q, k, v, t, d)
    )
}

/// **Exercise 7.2 (sinusoidal positions).** The original Transformer (Vaswani et al.,
/// 2017) does not learn its position embeddings; it uses fixed waves. For position `p`
/// and column `j` of a `positions × c` table (`c` even):
///
/// PE(p, 2i) = sin(p / 10000^(2i/c)),   PE(p, 2i + 1) = cos(p / 10000^(2i/c)).
///
/// Return the table row-major (`positions * c` numbers). Low columns are fast waves, high
/// columns slow ones, so every position gets a distinct pattern, and PE(p + k) is a fixed
/// rotation of PE(p): the test checks both.
pub fn sinusoidal_positions(positions: usize, c: usize) -> Vec<f64> {
    exercise!(
        "Exercise 7.2: the sinusoidal position table",
        solutions::ch07::sinusoidal_positions(positions, c)
    )
}

/// **Exercise 7.3 (counting parameters).** How many trainable numbers does a
/// [`MiniGpt`](crate::gpt::MiniGpt) with vocabulary `v`, width `c`, MLP width `ff`, `l`
/// blocks and a context of `block` positions have? Count, from the chapter's description,
/// the two embedding tables, per block the two LayerNorms (a gain and a bias of `c` each),
/// the four attention matrices and the two MLP matrices (no biases), the final LayerNorm
/// and the head. (The number of heads does not matter: why?) The test compares your count
/// with the model's own tensors; for the book's `BookGpt` it is the chapter's parameter row.
pub fn gpt_parameters(v: usize, c: usize, ff: usize, l: usize, block: usize) -> usize {
    exercise!(
        "Exercise 7.3: the number of parameters of a MiniGpt",
        solutions::ch07::gpt_parameters(v, c, ff, l, block)
    )
}
