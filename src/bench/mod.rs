//! Chapter 9 — how long one training step takes, on whichever device the caller passes.
//!
//! `aigc bench` runs these on the CPU, and with `--device cuda` on a GPU; the GPU chapter's
//! table compares the two. Each configuration times full training steps (forward, loss,
//! `backward()`, optimiser update) on data already on the device, and reads the loss back
//! every step, as a real training loop does for its divergence guard. Reading the loss
//! also waits for the GPU to finish, so the time is the step's real duration.
//!
//! | file | concept |
//! |---|---|
//! | `mod.rs` | timing one training step of every chapter's model |
//! | `flops.rs` | the matrix-product arithmetic of each step, and the machine's peak |
//! | `report.rs` | CPU and GPU timings side by side, with the machine named |
//!
//! Shared modules used: [`data`](crate::data), [`lm`](crate::lm) (a text model's step),
//! [`optim`](crate::optim), [`numbers`](crate::numbers), [`report`](crate::report). From the
//! chapters it takes each model, to time it.

use std::time::Instant;

use dfdx::nn::DeviceBuildExt;
use dfdx::optim::{Adam, AdamConfig, Optimizer, Sgd, SgdConfig};
use dfdx::prelude::*;
use serde::Serialize;

use crate::data::Batch;
use crate::lm::train_step;
use crate::numbers::median;
use crate::optim::{AdamSettings, ClippedAdam};

use crate::regression::CurveMlp;

mod flops;
mod report;

pub use flops::{gan_flops, gpt_flops, lstm_flops, matmul_peak_gflops};
pub use report::{BenchReport, cpu_name};

/// One measured configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchRow {
    /// The chapter's model, e.g. `linear regression 11→1`.
    pub model: String,
    /// Examples per step.
    pub batch: usize,
    /// Median milliseconds per training step.
    pub ms_per_step: f64,
    /// Examples processed per second at that speed.
    pub examples_per_s: f64,
    /// Matrix-product arithmetic done per second (see [`lstm_flops`] and its siblings).
    pub gflops: f64,
}

/// Which sizes to measure: the book's own, and a large batch where a GPU can pay off.
pub const BATCHES: [(usize, usize); 2] = [(32, 4096), (256, 4096)];

/// Times `step` (which returns the loss) over `reps` calls after one warm-up call, five
/// times, and returns the median milliseconds per call.
fn time_ms(reps: usize, mut step: impl FnMut() -> f32) -> f64 {
    step();
    let samples = (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..reps {
                std::hint::black_box(step());
            }
            start.elapsed().as_secs_f64() * 1e3 / reps as f64
        })
        .collect();
    median(samples)
}

fn row(model: &str, batch: usize, ms: f64, flops: f64) -> BenchRow {
    BenchRow {
        model: model.to_string(),
        batch,
        ms_per_step: ms,
        examples_per_s: batch as f64 / (ms / 1e3),
        gflops: flops / (ms / 1e3) / 1e9,
    }
}

/// Milliseconds per SGD step of chapter 5's linear regression (`Linear<11, 1>`, MSE).
// ANCHOR: bench_step
pub fn linear_step_ms<D: Device<f32> + DeviceBuildExt>(dev: &D, batch: usize, reps: usize) -> f64 {
    let mut model = dev.build_module::<Linear<11, 1>, f32>();
    let mut opt = Sgd::new(
        &model,
        SgdConfig {
            lr: 0.01,
            momentum: None,
            weight_decay: None,
        },
    );
    let x: Tensor<(usize, Const<11>), f32, D> = dev.sample_normal_like(&(batch, Const));
    let y: Tensor<(usize, Const<1>), f32, D> = dev.sample_normal_like(&(batch, Const));
    let mut grads = model.alloc_grads();
    time_ms(reps, || {
        // `trace` takes the gradient buffers by value; hand them over and get them back.
        let tape = std::mem::replace(&mut grads, Gradients::leaky());
        let loss = mse_loss(model.forward(x.clone().trace(tape)), y.clone());
        let value = loss.as_vec()[0]; // copies one number back: waits for the device
        grads = loss.backward();
        opt.update(&mut model, &grads)
            .expect("every parameter has a gradient");
        model.zero_grads(&mut grads);
        value
    })
}
// ANCHOR_END: bench_step

