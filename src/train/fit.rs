//! The training loop every chapter shares. A chapter supplies a [`Trainer`]: how to take
//! one step, how to measure the model, how to save it. The loop owns everything else:
//! the settings check, the seed of every step, the progress bar, the divergence guard,
//! stopping on Ctrl-C, and the evaluations with their checkpoints.

use std::path::PathBuf;
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::{Losses, Stop, TrainLog, check_loss, progress_bar, validate_count};
use crate::error::{AigcError, Result};

/// What a chapter's model brings to the shared loop.
pub trait Trainer {
    /// What one step reports.
    type Losses: Losses;
    /// What one evaluation measures.
    type Eval;
    /// The learning rate at `step`.
    fn lr_at(&self, step: usize) -> f32;
    /// Optimisation step number `step` (0, 1, …) on a batch drawn from `rng`, the step's
    /// own random stream, at learning rate `lr`.
    fn step(&mut self, step: usize, rng: &mut StdRng, lr: f32) -> Self::Losses;
    /// Measures the model: before the first step, every `eval_every` steps, at the end.
    fn evaluate(&mut self) -> Result<Self::Eval>;
    /// Saves the model, its optimiser and `log`, atomically; called after each evaluation.
    fn checkpoint(&mut self, log: &TrainLog<Self::Losses, Self::Eval>) -> Result<()>;
    /// What to suggest when a loss blows up.
    fn divergence_hint(&self) -> &'static str {
        "lower --lr, or keep gradient clipping on"
    }
}

/// How long a run is and how often it is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoopSettings {
    /// Shown before the progress bar (`lstm`, `gpt`, `gan`).
    pub name: &'static str,
    /// Steps in the whole run.
    pub steps: usize,
    /// Evaluate and checkpoint every this many steps.
    pub eval_every: usize,
    /// Seed of every step's random draws.
    pub seed: u64,
}

/// Where a run saves its checkpoints, and whether it continues the one there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// The checkpoint file, rewritten at every evaluation (`None`: none is written).
    pub checkpoint: Option<PathBuf>,
    /// Continue from the checkpoint (weights, optimiser, step, log) instead of starting.
    pub resume: bool,
}

impl RunOptions {
    /// Save to `path`; start from scratch.
    pub fn save_to(path: impl Into<PathBuf>) -> Self {
        RunOptions {
            checkpoint: Some(path.into()),
            resume: false,
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// All steps done.
    Completed,
    /// Stopped early because [`Stop`] was raised (Ctrl-C); the checkpoint resumes it.
    Interrupted,
}

/// The random stream of step `step` of a run with seed `seed`. Step k draws from its own
/// stream, so a run resumed at step k sees exactly what the uninterrupted run saw.
///
/// ```
/// use rand::Rng;
/// let a: u64 = aigc::train::step_rng(0, 7).r#gen();
/// let b: u64 = aigc::train::step_rng(0, 7).r#gen();
/// assert_eq!(a, b);
/// ```
pub fn step_rng(seed: u64, step: usize) -> StdRng {
    StdRng::seed_from_u64(seed.wrapping_mul(1_000_003).wrapping_add(step as u64))
}

/// Trains from `log.step` up to `settings.steps`, evaluating and checkpointing every
/// `eval_every` steps, at the end, and when `stop` is raised.
// ANCHOR: fit
pub fn fit<T: Trainer>(
    trainer: &mut T,
    settings: &LoopSettings,
    log: &mut TrainLog<T::Losses, T::Eval>,
    stop: &Stop,
) -> Result<Finish> {
    validate_count("steps", settings.steps)?;
    validate_count("eval-every", settings.eval_every)?;
    if log.evals.is_empty() {
        log.record(trainer.evaluate()?); // the untrained model, for reference
    }
    let bar = progress_bar(
        settings.steps.saturating_sub(log.step) as u64,
        settings.name,
    );
    while log.step < settings.steps {
        if stop.requested() {
            evaluate_and_save(trainer, log)?;
            bar.abandon();
            return Ok(Finish::Interrupted);
        }
        let start = Instant::now();
        let lr = trainer.lr_at(log.step);
        let losses = trainer.step(log.step, &mut step_rng(settings.seed, log.step), lr);
        guard(trainer, log, losses, lr)?;
        log.step += 1;
        log.losses.push(losses);
        let seconds = start.elapsed().as_secs_f64();
        log.train_seconds += seconds;
        log.step_seconds.push(seconds as f32);
        bar.inc(1);
        bar.set_message(progress_message(&losses, log.ms_per_step()));
        if log.step.is_multiple_of(settings.eval_every) || log.step == settings.steps {
            evaluate_and_save(trainer, log)?;
        }
    }
    bar.finish_and_clear();
    Ok(Finish::Completed)
}
// ANCHOR_END: fit

/// Stops the run with a message when any loss of this step is no longer usable.
fn guard<T: Trainer>(
    trainer: &T,
    log: &TrainLog<T::Losses, T::Eval>,
    losses: T::Losses,
    lr: f32,
) -> Result<()> {
    let first = log.losses.first().copied().unwrap_or(losses).named();
    for ((_, value), (_, start)) in losses.named().into_iter().zip(first) {
        if check_loss(value, start).is_err() {
            return Err(AigcError::Diverged {
                step: log.step,
                loss: value,
                lr: lr as f64,
                hint: trainer.divergence_hint().into(),
            });
        }
    }
    Ok(())
}

/// Measures the model (unless this step was just measured) and saves the checkpoint.
fn evaluate_and_save<T: Trainer>(
    trainer: &mut T,
    log: &mut TrainLog<T::Losses, T::Eval>,
) -> Result<()> {
    if log.evals.last().is_none_or(|m| m.step != log.step) {
        log.record(trainer.evaluate()?);
    }
    trainer.checkpoint(log)
}

fn progress_message(losses: &impl Losses, ms_per_step: f64) -> String {
    let parts: Vec<String> = losses
        .named()
        .iter()
        .map(|(name, value)| format!("{name} {value:.3}"))
        .collect();
    format!("{}, {ms_per_step:.0} ms/step", parts.join(", "))
}
