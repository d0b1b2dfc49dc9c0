//! Chapter 8's toy data: mixtures of Gaussians in the plane, the classic test of whether a
//! GAN covers every mode or collapses onto a few.
//!
//! Two mixtures, as in the VEEGAN and PacGAN papers:
//!
//! - [`Mixture::ring`]: 8 equally weighted Gaussians with centres (2 cos 2πk/8, 2 sin 2πk/8),
//!   standard deviation 0.02;
//! - [`Mixture::grid`]: 25 Gaussians with centres {−4, −2, 0, 2, 4}², standard deviation 0.05.
//!
//! There is no data set on disk: every batch is freshly drawn (infinite data).

use rand::Rng;
use rand_distr::StandardNormal;

/// An equally weighted mixture of isotropic 2-D Gaussians.
#[derive(Debug, Clone, PartialEq)]
pub struct Mixture {
    /// A short name (`ring`, `grid`).
    pub name: String,
    /// The mode centres.
    pub centres: Vec<[f32; 2]>,
    /// The standard deviation of every component.
    pub std: f32,
}

impl Mixture {
    /// 8 Gaussians on a circle of radius 2, std 0.02.
    ///
    /// ```
    /// let ring = aigc::data::Mixture::ring();
    /// assert_eq!((ring.centres.len(), ring.std), (8, 0.02));
    /// assert!((ring.centres[2][1] - 2.0).abs() < 1e-6); // k = 2 sits at (0, 2)
    /// ```
    pub fn ring() -> Self {
        let centres = (0..8)
            .map(|k| {
                let a = 2.0 * std::f32::consts::PI * k as f32 / 8.0;
                [2.0 * a.cos(), 2.0 * a.sin()]
            })
            .collect();
        Mixture {
            name: "ring".into(),
            centres,
            std: 0.02,
        }
    }

    /// A 5 × 5 grid of Gaussians, spacing 2 (centres in {−4, −2, 0, 2, 4}²), std 0.05.
    ///
    /// ```
    /// let grid = aigc::data::Mixture::grid();
    /// assert_eq!(grid.centres.len(), 25);
    /// assert_eq!(grid.centres[0], [-4.0, -4.0]);
    /// ```
    pub fn grid() -> Self {
        let v = [-4.0, -2.0, 0.0, 2.0, 4.0];
        let centres = v
            .iter()
            .flat_map(|&x| v.iter().map(move |&y| [x, y]))
            .collect();
        Mixture {
            name: "grid".into(),
            centres,
            std: 0.05,
        }
    }

    /// `n` points, row-major (x₀, y₀, x₁, y₁, …): pick a centre uniformly, add N(0, std²).
    pub fn sample(&self, n: usize, rng: &mut impl Rng) -> Vec<f32> {
        let mut out = Vec::with_capacity(2 * n);
        for _ in 0..n {
            let c = self.centres[rng.gen_range(0..self.centres.len())];
            for x in c {
                let e: f32 = rng.sample(StandardNormal);
                out.push(x + self.std * e);
            }
        }
        out
    }
}
