//! Stopping a run cleanly: Ctrl-C sets a flag, the loop sees it before its next step,
//! writes a checkpoint and returns; the command then stops instead of going on.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{AigcError, Result};

/// A flag that asks running work to stop at its next safe point.
///
/// ```
/// use aigc::train::Stop;
/// let stop = Stop::new();
/// assert!(!stop.requested());
/// stop.request();
/// assert!(stop.requested());
/// ```
#[derive(Debug, Default)]
pub struct Stop(AtomicBool);

impl Stop {
    /// A flag nobody has raised yet.
    pub const fn new() -> Self {
        Stop(AtomicBool::new(false))
    }

    /// Raises the flag (what Ctrl-C does).
    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// `true` once the flag has been raised.
    pub fn requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Makes Ctrl-C (SIGINT) raise `flag`. A process has one handler: install it once, at the
/// start of `main`, and hand the same flag to everything that runs.
pub fn stop_on_ctrl_c(flag: &'static Stop) -> Result<()> {
    ctrlc::set_handler(move || flag.request())
        .map_err(|e| AigcError::Device(format!("cannot install the Ctrl-C handler: {e}")))
}
