//! Turning a model's scores into text: temperature and top-k sampling.
//!
//! A language model outputs one logit zᵢ per character. Dividing by a *temperature* τ
//! before the softmax, pᵢ = exp(zᵢ/τ) / Σⱼ exp(zⱼ/τ), sharpens the distribution (τ < 1:
//! safer, more repetitive text) or flattens it (τ > 1: more surprising, more mistakes).
//! *Top-k* keeps only the k most likely characters before sampling.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{AigcError, Result};

/// How to pick the next character.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sampling {
    /// τ > 0; 1 samples from the model's own distribution.
    pub temperature: f32,
    /// Keep only the k most likely characters (`None`: all).
    pub top_k: Option<usize>,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling {
            temperature: 0.8,
            top_k: None,
        }
    }
}

impl Sampling {
    /// Rejects τ ≤ 0 (or not a number) and k = 0.
    ///
    /// ```
    /// use aigc::sample::Sampling;
    /// assert!(Sampling { temperature: 0.0, top_k: None }.validate().is_err());
    /// assert!(Sampling { temperature: 1.0, top_k: Some(0) }.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        if !(self.temperature.is_finite() && self.temperature > 0.0) {
            return Err(AigcError::InvalidHyperParameter {
                name: "temperature",
                message: format!(
                    "must be a positive number, got {}; use a small value such as 0.1 for \
                     nearly greedy text",
                    self.temperature
                ),
            });
        }
        if self.top_k == Some(0) {
            return Err(AigcError::InvalidHyperParameter {
                name: "top-k",
                message: "must be at least 1, got 0 (leave it out to sample from all)".into(),
            });
        }
        Ok(())
    }
}

/// The probabilities after temperature and top-k, over the first `n` logits (the real
/// vocabulary; a model may have spare output slots beyond it).
///
/// ```
/// use aigc::sample::{probabilities, Sampling};
/// let p = probabilities(&[2.0, 1.0, 0.0], 3, &Sampling { temperature: 1.0, top_k: Some(2) });
/// assert_eq!(p[2], 0.0);
/// assert!((p[0] + p[1] - 1.0).abs() < 1e-6 && p[0] > p[1]);
/// ```
// ANCHOR: sample
pub fn probabilities(logits: &[f32], n: usize, how: &Sampling) -> Vec<f32> {
    let z: Vec<f32> = logits[..n].iter().map(|z| z / how.temperature).collect();
    let mut keep = vec![true; n];
    if let Some(k) = how.top_k.filter(|&k| k < n) {
        let mut sorted = z.clone();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let threshold = sorted[k - 1];
        let mut kept = 0;
        for (i, zi) in z.iter().enumerate() {
            keep[i] = *zi >= threshold && kept < k; // ties: the first k win
            kept += keep[i] as usize;
        }
    }
    let max = z
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(z, _)| *z)
        .fold(f32::MIN, f32::max);
    let e: Vec<f32> = z
        .iter()
        .zip(&keep)
        .map(|(z, k)| if *k { (z - max).exp() } else { 0.0 })
        .collect();
    let total: f32 = e.iter().sum();
    e.iter().map(|x| x / total).collect()
}

/// Draws one index from `probabilities(logits, n, how)`.
pub fn sample(logits: &[f32], n: usize, how: &Sampling, rng: &mut impl Rng) -> usize {
    let p = probabilities(logits, n, how);
    let mut u: f32 = rng.r#gen();
    for (i, pi) in p.iter().enumerate() {
        if u < *pi {
            return i;
        }
        u -= pi;
    }
    p.iter().rposition(|&x| x > 0.0).unwrap_or(0) // rounding left u just above the total
}
// ANCHOR_END: sample
