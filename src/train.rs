//! Pieces every training loop shares: the divergence guard, hyper-parameter checks and
//! the progress bar.

use indicatif::{ProgressBar, ProgressStyle};

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
    if lr.is_finite() && lr > 0.0 {
        Ok(())
    } else {
        Err(AigcError::InvalidHyperParameter {
            name: "learning rate",
            message: format!("must be a positive number, got {lr}"),
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

/// A progress bar for `len` steps, drawn on stderr; invisible when stderr is not a terminal
/// (in tests, CI logs and notebooks), so it never clutters captured output.
pub fn progress_bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_string());
    bar
}
