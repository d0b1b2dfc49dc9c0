//! Checks of chapter 9's exercises: the logic of `tests/exercises.rs`, callable on any
//! function with the exercise's signature (the notebooks' check cells call these).

#![allow(clippy::type_complexity)]

#[allow(unused_imports)]
use super::*;

/// The checks of `tests/exercises.rs::ch09::exercise_9_1_pairwise_sum`, on the given `pairwise_sum`.
pub fn exercise_9_1_pairwise_sum(pairwise_sum: impl Fn(&[f32]) -> f32) {
    assert_eq!(pairwise_sum(&[]), 0.0);
    assert_eq!(pairwise_sum(&[2.5]), 2.5);
    assert_eq!(pairwise_sum(&[1.0, 2.0, 3.0, 4.0, 5.0]), 15.0);
    // In f32, 1e8 + 1 rounds to 1e8. Left to right gives 1; in halves, 0.
    let xs = [1e8f32, 1.0, -1e8, 1.0];
    assert_eq!(xs.iter().fold(0.0f32, |s, x| s + x), 1.0);
    assert_eq!(pairwise_sum(&xs), 0.0);
    // Three numbers split as [a] + [b, c]: 1 + (1e8 − 1e8) = 1, where (1 + 1e8) − 1e8 = 0.
    assert_eq!(pairwise_sum(&[1.0, 1e8, -1e8]), 1.0);
    // On many numbers the tree is more accurate than the loop.
    let mut rng = StdRng::seed_from_u64(9);
    let xs: Vec<f32> = (0..10_000).map(|_| rng.r#gen::<f32>()).collect();
    let exact: f64 = xs.iter().map(|&x| x as f64).sum();
    let looped = xs.iter().fold(0.0f32, |s, x| s + x) as f64;
    let tree = pairwise_sum(&xs) as f64;
    let (e_loop, e_tree) = ((looped - exact).abs() / exact, (tree - exact).abs() / exact);
    assert!(
        e_tree < 1e-6 && e_tree < e_loop,
        "tree error {e_tree:e}, loop error {e_loop:e}"
    );
}
