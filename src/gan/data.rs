//! Where a GAN's real samples come from, and how its generated ones are judged.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::metrics::{Classifier, DigitMetrics, EVAL_SAMPLES, mode_metrics};
use super::run::GanEval;
use crate::data::Mixture;
use crate::data::images::{Images, PIXELS};

/// Generated samples kept per evaluation for the pictures of training.
pub const KEPT_SAMPLES: usize = 500;

/// A source of real samples. Batch `step` of a run is the same on every run with the same
/// seed, so a resumed run sees what the uninterrupted one would have seen.
pub trait RealData {
    /// The data set's name (`ring`, `grid`, `digits`): checkpoints record it.
    fn name(&self) -> String;
    /// Numbers per sample.
    fn dim(&self) -> usize;
    /// `n` samples for step `step` of the run seeded with `seed`, row-major; `rng` is the
    /// step's own stream.
    fn batch(&self, n: usize, at: (usize, u64), rng: &mut StdRng) -> Vec<f32>;
    /// How many generated samples an evaluation judges.
    fn eval_samples(&self) -> usize;
    /// Measures generated samples (row-major), keeping a few for pictures.
    fn judge(&self, samples: &[f32]) -> GanEval;
}

impl RealData for Mixture {
    fn name(&self) -> String {
        self.name.clone()
    }
    fn dim(&self) -> usize {
        2
    }
    fn batch(&self, n: usize, _: (usize, u64), rng: &mut StdRng) -> Vec<f32> {
        self.sample(n, rng) // a fresh draw every step: infinite data
    }
    fn eval_samples(&self) -> usize {
        EVAL_SAMPLES
    }
    fn judge(&self, points: &[f32]) -> GanEval {
        GanEval {
            modes: Some(mode_metrics(points, self)),
            digits: None,
            samples: points[..(2 * KEPT_SAMPLES).min(points.len())].to_vec(),
        }
    }
}

/// The handwritten digits and the judge of generated ones.
#[derive(Debug, Clone)]
pub struct DigitData {
    /// The real images.
    pub images: Images,
    /// The classifier that judges generated digits, trained on the real ones.
    pub judge: Classifier,
}

impl DigitData {
    /// The images, and a judge trained on them.
    pub fn new(images: Images) -> Self {
        let judge = Classifier::train(&images);
        DigitData { images, judge }
    }

    /// The judge's verdict on 1,000 real digits (a fixed random subset): the ceiling to
    /// compare generated digits with.
    pub fn real_reference(&self) -> DigitMetrics {
        let mut idx: Vec<usize> = (0..self.images.len()).collect();
        idx.shuffle(&mut StdRng::seed_from_u64(0));
        let px: Vec<f32> = idx
            .iter()
            .take(1000)
            .flat_map(|&i| self.images.image(i).to_vec())
            .collect();
        self.judge.judge(&px)
    }
}

impl RealData for DigitData {
    fn name(&self) -> String {
        "digits".into()
    }
    fn dim(&self) -> usize {
        PIXELS
    }
    /// Epochs of a seeded permutation, dropping the last partial batch (as the PyTorch
    /// reference does).
    fn batch(&self, n: usize, (step, seed): (usize, u64), _: &mut StdRng) -> Vec<f32> {
        let per_epoch = (self.images.len() / n).max(1);
        let (epoch, k) = (step / per_epoch, step % per_epoch);
        let mut order: Vec<usize> = (0..self.images.len()).collect();
        let epoch_seed = seed.wrapping_mul(7919).wrapping_add(epoch as u64);
        order.shuffle(&mut StdRng::seed_from_u64(epoch_seed));
        order
            .iter()
            .cycle()
            .skip(k * n)
            .take(n)
            .flat_map(|&i| self.images.image(i).to_vec())
            .collect()
    }
    fn eval_samples(&self) -> usize {
        1000 // like the reference
    }
    fn judge(&self, pixels: &[f32]) -> GanEval {
        GanEval {
            modes: None,
            digits: Some(self.judge.judge(pixels)),
            samples: pixels[..(64 * PIXELS).min(pixels.len())].to_vec(),
        }
    }
}
