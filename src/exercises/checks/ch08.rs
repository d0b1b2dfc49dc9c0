//! Checks of chapter 8's exercises: the logic of `tests/exercises.rs`, callable on any
//! function with the exercise's signature (the notebooks' check cells call these).

#![allow(clippy::type_complexity)]

#[allow(unused_imports)]
use super::*;

fn naive_bce(z: f64, y: f64) -> f64 {
    let s = 1.0 / (1.0 + (-z).exp());
    -(y * s.ln() + (1.0 - y) * (1.0 - s).ln())
}

fn game_value(p_data: &[f64], p_g: &[f64], d: &[f64]) -> f64 {
    let term = |p: f64, q: f64| if p > 0.0 { p * q.ln() } else { 0.0 };
    (0..d.len())
        .map(|k| term(p_data[k], d[k]) + term(p_g[k], 1.0 - d[k]))
        .sum()
}

fn js(p: &[f64], q: &[f64]) -> f64 {
    let mut total = 0.0;
    for k in 0..p.len() {
        let m = 0.5 * (p[k] + q[k]);
        if p[k] > 0.0 {
            total += 0.5 * p[k] * (p[k] / m).ln();
        }
        if q[k] > 0.0 {
            total += 0.5 * q[k] * (q[k] / m).ln();
        }
    }
    total
}

fn random_distribution(rng: &mut StdRng, k: usize) -> Vec<f64> {
    let raw: Vec<f64> = (0..k).map(|_| rng.gen_range(0.05..1.0)).collect();
    let sum: f64 = raw.iter().sum();
    raw.iter().map(|r| r / sum).collect()
}

/// The checks of `tests/exercises.rs::ch08::exercise_8_1_bce_with_logits_by_hand`, on the given `mean_bce_with_logits`.
pub fn exercise_8_1_bce_with_logits_by_hand(
    mean_bce_with_logits: impl Fn(&[f64], &[f64]) -> (f64, Vec<f64>),
) {
    let ln2 = 2f64.ln();
    // sigmoid(0) = 1/2 and sigmoid(ln 3) = 3/4.
    let cases = [
        (0.0, 1.0, ln2),
        (0.0, 0.0, ln2),
        (3f64.ln(), 1.0, (4.0f64 / 3.0).ln()),
        (3f64.ln(), 0.0, 4f64.ln()),
        (0.0, 0.5, ln2),
    ];
    for (z, y, want) in cases {
        let (loss, grad) = mean_bce_with_logits(&[z], &[y]);
        assert!(
            close(loss, want, 1e-12),
            "Exercise 8.1: BCE(z = {z}, y = {y}) is {want}, got {loss}"
        );
        assert_eq!(grad.len(), 1, "Exercise 8.1: one gradient entry per logit");
    }
    // The loss is the mean over the batch, not the sum.
    let (loss, _) = mean_bce_with_logits(&[0.0, 3f64.ln()], &[1.0, 0.0]);
    assert!(
        close(loss, (ln2 + 4f64.ln()) / 2.0, 1e-12),
        "Exercise 8.1: the loss of a batch is the mean of its examples' losses, got {loss}"
    );
}

/// The checks of `tests/exercises.rs::ch08::exercise_8_1_bce_with_logits_is_stable_for_large_logits`, on the given `mean_bce_with_logits`.
pub fn exercise_8_1_bce_with_logits_is_stable_for_large_logits(
    mean_bce_with_logits: impl Fn(&[f64], &[f64]) -> (f64, Vec<f64>),
) {
    // A confident discriminator: logits of ±800, where e^800 overflows an f64.
    let cases = [
        (800.0, 1.0, 0.0),
        (-800.0, 0.0, 0.0),
        (800.0, 0.0, 800.0),
        (-800.0, 1.0, 800.0),
        (40.0, 1.0, (-40f64).exp()),
    ];
    for (z, y, want) in cases {
        let (loss, grad) = mean_bce_with_logits(&[z], &[y]);
        assert!(
            loss.is_finite() && grad[0].is_finite(),
            "Exercise 8.1: BCE(z = {z}, y = {y}) must be finite, got {loss} and gradient {}",
            grad[0]
        );
        assert!(
            (loss - want).abs() <= 1e-12 * want.max(1.0),
            "Exercise 8.1: BCE(z = {z}, y = {y}) is {want}, got {loss}"
        );
        let s = if z > 0.0 { 1.0 } else { 0.0 };
        assert!(
            (grad[0] - (s - y)).abs() < 1e-12,
            "Exercise 8.1: ∂L/∂z at z = {z}, y = {y} is sigmoid(z) − y = {}, got {}",
            s - y,
            grad[0]
        );
    }
}

