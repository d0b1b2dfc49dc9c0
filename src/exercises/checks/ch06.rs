//! Checks of chapter 6's exercises: the logic of `tests/exercises.rs`, callable on any
//! function with the exercise's signature (the notebooks' check cells call these).

#![allow(clippy::type_complexity)]

#[allow(unused_imports)]
use super::*;
use crate::data::{Vocab, corpus};
use crate::lm::next_token_loss;
use crate::lstm::CharLstm;
use crate::sample::{Sampling, probabilities};

fn assert_probs(got: &[f32], want: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: {got:?}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() < 1e-6,
            "{what}: p[{i}] = {g}, want {w} (all: {got:?})"
        );
    }
}

/// The checks of `tests/exercises.rs::ch06::exercise_6_2_perplexity_and_bits_per_character`, on the given `perplexity_and_bits`.
pub fn exercise_6_2_perplexity_and_bits_per_character(
    perplexity_and_bits: impl Fn(f64) -> (f64, f64),
) {
    let check = |loss: f64, ppl: f64, bits: f64| {
        let (p, b) = perplexity_and_bits(loss);
        assert!(
            close(p, ppl, 1e-12),
            "loss {loss}: perplexity {p}, want {ppl}"
        );
        assert!(
            close(b, bits, 1e-12),
            "loss {loss}: {b} bits/char, want {bits}"
        );
    };
    check(0.0, 1.0, 0.0); // always right
    check(2f64.ln(), 2.0, 1.0); // a fair coin per character
    check(90f64.ln(), 90.0, 90f64.log2()); // the uniform guess over the corpus's 90 chars
    // The true characters got probabilities 1/2, 1/4, 1/8: 1, 2 and 3 bits, 2 on average.
    let loss = -[0.5f64, 0.25, 0.125].iter().map(|p| p.ln()).sum::<f64>() / 3.0;
    check(loss, 4.0, 2.0);
    // The chapter's trained model: 0.400 nats/char.
    check(0.4, 0.4f64.exp(), 0.4 / 2f64.ln());
    // A model with a zero output layer guesses uniformly: its perplexity is V = 7.
    let dev = Cpu::seed_from_u64(0);
    let mut model = CharLstm::<3, 4, 16, f64, Cpu>::new(&dev, 7, 0);
    model.head.weight = dev.zeros_like(&(7, Const));
    model.head.bias = Some(dev.zeros_like(&(7,)));
    let ids = dev.tensor_from_vec(vec![1, 2, 3, 4, 5, 6], (3, 2));
    let targets = dev.tensor_from_vec(vec![2, 3, 4, 5, 6, 0], (6,));
    let logits = model.forward(ids, None).0.reshape_like(&(6, 7));
    let loss = next_token_loss(logits, targets).array();
    check(loss, 7.0, 7f64.log2());
}

