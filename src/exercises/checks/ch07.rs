//! Checks of chapter 7's exercises: the logic of `tests/exercises.rs`, callable on any
//! function with the exercise's signature (the notebooks' check cells call these).

#![allow(clippy::type_complexity)]

#[allow(unused_imports)]
use super::*;

/// The checks of `tests/exercises.rs::ch07::exercise_7_1_attention_by_hand_matches_the_library`, on the given `attention_by_hand`.
pub fn exercise_7_1_attention_by_hand_matches_the_library(
    attention_by_hand: impl Fn(&[f32], &[f32], &[f32], usize, usize) -> Vec<f32>,
) {
    let dev = Cpu::default();
    let mut rng = StdRng::seed_from_u64(71);
    let (t, d) = (6, 4);
    let mut rand_vec = || {
        (0..t * d)
            .map(|_| rng.gen_range(-2.0f32..2.0))
            .collect::<Vec<_>>()
    };
    let (q, k, v) = (rand_vec(), rand_vec(), rand_vec());
    let heads = |x: &Vec<f32>| dev.tensor_from_vec(x.clone(), (1, 1, t, d));
    let want = crate::gpt::attention(heads(&q), heads(&k), heads(&v)).as_vec();
    let got = attention_by_hand(&q, &k, &v, t, d);
    assert_eq!(got.len(), t * d, "Exercise 7.1: t·d outputs");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(
            (g - w).abs() < 1e-5,
            "Exercise 7.1: output {i}: {g}, expected {w}"
        );
    }
    // Position 0 reads only itself; huge scores must not overflow.
    assert_eq!(
        got[..d],
        v[..d],
        "Exercise 7.1: position 0 must return its own value"
    );
    let big: Vec<f32> = q.iter().map(|x| x * 1e4).collect();
    assert!(
        attention_by_hand(&big, &k, &v, t, d)
            .iter()
            .all(|x| x.is_finite()),
        "Exercise 7.1: subtract the largest score before exp"
    );
}

/// The checks of `tests/exercises.rs::ch07::exercise_7_2_sinusoidal_positions`, on the given `sinusoidal_positions`.
pub fn exercise_7_2_sinusoidal_positions(sinusoidal_positions: impl Fn(usize, usize) -> Vec<f64>) {
    let (n, c) = (50, 16);
    let pe = sinusoidal_positions(n, c);
    assert_eq!(pe.len(), n * c, "Exercise 7.2: positions × c numbers");
    for (j, value) in pe[..c].iter().enumerate() {
        let want = if j % 2 == 0 { 0.0 } else { 1.0 };
        assert!(
            (value - want).abs() < 1e-12,
            "Exercise 7.2: PE(0, {j}) is {want}"
        );
    }
    let at = |p: usize, j: usize| pe[p * c + j];
    assert!(
        (at(3, 0) - 3f64.sin()).abs() < 1e-12,
        "Exercise 7.2: column 0 is sin(p)"
    );
    let slow = 1.0 / 10_000f64.powf(14.0 / 16.0);
    assert!(
        (at(7, 15) - (7.0 * slow).cos()).abs() < 1e-12,
        "Exercise 7.2: PE(7, 15)"
    );
    // PE(p + k) is a rotation of PE(p), pair by pair, by angle k·ωᵢ.
    let k = 5;
    for i in 0..c / 2 {
        let w = 1.0 / 10_000f64.powf(2.0 * i as f64 / c as f64);
        let (s, co) = ((k as f64 * w).sin(), (k as f64 * w).cos());
        for p in [0, 11, 30] {
            let rotated = at(p, 2 * i) * co + at(p, 2 * i + 1) * s;
            assert!(
                (rotated - at(p + k, 2 * i)).abs() < 1e-9,
                "Exercise 7.2: PE(p + k) is a rotation of PE(p)"
            );
        }
    }
    // Every position is different from every other.
    for p in 0..n {
        for r in 0..p {
            let gap: f64 = (0..c).map(|j| (at(p, j) - at(r, j)).powi(2)).sum();
            assert!(
                gap > 1e-6,
                "Exercise 7.2: positions {r} and {p} look the same"
            );
        }
    }
}

/// The checks of `tests/exercises.rs::ch07::exercise_7_3_parameter_count_matches_the_model`, on the given `gpt_parameters`.
pub fn exercise_7_3_parameter_count_matches_the_model(
    gpt_parameters: impl Fn(usize, usize, usize, usize, usize) -> usize,
) {
    use crate::gpt::{BookGpt, MiniGpt};
    use crate::params::parameters;
    let dev = Cpu::default();
    let count = |p: Vec<Vec<f32>>| p.iter().map(Vec::len).sum::<usize>();
    let book = BookGpt::<Cpu>::new(&dev, 128, 0);
    assert_eq!(
        gpt_parameters(128, 128, 512, 4, 64),
        count(parameters(&book)),
        "Exercise 7.3: the book's GPT"
    );
    let small = MiniGpt::<16, 40, 2, 3, 10, f32, Cpu>::new(&dev, 30, 0);
    assert_eq!(
        gpt_parameters(30, 16, 40, 3, 10),
        count(parameters(&small)),
        "Exercise 7.3: a small GPT (vocabulary 30, width 16, MLP 40, 3 blocks, context 10)"
    );
    let one_head = MiniGpt::<16, 40, 1, 3, 10, f32, Cpu>::new(&dev, 30, 0);
    assert_eq!(count(parameters(&one_head)), count(parameters(&small)));
}