/// The checks of `tests/exercises.rs::ch08::exercise_8_1_bce_with_logits_agrees_with_the_formula_and_its_gradient`, on the given `mean_bce_with_logits`.
pub fn exercise_8_1_bce_with_logits_agrees_with_the_formula_and_its_gradient(
    mean_bce_with_logits: impl Fn(&[f64], &[f64]) -> (f64, Vec<f64>),
) {
    let mut rng = StdRng::seed_from_u64(8);
    let n = 16;
    let z: Vec<f64> = (0..n).map(|_| rng.gen_range(-10.0..10.0)).collect();
    let y: Vec<f64> = (0..n)
        .map(|i| {
            if i % 3 == 2 {
                rng.r#gen::<f64>()
            } else {
                (i % 2) as f64
            }
        })
        .collect();
    let (loss, grad) = mean_bce_with_logits(&z, &y);
    let want = z
        .iter()
        .zip(&y)
        .map(|(&z, &y)| naive_bce(z, y))
        .sum::<f64>()
        / n as f64;
    assert!(
        close(loss, want, 1e-10),
        "Exercise 8.1: mean BCE {want}, got {loss}"
    );
    assert_eq!(grad.len(), n, "Exercise 8.1: one gradient entry per logit");
    let delta = 1e-6;
    for i in 0..n {
        let moved = |d: f64| {
            let mut z2 = z.clone();
            z2[i] += d;
            mean_bce_with_logits(&z2, &y).0
        };
        let numeric = (moved(delta) - moved(-delta)) / (2.0 * delta);
        let sigmoid = 1.0 / (1.0 + (-z[i]).exp());
        assert!(
            (grad[i] - numeric).abs() < 1e-8,
            "Exercise 8.1: ∂L/∂z{i} is {numeric} by finite differences, got {}",
            grad[i]
        );
        assert!(
            (grad[i] - (sigmoid - y[i]) / n as f64).abs() < 1e-12,
            "Exercise 8.1: ∂L/∂z{i} = (sigmoid(z) − y)/n"
        );
    }
}

/// The checks of `tests/exercises.rs::ch08::exercise_8_2_optimal_discriminator_by_hand`, on the given `optimal_discriminator`.
pub fn exercise_8_2_optimal_discriminator_by_hand(
    optimal_discriminator: impl Fn(&[f64], &[f64]) -> Vec<f64>,
) {
    let p_data = [0.5, 0.25, 0.25, 0.0, 0.0];
    let p_g = [0.25, 0.25, 0.0, 0.5, 0.0];
    let d = optimal_discriminator(&p_data, &p_g);
    let want = [2.0 / 3.0, 0.5, 1.0, 0.0, 0.5];
    assert_eq!(d.len(), want.len(), "Exercise 8.2: one D*(x) per point");
    for k in 0..want.len() {
        assert!(
            (d[k] - want[k]).abs() < 1e-12,
            "Exercise 8.2: D*(x{k}) with p_data = {}, p_g = {} is {}, got {}",
            p_data[k],
            p_g[k],
            want[k],
            d[k]
        );
    }
    // A perfect generator: the best discriminator can only say ½.
    let same = [0.1, 0.2, 0.3, 0.4];
    assert!(
        optimal_discriminator(&same, &same)
            .iter()
            .all(|&d| (d - 0.5).abs() < 1e-15),
        "Exercise 8.2: when p_g = p_data, D* = ½ everywhere"
    );
}

/// The checks of `tests/exercises.rs::ch08::exercise_8_2_no_discriminator_beats_d_star_and_its_value_is_minus_ln4_plus_2js`, on the given `optimal_discriminator`.
pub fn exercise_8_2_no_discriminator_beats_d_star_and_its_value_is_minus_ln4_plus_2js(
    optimal_discriminator: impl Fn(&[f64], &[f64]) -> Vec<f64>,
) {
    let mut rng = StdRng::seed_from_u64(82);
    for _ in 0..20 {
        let (p_data, p_g) = (
            random_distribution(&mut rng, 6),
            random_distribution(&mut rng, 6),
        );
        let d = optimal_discriminator(&p_data, &p_g);
        let best = game_value(&p_data, &p_g, &d);
        for k in 0..d.len() {
            for step in [-0.01, 0.01] {
                let mut other = d.clone();
                other[k] = (other[k] + step).clamp(1e-9, 1.0 - 1e-9);
                assert!(
                    game_value(&p_data, &p_g, &other) < best,
                    "Exercise 8.2: moving D(x{k}) by {step} raised J(D, G): D* is not optimal"
                );
            }
        }
        let want = -(4f64.ln()) + 2.0 * js(&p_data, &p_g);
        assert!(
            (best - want).abs() < 1e-12,
            "Exercise 8.2: J(D*, G) = −ln 4 + 2·JS = {want}, got {best}"
        );
    }
}

/// The checks of `tests/exercises.rs::ch08::exercise_8_3_js_divergence`, on the given `js_divergence`.
pub fn exercise_8_3_js_divergence(js_divergence: impl Fn(&[f64], &[f64]) -> f64) {
    let ln2 = 2f64.ln();
    assert!(
        (js_divergence(&[1.0, 0.0], &[0.5, 0.5]) - 0.75 * (4.0f64 / 3.0).ln()).abs() < 1e-12,
        "Exercise 8.3: JS((1, 0) ‖ (½, ½)) = ¾ ln(4/3)"
    );
    assert!(
        (js_divergence(&[0.5, 0.5, 0.0, 0.0], &[0.0, 0.0, 0.25, 0.75]) - ln2).abs() < 1e-12,
        "Exercise 8.3: distributions with no point in common have JS = ln 2"
    );
    let mut rng = StdRng::seed_from_u64(83);
    for _ in 0..20 {
        let (p, q) = (
            random_distribution(&mut rng, 7),
            random_distribution(&mut rng, 7),
        );
        let (pq, qp) = (js_divergence(&p, &q), js_divergence(&q, &p));
        assert!(
            (pq - qp).abs() < 1e-12,
            "Exercise 8.3: JS is symmetric, got {pq} and {qp}"
        );
        assert!(
            (pq - js(&p, &q)).abs() < 1e-12,
            "Exercise 8.3: JS(p ‖ q) is {}, got {pq}",
            js(&p, &q)
        );
        assert!(
            pq > 0.0 && pq < ln2,
            "Exercise 8.3: 0 < JS < ln 2 for two different distributions with the same support"
        );
        assert!(
            js_divergence(&p, &p).abs() < 1e-15,
            "Exercise 8.3: JS(p ‖ p) = 0"
        );
    }
}
