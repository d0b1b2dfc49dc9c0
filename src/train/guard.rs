//! Checks that keep a training run honest: settings that cannot work are refused before
//! the first step, and a loss that stops being a number ends the run with a message.

use crate::error::{AigcError, Result};

/// Returned by [`check_loss`] when a loss is no longer usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Divergence;

/// How much a loss may grow over its starting value before the run counts as diverged.
pub const EXPLOSION_FACTOR: f64 = 1e3;

/// Checks that a loss is finite and has not exploded past [`EXPLOSION_FACTOR`] × the
/// first loss of the run: past either point, further steps only produce NaN.
///
/// ```
/// use aigc::train::check_loss;
/// assert!(check_loss(0.5, 1.0).is_ok());
/// assert!(check_loss(f64::NAN, 1.0).is_err());
/// assert!(check_loss(5e3, 1.0).is_err());
/// ```
// ANCHOR: check_loss
pub fn check_loss(loss: f64, first_loss: f64) -> Result<(), Divergence> {
    if loss.is_finite() && loss <= EXPLOSION_FACTOR * first_loss.abs().max(1e-12) {
        Ok(())
    } else {
        Err(Divergence)
    }
}
// ANCHOR_END: check_loss

/// Rejects a learning rate that is not a positive, finite number.
///
/// ```
/// assert!(aigc::train::validate_lr(0.1).is_ok());
/// let err = aigc::train::validate_lr(0.0).unwrap_err();
/// assert!(err.to_string().contains("learning rate"));
/// ```
pub fn validate_lr(lr: f64) -> Result<()> {
    validate_positive("learning rate", lr)
}

/// Rejects a value that is not a positive, finite number.
pub fn validate_positive(name: &'static str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(AigcError::InvalidHyperParameter {
            name,
            message: format!("must be a positive number, got {value}"),
        })
    }
}

/// Rejects a count (epochs, steps, batch size…) of zero.
///
/// ```
/// assert!(aigc::train::validate_count("epochs", 0).is_err());
/// ```
pub fn validate_count(name: &'static str, value: usize) -> Result<()> {
    if value == 0 {
        Err(AigcError::InvalidHyperParameter {
            name,
            message: "must be at least 1, got 0".to_string(),
        })
    } else {
        Ok(())
    }
}

/// Rejects a held-out fraction outside (0, 0.5).
///
/// ```
/// assert!(aigc::train::validate_fraction(0.1).is_ok());
/// assert!(aigc::train::validate_fraction(0.7).is_err());
/// ```
pub fn validate_fraction(fraction: f64) -> Result<()> {
    if fraction > 0.0 && fraction < 0.5 {
        Ok(())
    } else {
        Err(AigcError::InvalidHyperParameter {
            name: "validation fraction",
            message: format!("must be between 0 and 0.5, got {fraction}"),
        })
    }
}
