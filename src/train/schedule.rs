//! Learning-rate schedules: how the step size changes over a run.

/// The learning rate at `step` of `steps`: a linear warm-up over the first `warmup` steps
/// from ≈0 to `lr`, then a cosine from `lr` down to `min_lr` (nanoGPT's schedule; with
/// `warmup` = 0 it is a plain cosine decay). Warm-up matters for Adam: its first steps,
/// with moment estimates from one or two gradients, are the least reliable.
///
/// ```
/// use aigc::train::warmup_cosine;
/// assert_eq!(warmup_cosine(1.0, 0.1, 0, 100, 0), 1.0);
/// assert!((warmup_cosine(1.0, 0.1, 0, 100, 100) - 0.1).abs() < 1e-6);
/// assert!(warmup_cosine(1.0, 0.1, 10, 100, 0) < 0.1); // warming up
/// ```
// ANCHOR: schedule
pub fn warmup_cosine(lr: f32, min_lr: f32, warmup: usize, steps: usize, step: usize) -> f32 {
    if step < warmup {
        return lr * (step + 1) as f32 / (warmup + 1) as f32;
    }
    let span = steps.saturating_sub(warmup).max(1) as f32;
    let progress = ((step - warmup) as f32 / span).min(1.0);
    let cosine = 0.5 * (1.0 + (std::f32::consts::PI * progress).cos()); // 1 → 0
    min_lr + cosine * (lr - min_lr)
}
// ANCHOR_END: schedule
