//! Exercises of chapter 6, *LSTM text generation* (`book/src/06-lstm.md`).
//!
//! Check them with `cargo test --features exercises --test exercises ch06`.

use dfdx::prelude::*;

#[cfg(feature = "solutions")]
use super::solutions;
use crate::lstm::{LstmCell, Rows};

/// **Exercise 6.1 (no forget gate).** One time step of `cell` with the forget gate removed,
/// that is, fₜ = 1 for every unit:
///
/// cₜ = cₜ₋₁ + iₜ ⊙ gₜ,   hₜ = oₜ ⊙ tanh(cₜ),
///
/// with iₜ, gₜ and oₜ as in the chapter. `x_proj` is W_ih xₜ + b_ih for all four gates
/// (`cell.ih.forward(x)`, as `forward_seq` hoists it), one row per sequence, in PyTorch's
/// gate order i, f, g, o; `cell.hh` adds W_hh hₜ₋₁ + b_hh. The forget gate's columns are
/// simply not used. Return `(hₜ, cₜ)`, like the chapter's `step` (in `src/lstm/mod.rs`),
/// whose signature this one copies, so that your function can replace it in
/// `forward_seq`. Mind where the tapes go: the test also checks the gradients with
/// respect to the cell's weights.
pub fn step_without_forget_gate<
    const E: usize,
    const H: usize,
    const G: usize,
    F: Dtype,
    D: Device<F>,
    T: Tape<F, D>,
>(
    cell: &LstmCell<E, H, G, F, D>,
    x_proj: Tensor<(usize, Const<G>), F, D, T>,
    h: Rows<H, F, D, T>,
    c: Rows<H, F, D, T>,
) -> (Rows<H, F, D, T>, Rows<H, F, D, T>) {
    exercise!(
        "Exercise 6.1: an LSTM step without the forget gate, cₜ = cₜ₋₁ + iₜ ⊙ gₜ",
        solutions::ch06::step_without_forget_gate(cell, x_proj, h, c)
    )
}

/// **Exercise 6.2 (perplexity and bits).** Turn a cross-entropy `loss_nats`, in nats per
/// character (natural logarithm, as `next_char_loss` and the chapter's table report it),
/// into the two numbers other papers report instead: the **perplexity** e^L (the number of
/// equally likely characters the model is, on average, as unsure as) and the
/// **bits per character** (the same loss with log base 2). Return
/// `(perplexity, bits_per_char)`. What are they for the uniform guess ln V?
pub fn perplexity_and_bits(loss_nats: f64) -> (f64, f64) {
    exercise!(
        "Exercise 6.2: perplexity e^L and bits per character from a loss in nats",
        solutions::ch06::perplexity_and_bits(loss_nats)
    )
}

/// **Exercise 6.4 (nucleus sampling).** The probabilities of *top-p* (nucleus) sampling:
/// apply the temperature as [`probabilities`](crate::sample::probabilities) does,
/// pᵢ ∝ exp(zᵢ/τ), over all of `logits`. Then keep the smallest set of most likely
/// characters whose probabilities add up to at least `top_p` (0 < `top_p` ≤ 1; always at
/// least one character; of equal probabilities the one with the lower index comes
/// first), set the others to 0, and renormalise the kept ones so they sum to 1.
/// Unlike top-k, the number of candidates adapts: few when the model is sure, many when
/// it is not.
pub fn nucleus_probabilities(logits: &[f32], temperature: f32, top_p: f32) -> Vec<f32> {
    exercise!(
        "Exercise 6.4: top-p (nucleus) sampling probabilities",
        solutions::ch06::nucleus_probabilities(logits, temperature, top_p)
    )
}

/// **Exercise 6.5 (repetition).** Count the character n-grams of `text`: every run of `n`
/// consecutive `char`s (not bytes: 猫 is one character), overlapping, newlines included.
/// Return `(distinct, total)`: how many different n-grams occur, and how many there are
/// (`total` is 0 when the text has fewer than `n` characters; `n` ≥ 1).
/// `distinct / total`, the *distinct-n* score, is low for repetitive generated text.
pub fn distinct_ngrams(text: &str, n: usize) -> (usize, usize) {
    exercise!(
        "Exercise 6.5: distinct and total character n-grams of a text",
        solutions::ch06::distinct_ngrams(text, n)
    )
}
