//! Solutions of chapter 8's exercises.

use crate::exercises::ch08::ModeCoverage;

pub fn mean_bce_with_logits(logits: &[f64], labels: &[f64]) -> (f64, Vec<f64>) {
    assert_eq!(logits.len(), labels.len(), "one label per logit");
    let n = logits.len().max(1) as f64;
    let sigmoid = |z: f64| {
        // Never e^(+large): for z < 0, e^z / (1 + e^z).
        if z >= 0.0 {
            1.0 / (1.0 + (-z).exp())
        } else {
            let e = z.exp();
            e / (1.0 + e)
        }
    };
    let mut loss = 0.0;
    let mut grad = Vec::with_capacity(logits.len());
    for (&z, &y) in logits.iter().zip(labels) {
        // −[y ln σ(z) + (1 − y) ln(1 − σ(z))] = max(z, 0) − z·y + ln(1 + e^(−|z|))
        loss += z.max(0.0) - z * y + (-z.abs()).exp().ln_1p();
        grad.push((sigmoid(z) - y) / n);
    }
    (loss / n, grad)
}

pub fn optimal_discriminator(p_data: &[f64], p_g: &[f64]) -> Vec<f64> {
    assert_eq!(p_data.len(), p_g.len(), "one probability of each per point");
    p_data
        .iter()
        .zip(p_g)
        .map(|(&pd, &pg)| if pd + pg > 0.0 { pd / (pd + pg) } else { 0.5 })
        .collect()
}

pub fn js_divergence(p: &[f64], q: &[f64]) -> f64 {
    assert_eq!(p.len(), q.len(), "two distributions on the same points");
    let kl_to_mid = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .filter(|&(&ak, _)| ak > 0.0)
            .map(|(&ak, &bk)| ak * (ak / ((ak + bk) / 2.0)).ln())
            .sum()
    };
    0.5 * kl_to_mid(p, q) + 0.5 * kl_to_mid(q, p)
}

pub fn mode_coverage(
    points: &[f64],
    centres: &[[f64; 2]],
    std: f64,
    min_per_mode: usize,
) -> ModeCoverage {
    let k = centres.len();
    let (mut hq, mut all) = (vec![0usize; k], vec![0usize; k]);
    for p in points.chunks_exact(2) {
        let mut best = (0, f64::INFINITY);
        for (i, c) in centres.iter().enumerate() {
            let d = ((p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2)).sqrt();
            if d < best.1 {
                best = (i, d);
            }
        }
        if k == 0 {
            continue;
        }
        all[best.0] += 1;
        if best.1 < 3.0 * std {
            hq[best.0] += 1;
        }
    }
    let n = points.len() / 2;
    let total = n.max(1) as f64;
    let kl_vs_uniform = all
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / total;
            p * (p * k as f64).ln()
        })
        .sum();
    ModeCoverage {
        modes_covered: hq.iter().filter(|&&c| c >= min_per_mode).count(),
        high_quality_fraction: hq.iter().sum::<usize>() as f64 / total,
        high_quality_per_mode: hq,
        kl_vs_uniform,
    }
}
