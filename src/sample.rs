//! Turning a model's scores into text: temperature, top-k, and greedy decoding.
//!
//! A language model outputs one logit zᵢ per character. Dividing by a *temperature* τ
//! before the softmax, pᵢ = exp(zᵢ/τ) / Σⱼ exp(zⱼ/τ), sharpens the distribution (τ < 1:
//! safer, more repetitive text) or flattens it (τ > 1: more surprising, more mistakes).
//! τ = 0 is the limit: always the most likely character (*greedy* decoding, the argmax).
//! *Top-k* keeps only the k most likely characters before sampling.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{AigcError, Result};

/// How to pick the next character.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sampling {
    /// τ ≥ 0; 1 samples from the model's own distribution, 0 always takes the most
    /// likely character.
    pub temperature: f32,
    /// Keep only the k most likely characters (`None`: all).
    pub top_k: Option<usize>,
    /// Read a line break before the prompt, so that the prompt begins a line as sentences
    /// do in the training text (`true` unless the prompt continues a line).
    pub from_line_start: bool,
}

impl Default for Sampling {
    fn default() -> Self {
        Sampling {
            temperature: 0.8,
            top_k: None,
            from_line_start: true,
        }
    }
}

impl Sampling {
    /// Sampling at temperature `t`, otherwise the defaults.
    pub fn at(temperature: f32) -> Self {
        Sampling {
            temperature,
            ..Sampling::default()
        }
    }

    /// Rejects τ < 0 (or not a number) and k = 0.
    ///
    /// ```
    /// use aigc::sample::Sampling;
    /// assert!(Sampling::at(-1.0).validate().is_err());
    /// assert!(Sampling::at(0.0).validate().is_ok()); // greedy
    /// assert!(Sampling { top_k: Some(0), ..Sampling::default() }.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        if !(self.temperature.is_finite() && self.temperature >= 0.0) {
            return Err(AigcError::InvalidHyperParameter {
                name: "temperature",
                message: format!(
                    "must be zero (greedy: always the most likely character) or a positive \
                     number, got {}",
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

/// The index of the largest logit (the first one, on a tie): greedy decoding.
///
/// ```
/// assert_eq!(aigc::sample::argmax(&[0.1, 2.0, -1.0, 2.0]), 1);
/// ```
pub fn argmax(logits: &[f32]) -> usize {
    let mut best = 0;
    for (i, z) in logits.iter().enumerate() {
        if *z > logits[best] {
            best = i;
        }
    }
    best
}

/// The probabilities after temperature and top-k (τ > 0).
///
/// ```
/// use aigc::sample::{probabilities, Sampling};
/// let how = Sampling { temperature: 1.0, top_k: Some(2), ..Sampling::default() };
/// let p = probabilities(&[2.0, 1.0, 0.0], &how);
/// assert_eq!(p[2], 0.0);
/// assert!((p[0] + p[1] - 1.0).abs() < 1e-6 && p[0] > p[1]);
/// ```
// ANCHOR: sample
pub fn probabilities(logits: &[f32], how: &Sampling) -> Vec<f32> {
    let n = logits.len();
    let z: Vec<f32> = logits.iter().map(|z| z / how.temperature).collect();
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

/// The next character's index: the argmax at τ = 0, else a draw from
/// [`probabilities`].
pub fn sample(logits: &[f32], how: &Sampling, rng: &mut impl Rng) -> usize {
    if how.temperature == 0.0 {
        return argmax(logits); // greedy: no randomness at all
    }
    let p = probabilities(logits, how);
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