/// Milliseconds per Adam step of chapter 5's MLP (1-32-32-1, tanh).
pub fn mlp_step_ms<D: Device<f32> + DeviceBuildExt>(dev: &D, batch: usize, reps: usize) -> f64 {
    let mut model = dev.build_module::<CurveMlp, f32>();
    let mut opt = Adam::new(&model, AdamConfig::default());
    let x: Tensor<(usize, Const<1>), f32, D> = dev.sample_normal_like(&(batch, Const));
    let y: Tensor<(usize, Const<1>), f32, D> = dev.sample_normal_like(&(batch, Const));
    let mut grads = model.alloc_grads();
    time_ms(reps, || {
        let tape = std::mem::replace(&mut grads, Gradients::leaky());
        let loss = mse_loss(model.forward(x.clone().trace(tape)), y.clone());
        let value = loss.as_vec()[0];
        grads = loss.backward();
        opt.update(&mut model, &grads)
            .expect("every parameter has a gradient");
        model.zero_grads(&mut grads);
        value
    })
}

/// Milliseconds per training step of chapter 6's character LSTM in the configuration of
/// the PyTorch reference (`char_lstm.py`): `vocab` characters (65 for Tiny Shakespeare),
/// embedding 64, hidden 256, `batch` sequences of 64 characters, Adam (no clipping, like
/// the reference).
pub fn lstm_step_ms<D: Device<f32>>(dev: &D, vocab: usize, batch: usize, reps: usize) -> f64 {
    let mut model = crate::lstm::BookLstm::<D>::new(dev, vocab, 0);
    let settings = AdamSettings {
        max_grad_norm: None,
        ..AdamSettings::default()
    };
    let mut opt = ClippedAdam::new(settings);
    let data = synthetic_batch(vocab, batch, 64);
    time_ms(reps, || {
        train_step(&mut model, &mut opt, &data, 2e-3).0 as f32
    })
}

/// Milliseconds per training iteration of chapter 7's mini-GPT in the configuration of
/// the PyTorch reference (`char_gpt.py`, nanoGPT's CPU example): `vocab` characters,
/// 4 layers, 4 heads, 128 numbers per position, `batch` windows of 64, AdamW with
/// clipping.
pub fn gpt_step_ms<D: Device<f32>>(dev: &D, vocab: usize, batch: usize, reps: usize) -> f64 {
    let mut model = crate::gpt::BookGpt::<D>::new(dev, vocab, 0);
    let mut opt = ClippedAdam::new(crate::gpt::GptConfig::default().adam);
    let data = synthetic_batch(vocab, batch, 64);
    time_ms(reps, || {
        train_step(&mut model, &mut opt, &data, 1e-3).0 as f32
    })
}

/// A batch of `batch` windows of `seq` made-up token ids below `vocab`.
fn synthetic_batch(vocab: usize, batch: usize, seq: usize) -> Batch {
    let ids =
        |salt: usize| -> Vec<usize> { (0..seq * batch).map(|i| (i * 31 + salt) % vocab).collect() };
    Batch {
        inputs: ids(0),
        targets: ids(1),
        batch,
        seq,
    }
}

/// Milliseconds per step of chapter 8's GAN (one discriminator step and one generator
/// step, each with its own Adam) in the configurations of the PyTorch references:
/// `digits = false` is `gan_ring.py` (noise 256, hidden 128 × 2, ReLU), `digits = true` is
/// `gan_digits.py` (noise 64, hidden 256 × 2, LeakyReLU, tanh pixels).
pub fn gan_step_ms<D: Device<f32>>(dev: &D, digits: bool, batch: usize, reps: usize) -> f64 {
    use crate::gan::{DigitsGan, GanConfig, PlaneGan, Players, gan_step, noise};
    let mut rng = crate::train::step_rng(0, 0);
    let mut players = Players::new(GanConfig::default().adam);
    if digits {
        let mut gan = DigitsGan::<D>::new(dev, (64, 64, 1), 0);
        let real: Vec<f32> = noise(batch, 64, &mut rng)
            .iter()
            .map(|x| x.tanh())
            .collect();
        let z = noise(batch, 64, &mut rng);
        time_ms(reps, || gan_step(&mut gan, &mut players, &real, &z, 2e-4).d)
    } else {
        let mut gan = PlaneGan::<D>::new(dev, (256, 2, 1), 0);
        let real = crate::data::Mixture::ring().sample(batch, &mut rng);
        let z = noise(batch, 256, &mut rng);
        time_ms(reps, || gan_step(&mut gan, &mut players, &real, &z, 1e-4).d)
    }
}