/// The checks of `tests/exercises.rs::ch06::exercise_6_4_nucleus_probabilities`, on the given `nucleus_probabilities`.
pub fn exercise_6_4_nucleus_probabilities(
    nucleus_probabilities: impl Fn(&[f32], f32, f32) -> Vec<f32>,
) {
    // Probabilities 0.1, 0.5, 0.25, 0.15 at τ = 1, not in sorted order.
    let logits: Vec<f32> = [0.1f32, 0.5, 0.25, 0.15].iter().map(|p| p.ln()).collect();
    let cases: [(f32, f32, [f32; 4]); 9] = [
        (1.0, 1e-6, [0.0, 1.0, 0.0, 0.0]), // always at least one character
        (1.0, 0.3, [0.0, 1.0, 0.0, 0.0]),
        (1.0, 0.6, [0.0, 2.0 / 3.0, 1.0 / 3.0, 0.0]), // 0.5 < 0.6 ≤ 0.5 + 0.25
        (1.0, 0.8, [0.0, 5.0 / 9.0, 2.5 / 9.0, 1.5 / 9.0]),
        (1.0, 0.95, [0.1, 0.5, 0.25, 0.15]),
        (1.0, 1.0, [0.1, 0.5, 0.25, 0.15]),
        // τ = 1/2 squares the probabilities first: 0.01, 0.25, 0.0625, 0.0225 (÷ 0.345).
        (0.5, 0.6, [0.0, 1.0, 0.0, 0.0]),
        (0.5, 0.8, [0.0, 0.8, 0.2, 0.0]),
        // τ = 2 takes square roots: √0.5 / (√0.5 + √0.25) = 2 − √2.
        (2.0, 0.6, [0.0, 2.0 - 2f32.sqrt(), 2f32.sqrt() - 1.0, 0.0]),
    ];
    for (tau, p, want) in cases {
        let got = nucleus_probabilities(&logits, tau, p);
        assert_probs(&got, &want, &format!("τ = {tau}, top-p = {p}"));
    }
    // Ties: the lower index comes first.
    let tied = [1.0f32, 0.0, 1.0];
    assert_probs(
        &nucleus_probabilities(&tied, 1.0, 0.4),
        &[1.0, 0.0, 0.0],
        "tie, p = 0.4",
    );
    assert_probs(
        &nucleus_probabilities(&tied, 1.0, 0.5),
        &[0.5, 0.0, 0.5],
        "tie, p = 0.5",
    );
    // Exactly on the boundary: 1/2 already reaches top-p = 1/2, and so do 1/4 + 1/4.
    assert_probs(
        &nucleus_probabilities(&[0.0, 0.0], 1.0, 0.5),
        &[1.0, 0.0],
        "½, ½",
    );
    let quarters = nucleus_probabilities(&[0.0; 4], 1.0, 0.5);
    assert_probs(&quarters, &[0.5, 0.5, 0.0, 0.0], "four quarters, p = 0.5");
    // Large logits must not overflow.
    let big = nucleus_probabilities(&[1000.0, 999.0, 990.0], 1.0, 0.99);
    let e = (-1f32).exp();
    assert_probs(
        &big,
        &[1.0 / (1.0 + e), e / (1.0 + e), 0.0],
        "logits near 1000",
    );
    // With top-p = 1 it is plain temperature sampling.
    let mut rng = StdRng::seed_from_u64(64);
    let z: Vec<f32> = (0..50).map(|_| rng.gen_range(-3.0..3.0)).collect();
    for tau in [0.5, 1.0, 1.5] {
        let plain = probabilities(&z, &Sampling::at(tau));
        assert_probs(
            &nucleus_probabilities(&z, tau, 1.0),
            &plain,
            &format!("τ = {tau}, p = 1"),
        );
    }
}

/// The checks of `tests/exercises.rs::ch06::exercise_6_5_distinct_ngrams`, on the given `distinct_ngrams`.
pub fn exercise_6_5_distinct_ngrams(distinct_ngrams: impl Fn(&str, usize) -> (usize, usize)) {
    assert_eq!(distinct_ngrams("abab", 1), (2, 4));
    assert_eq!(distinct_ngrams("abab", 2), (2, 3)); // ab, ba, ab
    assert_eq!(distinct_ngrams("aaaa", 2), (1, 3));
    assert_eq!(distinct_ngrams("ab", 3), (0, 0));
    assert_eq!(distinct_ngrams("", 1), (0, 0));
    // Characters, not bytes: 猫 is three bytes in UTF-8 but one character.
    assert_eq!(distinct_ngrams("猫猫猫猫", 2), (1, 3));
    assert_eq!(distinct_ngrams("猫喜欢鱼。", 2), (4, 4));
    assert_eq!(distinct_ngrams("猫喜欢鱼。\n猫喜欢鱼。", 5), (6, 7));
    // One sentence over and over: 16 characters, so only 16 different 4-grams.
    let looped = "The cat sleeps.\n".repeat(10);
    assert_eq!(distinct_ngrams(&looped, 4), (16, 157));
    // The distinct 1-grams of the corpus are its vocabulary.
    let vocab = Vocab::from_text(corpus::ANIMALS);
    let n_chars = corpus::ANIMALS.chars().count();
    assert_eq!(distinct_ngrams(corpus::ANIMALS, 1), (vocab.len(), n_chars));
    // The varied corpus repeats itself far less than the looped sentence.
    let (d, t) = distinct_ngrams(corpus::ANIMALS, 4);
    assert_eq!(t, n_chars - 3);
    assert!(d > 1000 && d < t, "{d} distinct of {t}");
}
