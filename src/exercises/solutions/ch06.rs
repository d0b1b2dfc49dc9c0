//! Solutions of chapter 6's exercises.

use std::collections::HashSet;

use dfdx::prelude::*;

use crate::lstm::{LstmCell, Rows};

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
    let gates = x_proj + cell.hh.forward(h);
    let (gates, tape) = gates.split_tape();
    // As in `step`: the tape goes on before slicing, so the slice is recorded.
    let gate = |k: usize, tape: T| {
        let part = gates.clone().put_tape(tape).slice((.., k * H..(k + 1) * H));
        part.try_realize::<(usize, Const<H>)>()
            .unwrap_or_else(|_| unreachable!("a slice of {H} columns has {H} columns"))
    };
    let i = gate(0, tape).sigmoid();
    // Gate 1, the forget gate, is not computed: fₜ = 1.
    let g = gate(2, T::default()).tanh();
    let o = gate(3, T::default()).sigmoid();
    let c = c + mul(i, g); // cₜ = cₜ₋₁ + iₜ ⊙ gₜ
    let (c, tape) = c.split_tape();
    let h = mul(o, c.clone().put_tape(tape).tanh());
    (h, c.retaped::<T>())
}

pub fn perplexity_and_bits(loss_nats: f64) -> (f64, f64) {
    (loss_nats.exp(), loss_nats / std::f64::consts::LN_2)
}

pub fn nucleus_probabilities(logits: &[f32], temperature: f32, top_p: f32) -> Vec<f32> {
    let z: Vec<f32> = logits.iter().map(|z| z / temperature).collect();
    let max = z.iter().copied().fold(f32::MIN, f32::max);
    let e: Vec<f32> = z.iter().map(|z| (z - max).exp()).collect();
    let total: f32 = e.iter().sum();
    let p: Vec<f32> = e.iter().map(|x| x / total).collect();
    // Most likely first; a stable sort keeps the lower index first among equals.
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let mut kept = vec![false; p.len()];
    let mut mass = 0.0;
    for &i in &order {
        kept[i] = true;
        mass += p[i];
        if mass >= top_p {
            break;
        }
    }
    p.iter()
        .zip(&kept)
        .map(|(pi, k)| if *k { pi / mass } else { 0.0 })
        .collect()
}

pub fn distinct_ngrams(text: &str, n: usize) -> (usize, usize) {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() < n {
        return (0, 0);
    }
    let grams: HashSet<&[char]> = chars.windows(n).collect();
    (grams.len(), chars.len() + 1 - n)
}
