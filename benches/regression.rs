//! Throughput of chapter 5's training steps: `cargo bench --bench regression`.
//!
//! Prints time per step (median of several timed batches) for the hand-written
//! full-batch gradient-descent epoch, the dfdx autodiff gradient, and one Adam step of the
//! MLP. Speed is measured here, never asserted in tests; compare with the PyTorch
//! reference scripts by running both on the same machine in one session.

use std::hint::black_box;
use std::time::Instant;

use aigc::data::wine_quality;
use aigc::regression::*;
use dfdx::prelude::*;

/// Median seconds per call of `f`, over `batches` timed batches of `reps` calls.
fn time_per_call(reps: usize, batches: usize, mut f: impl FnMut()) -> f64 {
    f(); // warm-up: allocations, caches
    let mut samples: Vec<f64> = (0..batches)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..reps {
                f();
            }
            start.elapsed().as_secs_f64() / reps as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn report(name: &str, seconds: f64, items: usize, unit: &str) {
    println!(
        "{name:<48} {:>10.1} µs/step   {:>12.0} {unit}/s",
        seconds * 1e6,
        items as f64 / seconds
    );
}

fn main() {
    let data = wine_quality().expect("bundled data").standardized();
    let dev = Cpu::default();
    let n = data.len();

    let mut model = LinearModel::zeros(data.n_features());
    let t = time_per_call(200, 7, || {
        gradient_descent_step(&mut model, black_box(&data), 0.1)
    });
    report("hand-written GD epoch (1,599 × 11, f64)", t, n, "rows");

    let zero = LinearModel::zeros(WINE_FEATURES);
    let t = time_per_call(50, 7, || {
        black_box(autodiff_gradient::<WINE_FEATURES, _>(&dev, &zero, &data).unwrap());
    });
    report("dfdx autodiff gradient, incl. upload (f32)", t, n, "rows");

    let cfg = MlpConfig {
        steps: 50,
        ..MlpConfig::default()
    };
    let t = time_per_call(1, 5, || {
        black_box(fit_mlp(&Cpu::seed_from_u64(0), &cfg).unwrap());
    }) / cfg.steps as f64;
    report(
        "MLP 1-32-32-1 Adam step (256 points, f32)",
        t,
        cfg.points,
        "points",
    );
}
