//! Three optimisers on the same problem: plain SGD, SGD with momentum, and Adam.
//!
//! Each one turns a gradient g into an update of the parameters θ:
//! - SGD:       θ ← θ − η g
//! - Momentum:  v ← μ v + g,  θ ← θ − η v   (a heavy ball that keeps rolling along the valley)
//! - Adam:      m ← β₁m + (1−β₁)g,  s ← β₂s + (1−β₂)g²,  θ ← θ − η m̂ / (√ŝ + ε)
//!   (per-parameter step sizes, with m̂, ŝ the bias-corrected averages)
//!
//! The training loop below is the same for all three: only the optimiser value changes.

use dfdx::nn::modules::Linear;
use dfdx::optim::{Adam, AdamConfig, Momentum, Optimizer, Sgd, SgdConfig};
use dfdx::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::Serialize;

use crate::data::Dataset;
use crate::error::{AigcError, Result};
use crate::regression::{LinearModel, from_layer, to_layer, to_tensors};
use crate::train::{check_loss, validate_count, validate_lr};

/// Which update rule to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OptimiserKind {
    /// Stochastic gradient descent: θ ← θ − η g.
    Sgd,
    /// SGD with classic momentum μ = 0.9.
    Momentum,
    /// Adam with β = (0.9, 0.999).
    Adam,
}

impl OptimiserKind {
    /// The three optimisers in the order the chapter shows them.
    pub const ALL: [OptimiserKind; 3] = [
        OptimiserKind::Sgd,
        OptimiserKind::Momentum,
        OptimiserKind::Adam,
    ];

    /// The name used in tables and plot legends.
    pub fn name(self) -> &'static str {
        match self {
            OptimiserKind::Sgd => "SGD",
            OptimiserKind::Momentum => "SGD + momentum 0.9",
            OptimiserKind::Adam => "Adam",
        }
    }
}

/// Hyper-parameters of a mini-batch training run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OptimiserConfig {
    /// The update rule.
    pub kind: OptimiserKind,
    /// The learning rate η.
    pub lr: f64,
    /// Passes over the data.
    pub epochs: usize,
    /// Examples per update.
    pub batch_size: usize,
    /// Seed of the shuffling order (the model starts at zero, so this is all the randomness).
    pub seed: u64,
}

impl OptimiserConfig {
    /// The book's settings for one optimiser: η = 0.01, 20 epochs, batches of 32.
    pub fn book(kind: OptimiserKind) -> Self {
        OptimiserConfig {
            kind,
            lr: 0.01,
            epochs: 20,
            batch_size: 32,
            seed: 0,
        }
    }
}

/// The MSE on the whole data set before training and after every epoch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptimiserRun {
    /// The configuration that produced this run.
    pub config: OptimiserConfig,
    /// `epochs + 1` full-data MSE values.
    pub losses: Vec<f64>,
}

/// Trains a `Linear<F, 1>` layer with mini-batches and the given optimiser.
// ANCHOR: train_loop
pub fn train_linear<const F: usize, D: Device<f32>, O>(
    dev: &D,
    data: &Dataset,
    cfg: &OptimiserConfig,
    mut layer: Linear<F, 1, f32, D>,
    mut opt: O,
) -> Result<(LinearModel, Vec<f64>)>
where
    O: Optimizer<Linear<F, 1, f32, D>, D, f32>,
{
    let mut grads = layer.alloc_grads();
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut losses = vec![from_layer(&layer).mse(data)];
    for epoch in 1..=cfg.epochs {
        order.shuffle(&mut rng); // a new order every epoch: that is the "stochastic" in SGD
        for batch in order.chunks(cfg.batch_size) {
            let (x, y) = to_tensors::<F, D>(dev, &data.select(batch))?;
            let loss = mse_loss(layer.forward(x.trace(grads)), y);
            grads = loss.backward();
            opt.update(&mut layer, &grads)
                .map_err(|e| AigcError::Shape(format!("optimiser update failed: {e:?}")))?;
            layer.zero_grads(&mut grads); // gradients accumulate until cleared
        }
        let loss = from_layer(&layer).mse(data);
        if check_loss(loss, losses[0]).is_err() {
            return Err(AigcError::Diverged {
                step: epoch,
                loss,
                lr: cfg.lr,
                hint: format!("{} needs a smaller learning rate.", cfg.kind.name()),
            });
        }
        losses.push(loss);
    }
    Ok((from_layer(&layer), losses))
}
// ANCHOR_END: train_loop

/// Trains with the optimiser named in `cfg`: the one place the three runs differ.
// ANCHOR: make_optimiser
pub fn train_with<const F: usize, D: Device<f32>>(
    dev: &D,
    data: &Dataset,
    cfg: &OptimiserConfig,
) -> Result<OptimiserRun> {
    validate_lr(cfg.lr)?;
    validate_count("epochs", cfg.epochs)?;
    validate_count("batch size", cfg.batch_size)?;
    let layer = to_layer::<F, D>(dev, &LinearModel::zeros(F))?; // start from w = 0, b = 0
    let lr = cfg.lr;
    let (_, losses) = match cfg.kind {
        OptimiserKind::Sgd => {
            let sgd = Sgd::new(
                &layer,
                SgdConfig {
                    lr,
                    momentum: None,
                    weight_decay: None,
                },
            );
            train_linear::<F, D, _>(dev, data, cfg, layer, sgd)?
        }
        OptimiserKind::Momentum => {
            let momentum = Some(Momentum::Classic(0.9));
            let sgd = Sgd::new(
                &layer,
                SgdConfig {
                    lr,
                    momentum,
                    weight_decay: None,
                },
            );
            train_linear::<F, D, _>(dev, data, cfg, layer, sgd)?
        }
        OptimiserKind::Adam => {
            let adam = Adam::new(
                &layer,
                AdamConfig {
                    lr,
                    ..Default::default()
                },
            );
            train_linear::<F, D, _>(dev, data, cfg, layer, adam)?
        }
    };
    Ok(OptimiserRun {
        config: *cfg,
        losses,
    })
}
// ANCHOR_END: make_optimiser
