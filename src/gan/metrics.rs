//! How to tell a good GAN from a collapsed one, in numbers.
//!
//! **Modes** (the VEEGAN and PacGAN convention): a generated point is *high quality* if it lies
//! within 3 standard deviations of its nearest mode centre; a mode is *covered* if at least
//! 20 of the 2,500 generated points are high-quality points of that mode.
//!
//! **Digits**: there is no Inception network for 8 × 8 digits, so a small classifier trained
//! on the real digits judges the generated ones: the class histogram, the fraction
//! classified with confidence above 0.9, and the Inception-Score-like
//! exp(E_x[KL(p(y|x) ‖ p(y))]), which is 1 for a collapsed generator and 10 when every class
//! is hit equally often and confidently.

use dfdx::nn::modules::Linear;
use dfdx::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::data::Mixture;
use crate::data::images::{Images, PIXELS};
use crate::optim::{AdamSettings, ClippedAdam};

/// Samples drawn for every evaluation of a 2-D GAN.
pub const EVAL_SAMPLES: usize = 2500;

/// High-quality samples a mode needs to count as covered.
pub const MIN_PER_MODE: usize = 20;

/// Mode coverage and sample quality of a set of generated 2-D points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModeMetrics {
    /// Modes with at least [`MIN_PER_MODE`] high-quality samples.
    pub modes_covered: usize,
    /// Modes of the mixture.
    pub n_modes: usize,
    /// Percentage of samples within 3 std of their nearest centre.
    pub high_quality_pct: f64,
    /// KL(p_gen ‖ uniform) of the nearest-mode histogram of all samples (0 = balanced).
    pub kl_vs_uniform: f64,
    /// High-quality samples per mode.
    pub hq_per_mode: Vec<usize>,
}

/// Measures `points` (row-major x, y pairs) against the mixture's modes.
///
/// ```
/// use aigc::data::Mixture;
/// let ring = Mixture::ring();
/// let on_centres: Vec<f32> = (0..2500).flat_map(|i| ring.centres[i % 8]).collect();
/// let m = aigc::gan::mode_metrics(&on_centres, &ring);
/// assert_eq!((m.modes_covered, m.high_quality_pct), (8, 100.0));
/// ```
// ANCHOR: mode_metrics
pub fn mode_metrics(points: &[f32], mixture: &Mixture) -> ModeMetrics {
    let k = mixture.centres.len();
    let (mut hq, mut all) = (vec![0usize; k], vec![0usize; k]);
    for p in points.chunks_exact(2) {
        let dist = |c: &[f32; 2]| ((p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2)).sqrt();
        let (nearest, d) = mixture
            .centres
            .iter()
            .map(dist)
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, f32::INFINITY));
        all[nearest] += 1;
        if d < 3.0 * mixture.std {
            hq[nearest] += 1; // a high-quality sample of mode `nearest`
        }
    }
    let n = (points.len() / 2).max(1) as f64;
    let kl = all
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| c as f64 / n * (c as f64 / n * k as f64).ln())
        .sum();
    ModeMetrics {
        modes_covered: hq.iter().filter(|&&c| c >= MIN_PER_MODE).count(),
        n_modes: k,
        high_quality_pct: 100.0 * hq.iter().sum::<usize>() as f64 / n,
        kl_vs_uniform: kl,
        hq_per_mode: hq,
    }
}
// ANCHOR_END: mode_metrics

/// The judge of generated digits: softmax regression on the 64 pixels (the same model as
/// the PyTorch reference's scikit-learn `LogisticRegression`, with its L2 penalty, C = 1).
#[derive(Debug, Clone)]
pub struct Classifier {
    /// Pixels → 10 class logits.
    pub linear: Linear<PIXELS, 10, f32, Cpu>,
    /// Accuracy on the held-out 20 % of the real digits.
    pub heldout_accuracy: f64,
}

/// Splits image indices 80/20 within every class (stratified), with a fixed seed.
pub fn stratified_split(labels: &[usize], seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for class in 0..10 {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        idx.shuffle(&mut rng);
        let n_test = (idx.len() as f64 * 0.2).round() as usize;
        test.extend_from_slice(&idx[..n_test]);
        train.extend_from_slice(&idx[n_test..]);
    }
    (train, test)
}

