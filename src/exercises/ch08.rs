//! Exercises of chapter 8, *Generative adversarial networks* (`book/src/08-gan.md`).
//!
//! Check them with `cargo test --features exercises --test exercises ch08`.
//!
//! They are pure functions on slices of numbers, so you can solve them without touching
//! the GAN code: the loss of the discriminator, the discriminator that wins the game, the
//! divergence that the game minimises, and the metric that tells a collapsed generator from
//! a good one.

#[cfg(feature = "solutions")]
use super::solutions;

/// **Exercise 8.1 (binary cross-entropy with logits).** The discriminator outputs a logit
/// zᵢ for example i, and D = sigmoid(zᵢ) is its probability of "real". For labels yᵢ ∈ [0, 1]
/// (1 for real, 0 for generated), return the mean binary cross-entropy
///
/// L = (1/n) Σᵢ −[yᵢ ln sigmoid(zᵢ) + (1 − yᵢ) ln(1 − sigmoid(zᵢ))]
///
/// and its gradient, ∂L/∂zᵢ = (sigmoid(zᵢ) − yᵢ)/n, as `(loss, gradient)`.
///
/// Compute the loss *stably*: the formula above, written as it reads, gives `inf` or `NaN`
/// for logits such as ±800 (e^800 overflows, and sigmoid(z) rounds to exactly 0 or 1).
/// The chapter derives the stable form max(z, 0) − z·y + ln(1 + e^(−|z|)); the test feeds
/// you such logits.
pub fn mean_bce_with_logits(logits: &[f64], labels: &[f64]) -> (f64, Vec<f64>) {
    exercise!(
        "Exercise 8.1: mean binary cross-entropy with logits, computed stably, and its gradient",
        solutions::ch08::mean_bce_with_logits(logits, labels)
    )
}

/// **Exercise 8.2 (the optimal discriminator).** On a finite set of points x₁, …, x_K, the
/// data have probabilities `p_data[k]` and the generator's samples `p_g[k]`. Return the
/// discriminator that maximises the game's value J(D, G) for this generator,
///
/// D*(x_k) = p_data(x_k) / (p_data(x_k) + p_g(x_k)),
///
/// one probability per point. Where both probabilities are 0 the point never occurs and
/// any D is optimal: return ½ there. The test checks your D* by hand, checks that no other
/// discriminator scores higher, and that J(D*, G) = −ln 4 + 2·JS(p_data ‖ p_g).
pub fn optimal_discriminator(p_data: &[f64], p_g: &[f64]) -> Vec<f64> {
    exercise!(
        "Exercise 8.2: the optimal discriminator D* = p_data / (p_data + p_g)",
        solutions::ch08::optimal_discriminator(p_data, p_g)
    )
}

/// **Exercise 8.3 (the Jensen–Shannon divergence).** For two probability vectors `p` and
/// `q` of the same length, return JS(p ‖ q) = ½ KL(p ‖ m) + ½ KL(q ‖ m), in nats, with
/// m = (p + q)/2 and KL(p ‖ m) = Σₖ pₖ ln(pₖ / mₖ), where a term with pₖ = 0 counts 0.
/// The test checks that it is symmetric, 0 exactly when p = q, and ln 2 when p and q
/// have no point in common.
pub fn js_divergence(p: &[f64], q: &[f64]) -> f64 {
    exercise!(
        "Exercise 8.3: the Jensen–Shannon divergence of two distributions",
        solutions::ch08::js_divergence(p, q)
    )
}

/// Mode coverage of a set of 2-D samples: what [`mode_coverage`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct ModeCoverage {
    /// Modes with at least `min_per_mode` high-quality samples.
    pub modes_covered: usize,
    /// High-quality samples (within 3 standard deviations of their nearest centre), per mode,
    /// in the order of `centres`.
    pub high_quality_per_mode: Vec<usize>,
    /// The fraction of all samples that are high quality, between 0 and 1.
    pub high_quality_fraction: f64,
    /// KL(p̂ ‖ uniform) of the histogram p̂ of every sample's nearest mode: 0 when the
    /// samples are spread evenly over the modes, ln K when they all sit at one of K modes.
    pub kl_vs_uniform: f64,
}

/// **Exercise 8.4 (counting modes).** `points` holds 2-D samples as x, y pairs
/// (`[x₁, y₁, x₂, y₂, …]`), `centres` the K mode centres of a mixture of Gaussians whose
/// standard deviation is `std`. Give every sample its nearest centre (Euclidean distance;
/// on a tie, the first). A sample is *high quality* if that distance is below 3·`std`, and
/// a mode is *covered* if at least `min_per_mode` high-quality samples fall on it, the
/// convention of the VEEGAN and PacGAN papers that the chapter uses. Return the counts and
/// the KL divergence from uniform of the nearest-mode histogram of all samples.
pub fn mode_coverage(
    points: &[f64],
    centres: &[[f64; 2]],
    std: f64,
    min_per_mode: usize,
) -> ModeCoverage {
    exercise!(
        "Exercise 8.4: modes covered, high-quality samples and KL from uniform",
        solutions::ch08::mode_coverage(points, centres, std, min_per_mode)
    )
}