/// The Tang poems' vocabulary: how many distinct characters a real Chinese corpus has.
pub const TANG_VOCAB: usize = 6579;

/// Every configuration of the book so far, at its own batch size and at a large one.
///
/// This takes a while (`tests/device.rs` runs it once per device), so the example only
/// builds:
///
/// ```no_run
/// use dfdx::prelude::*;
/// let rows = aigc::bench::run_bench(&Cpu::default(), 1);
/// assert!(rows.iter().any(|r| r.model.starts_with("mini-GPT")));
/// assert!(rows.iter().all(|r| r.ms_per_step > 0.0));
/// ```
pub fn run_bench<D: Device<f32> + DeviceBuildExt>(dev: &D, reps: usize) -> Vec<BenchRow> {
    const LSTM: &str = "char LSTM 64→256, 65 chars, 64 steps (Adam)";
    const LSTM_TANG: &str = "char LSTM 64→256, 6,579 chars (Tang poems), 64 steps (Adam)";
    const GPT: &str = "mini-GPT 4 blocks × 128, 4 heads, 65 chars, 64 positions (AdamW)";
    const GPT_TANG: &str =
        "mini-GPT 4 blocks × 128, 4 heads, 6,579 chars (Tang poems), 64 positions (AdamW)";
    const RING: &str = "GAN D+G step, ring: noise 256, MLPs 128×2 (2 Adams)";
    const DIGITS: &str = "GAN D+G step, digits: noise 64, MLPs 256×2 (2 Adams)";
    let linear = |b: usize| 6.0 * 11.0 * b as f64;
    let mlp = |b: usize| 6.0 * (32.0 + 32.0 * 32.0 + 32.0) * b as f64;
    let (v, tang) = (65, TANG_VOCAB);
    // A large model's step takes far longer than a small one's: fewer repetitions give the
    // same precision.
    let r = |k: usize| reps.div_ceil(k);
    vec![
        row(
            "linear regression 11→1 (SGD)",
            32,
            linear_step_ms(dev, 32, reps),
            linear(32),
        ),
        row(
            "linear regression 11→1 (SGD)",
            4096,
            linear_step_ms(dev, 4096, reps),
            linear(4096),
        ),
        row(
            "MLP 1-32-32-1 (Adam)",
            256,
            mlp_step_ms(dev, 256, reps),
            mlp(256),
        ),
        row(
            "MLP 1-32-32-1 (Adam)",
            4096,
            mlp_step_ms(dev, 4096, reps),
            mlp(4096),
        ),
        row(
            LSTM,
            32,
            lstm_step_ms(dev, v, 32, r(10)),
            lstm_flops(v, 32, 64),
        ),
        row(
            LSTM,
            256,
            lstm_step_ms(dev, v, 256, r(20)),
            lstm_flops(v, 256, 64),
        ),
        row(
            LSTM_TANG,
            32,
            lstm_step_ms(dev, tang, 32, r(20)),
            lstm_flops(tang, 32, 64),
        ),
        row(
            GPT,
            12,
            gpt_step_ms(dev, v, 12, r(10)),
            gpt_flops(v, 12, 64),
        ),
        row(
            GPT,
            96,
            gpt_step_ms(dev, v, 96, r(40)),
            gpt_flops(v, 96, 64),
        ),
        row(
            GPT_TANG,
            12,
            gpt_step_ms(dev, tang, 12, r(20)),
            gpt_flops(tang, 12, 64),
        ),
        row(
            RING,
            256,
            gan_step_ms(dev, false, 256, reps),
            gan_flops(256, 128, 2, 1, 256),
        ),
        row(
            RING,
            4096,
            gan_step_ms(dev, false, 4096, r(10)),
            gan_flops(256, 128, 2, 1, 4096),
        ),
        row(
            DIGITS,
            64,
            gan_step_ms(dev, true, 64, reps),
            gan_flops(64, 256, 64, 1, 64),
        ),
    ]
}
