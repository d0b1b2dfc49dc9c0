//! What a training run remembers: every step's loss, every evaluation, the time spent.
//! The log travels inside every checkpoint, so a resumed run continues its own curves.

use serde::{Deserialize, Serialize};

/// The losses one step reports: one number for a language model, two for a GAN.
pub trait Losses: Copy {
    /// Each loss with its name, as the progress bar and the divergence guard see them.
    fn named(&self) -> Vec<(&'static str, f64)>;
}

impl Losses for f64 {
    fn named(&self) -> Vec<(&'static str, f64)> {
        vec![("loss", *self)]
    }
}

/// One evaluation, and when it was taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measured<E> {
    /// Steps done.
    pub step: usize,
    /// Seconds of training done (evaluations excluded): for curves against time.
    pub seconds: f64,
    /// What the evaluation measured.
    pub value: E,
}

/// A run's measurements so far: `L` is what a step reports, `E` what an evaluation does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainLog<L, E> {
    /// Steps done.
    pub step: usize,
    /// The losses of every step: `losses[k]` belongs to step k + 1.
    pub losses: Vec<L>,
    /// Every evaluation: before the first step, then every `eval_every` steps.
    pub evals: Vec<Measured<E>>,
    /// Seconds spent in training steps (evaluations and checkpoints excluded).
    pub train_seconds: f64,
    /// Seconds of each step of this session (not saved in checkpoints): their median is a
    /// speed that intermittent load from other processes does not drag down.
    #[serde(skip)]
    pub step_seconds: Vec<f32>,
}

impl<L, E> Default for TrainLog<L, E> {
    fn default() -> Self {
        TrainLog {
            step: 0,
            losses: Vec::new(),
            evals: Vec::new(),
            train_seconds: 0.0,
            step_seconds: Vec::new(),
        }
    }
}

impl<L, E> TrainLog<L, E> {
    /// Mean milliseconds per training step.
    pub fn ms_per_step(&self) -> f64 {
        1e3 * self.train_seconds / self.step.max(1) as f64
    }

    /// Milliseconds of the median step of this session (0 before any step).
    pub fn median_ms_per_step(&self) -> f64 {
        let times: Vec<f64> = self.step_seconds.iter().map(|&s| 1e3 * s as f64).collect();
        match times.len() {
            0 => 0.0,
            _ => crate::numbers::median(times),
        }
    }

    /// The last evaluation, if any.
    pub fn last_eval(&self) -> Option<&E> {
        self.evals.last().map(|m| &m.value)
    }

    /// Records an evaluation taken now.
    pub fn record(&mut self, value: E) {
        self.evals.push(Measured {
            step: self.step,
            seconds: self.train_seconds,
            value,
        });
    }
}
