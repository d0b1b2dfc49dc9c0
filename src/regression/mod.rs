//! Chapter 5 — gradient descent, on a real data set.
//!
//! The pieces, in the order the chapter builds them:
//!
//! | file | concept |
//! |---|---|
//! | `linear.rs` | the model ŷ = w·x + b and its hand-derived gradient ([`LinearModel`]) |
//! | `closed_form.rs` | [`least_squares`]: the closed-form minimum, the target to reach |
//! | `gradient_descent.rs` | [`gradient_descent`]: the update rule θ ← θ − η∇L and what η does |
//! | `autodiff.rs` | [`autodiff_gradient`]: the same gradient from dfdx's `backward()` |
//! | `optimisers.rs` | [`train_with`]: SGD, momentum and Adam from `dfdx::optim` |
//! | `mlp.rs` | [`fit_mlp`]: a small neural network fitting a curve no line can |
//! | `paths.rs` | [`optimiser_paths`]: SGD, momentum and Adam on a two-parameter bowl |
//! | `experiment.rs` | [`run`]: the chapter's numbers, tables and figures |
//!
//! Shared modules used: [`data`](crate::data) (the CSV loader), [`train`](crate::train)
//! (settings checks, the divergence guard), [`plot`](crate::plot), [`report`](crate::report).
//! From chapter 4 it takes the MSE.

mod autodiff;
mod closed_form;
mod experiment;
mod gradient_descent;
mod linear;
mod mlp;
mod optimisers;
mod paths;

pub use autodiff::{
    DataTensors, WINE_FEATURES, autodiff_gradient, from_layer, to_layer, to_tensors,
};
pub use closed_form::least_squares;
pub use experiment::{RegressionConfig, RegressionReport, SweepRow, run};
pub use gradient_descent::{
    GdConfig, GdRun, gradient_descent, gradient_descent_run, gradient_descent_step,
    learning_rate_sweep, stable_lr_limit,
};
pub use linear::{Gradient, LinearModel, finite_difference_gradient, gradient};
pub use mlp::{
    CurveMlp, MlpConfig, MlpModel, MlpReport, MlpRun, fit_mlp, run_mlp, sine_data, target_curve,
    train_mlp,
};
pub use optimisers::{OptimiserConfig, OptimiserKind, OptimiserRun, train_linear, train_with};
pub use paths::{KAPPA, Path, START, bowl, bowl_gradient, optimiser_paths, paths_chart};