impl Classifier {
    /// Trains on a stratified 80 % of `images` (full-batch Adam, 600 steps, L2 penalty
    /// ½‖W‖² / n) and measures accuracy on the other 20 %.
    pub fn train(images: &Images) -> Classifier {
        let dev = Cpu::seed_from_u64(0);
        let (train, test) = stratified_split(&images.labels, 0);
        let gather = |idx: &[usize]| -> (Tensor<(usize, Const<PIXELS>), f32, Cpu>, Vec<usize>) {
            let px: Vec<f32> = idx.iter().flat_map(|&i| images.image(i).to_vec()).collect();
            let y = idx.iter().map(|&i| images.labels[i]).collect();
            (dev.tensor_from_vec(px, (idx.len(), Const)), y)
        };
        let (x, y) = gather(&train);
        let mut onehot = vec![0.0f32; y.len() * 10];
        for (i, &c) in y.iter().enumerate() {
            onehot[i * 10 + c] = 1.0;
        }
        let targets = dev.tensor_from_vec(onehot, (y.len(), Const::<10>));
        let mut linear: Linear<PIXELS, 10, f32, Cpu> = BuildModule::build(&dev);
        let mut opt = ClippedAdam::<Cpu>::new(AdamSettings {
            max_grad_norm: None,
            ..AdamSettings::default()
        });
        let l2 = 0.5 / y.len() as f32;
        for _ in 0..600 {
            let logits = linear.forward(x.clone().traced(linear.alloc_grads()));
            let ce = cross_entropy_with_logits_loss(logits, targets.clone());
            let w = linear.weight.clone().traced(Gradients::leaky());
            let loss = ce + w.square().sum() * l2; // mean cross-entropy + ½‖W‖²/n
            let mut g = loss.backward();
            opt.step(&mut linear, &mut g, 0.05);
        }
        let mut c = Classifier {
            linear,
            heldout_accuracy: 0.0,
        };
        let (xt, yt) = gather(&test);
        let probs = c.probabilities(&xt.as_vec());
        let correct = yt
            .iter()
            .enumerate()
            .filter(|&(i, &label)| argmax(&probs[i * 10..(i + 1) * 10]) == label)
            .count();
        c.heldout_accuracy = correct as f64 / yt.len() as f64;
        c
    }

    /// p(y | x) for every image in `pixels` (row-major, 64 per image): 10 numbers each.
    pub fn probabilities(&self, pixels: &[f32]) -> Vec<f32> {
        let dev = self.linear.weight.device().clone();
        let n = pixels.len() / PIXELS;
        let x = dev.tensor_from_vec(pixels.to_vec(), (n, Const::<PIXELS>));
        self.linear.forward(x).softmax::<Axis<1>>().as_vec()
    }

    /// The class histogram, confident fraction and Inception-Score-like number of `pixels`.
    pub fn judge(&self, pixels: &[f32]) -> DigitMetrics {
        digit_metrics(&self.probabilities(pixels))
    }
}

fn argmax(p: &[f32]) -> usize {
    p.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)
}

/// What the classifier says about a set of (generated or real) digits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DigitMetrics {
    /// How many images were classified as each digit.
    pub class_hist: Vec<usize>,
    /// Fraction of images whose most likely class has probability > 0.9.
    pub frac_confident: f64,
    /// exp(E_x[KL(p(y|x) ‖ p(y))]): 1 (collapsed) to 10 (every class, confidently).
    pub is_like: f64,
    /// Classes that received at least 5 % of the images.
    pub classes_ge_5pct: usize,
}

/// The digit metrics from class probabilities (10 per image).
///
/// ```
/// // Ten images, each a confident, different digit: the score is 10.
/// let mut p = vec![0.0f32; 100];
/// (0..10).for_each(|i| p[i * 10 + i] = 1.0);
/// let m = aigc::gan::metrics::digit_metrics(&p);
/// assert!((m.is_like - 10.0).abs() < 1e-3 && m.frac_confident == 1.0);
/// ```
// ANCHOR: is_like
pub fn digit_metrics(probs: &[f32]) -> DigitMetrics {
    let n = probs.len() / 10;
    let mut p_y = [0.0f64; 10]; // p(y) = mean over x of p(y|x)
    for p in probs.chunks_exact(10) {
        p_y.iter_mut()
            .zip(p)
            .for_each(|(m, &q)| *m += q as f64 / n as f64);
    }
    let eps = 1e-12;
    let mut kl_sum = 0.0;
    let (mut hist, mut confident) = (vec![0usize; 10], 0usize);
    for p in probs.chunks_exact(10) {
        kl_sum += p
            .iter()
            .zip(&p_y)
            .map(|(&q, &m)| q as f64 * ((q as f64 + eps).ln() - (m + eps).ln()))
            .sum::<f64>(); // KL(p(y|x) ‖ p(y))
        hist[argmax(p)] += 1;
        confident += usize::from(p.iter().any(|&q| q > 0.9));
    }
    DigitMetrics {
        classes_ge_5pct: hist
            .iter()
            .filter(|&&c| c as f64 >= 0.05 * n as f64)
            .count(),
        class_hist: hist,
        frac_confident: confident as f64 / n.max(1) as f64,
        is_like: (kl_sum / n.max(1) as f64).exp(),
    }
}
// ANCHOR_END: is_like
