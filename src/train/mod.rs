//! The training layer every chapter shares.
//!
//! | file | concept |
//! |---|---|
//! | `fit.rs` | the loop: [`Trainer`] (what a chapter supplies) and [`fit`] (what the loop owns) |
//! | `log.rs` | [`TrainLog`]: every step's losses, every evaluation, the time spent |
//! | `guard.rs` | settings checks and the divergence guard |
//! | `schedule.rs` | learning-rate schedules |
//! | `stop.rs` | [`Stop`]: Ctrl-C ends a run cleanly, with a checkpoint |
//!
//! It depends only on [`crate::error`] and [`crate::numbers`]: chapters use it, it uses no
//! chapter.

mod fit;
mod guard;
mod log;
mod schedule;
mod stop;

pub use fit::{Finish, LoopSettings, RunOptions, Trainer, fit, step_rng};
pub use guard::{
    Divergence, EXPLOSION_FACTOR, check_loss, validate_count, validate_fraction, validate_lr,
    validate_positive,
};
pub use log::{Losses, Measured, TrainLog};
pub use schedule::warmup_cosine;
pub use stop::{Stop, stop_on_ctrl_c};

use indicatif::{ProgressBar, ProgressStyle};

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
