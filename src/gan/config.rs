//! A GAN run's hyper-parameters: the chapter's fix, the vanilla GAN it is compared with,
//! and the PyTorch references' settings.

use serde::{Deserialize, Serialize};

use crate::error::{AigcError, Result};
use crate::optim::AdamSettings;
use crate::train::{LoopSettings, validate_count, validate_lr, warmup_cosine};

/// Hyper-parameters of a GAN run; `Default` is the chapter's fix on the 2-D mixtures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GanConfig {
    /// Steps (one D step + one G step each).
    pub steps: usize,
    /// Real samples per step (and as many generated ones).
    pub batch: usize,
    /// Adam's learning rate, for both players.
    pub lr: f32,
    /// Length of the noise vector z.
    pub noise_dim: usize,
    /// Samples the discriminator judges together (1 = vanilla GAN).
    pub pack: usize,
    /// Evaluate (and checkpoint) every this many steps.
    pub eval_every: usize,
    /// Seed of the initial weights, the real batches and the noise.
    pub seed: u64,
    /// Adam's settings for both players (β = (0.5, 0.999), no clipping).
    pub adam: AdamSettings,
    /// Decay both learning rates to zero along a cosine (`false`: constant).
    pub cosine: bool,
}

impl Default for GanConfig {
    /// The chapter's fix on the 2-D mixtures: PacGAN with packing 2, noise of 2 numbers,
    /// learning rate 10⁻³ with cosine decay, 20,000 steps of 256 samples.
    fn default() -> Self {
        GanConfig {
            steps: 20_000,
            batch: 256,
            lr: 1e-3,
            noise_dim: 2,
            pack: 2,
            eval_every: 500,
            seed: 0,
            adam: AdamSettings {
                betas: [0.5, 0.999],
                max_grad_norm: None,
                ..AdamSettings::default()
            },
            cosine: true,
        }
    }
}

impl GanConfig {
    /// The vanilla GAN the fix is compared with: the same settings, no packing.
    pub fn vanilla() -> Self {
        GanConfig {
            pack: 1,
            ..GanConfig::default()
        }
    }

    /// The PyTorch reference `gan_ring.py`: noise 256, learning rate 10⁻⁴ (constant), no
    /// packing.
    pub fn reference() -> Self {
        GanConfig {
            lr: 1e-4,
            noise_dim: 256,
            pack: 1,
            cosine: false,
            ..GanConfig::default()
        }
    }

    /// The digits GAN of the chapter: the PyTorch reference `gan_digits.py` (noise 64,
    /// batch 64, learning rate 2 · 10⁻⁴, constant, 30,000 steps) with packs of 2.
    pub fn digits() -> Self {
        GanConfig {
            steps: 30_000,
            batch: 64,
            lr: 2e-4,
            noise_dim: 64,
            pack: 2,
            eval_every: 1000,
            cosine: false,
            ..GanConfig::default()
        }
    }

    /// The learning rate at `step`: constant, or with `cosine` from `lr` down to 0.
    pub fn lr_at(&self, step: usize) -> f32 {
        match self.cosine {
            true => warmup_cosine(self.lr, 0.0, 0, self.steps, step),
            false => self.lr,
        }
    }

    /// Rejects hyper-parameters that cannot work.
    ///
    /// ```
    /// use aigc::gan::GanConfig;
    /// let bad = GanConfig { noise_dim: 0, ..GanConfig::default() };
    /// assert!(bad.validate().unwrap_err().to_string().contains("noise dimension"));
    /// ```
    pub fn validate(&self) -> Result<()> {
        validate_lr(self.lr as f64)?;
        validate_count("steps", self.steps)?;
        validate_count("batch size", self.batch)?;
        validate_count("noise dimension", self.noise_dim)?;
        validate_count("pack", self.pack)?;
        validate_count("eval-every", self.eval_every)?;
        if !self.batch.is_multiple_of(self.pack) {
            return Err(AigcError::InvalidHyperParameter {
                name: "batch size",
                message: format!(
                    "must be a multiple of the pack size {}, got {}",
                    self.pack, self.batch
                ),
            });
        }
        Ok(())
    }

    /// What the shared loop needs to know.
    pub fn loop_settings(&self) -> LoopSettings {
        LoopSettings {
            name: "gan",
            steps: self.steps,
            eval_every: self.eval_every,
            seed: self.seed,
        }
    }
}
