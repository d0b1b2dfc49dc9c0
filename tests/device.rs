//! The chapter code on every device this build has.
//!
//! Each check runs on the CPU, and — when the crate is built with `--features cuda` — on
//! GPU 0 too; without a usable GPU the CUDA variant prints why and returns. The
//! `cpu_vs_gpu` tests run the same seeds and the same initial weights on both devices and
//! compare the results: dfdx uses different kernels (cuBLAS, its own CUDA kernels) with a
//! different order of floating-point additions, so results agree to a stated tolerance,
//! not bit for bit.

use aigc::data::{Dataset, wine_quality};
use aigc::regression::*;
use dfdx::nn::DeviceBuildExt;
use dfdx::prelude::*;

fn wine() -> Dataset {
    wine_quality().unwrap().standardized()
}

/// GPU 0, or `None` after saying why it is skipped.
#[cfg(feature = "cuda")]
fn gpu() -> Option<Cuda> {
    match Cuda::try_seed_from_u64(0) {
        Ok(dev) => Some(dev),
        Err(e) => {
            eprintln!("skipped on CUDA: no usable GPU ({e:?})");
            None
        }
    }
}

/// Defines `mod $name { fn cpu(); fn cuda(); }` running `$check` on each device.
// ANCHOR: on_every_device
macro_rules! on_every_device {
    ($name:ident, $check:ident) => {
        mod $name {
            #[test]
            fn cpu() {
                super::$check(&dfdx::prelude::Cpu::seed_from_u64(0));
            }
            #[cfg(feature = "cuda")]
            #[test]
            fn cuda() {
                if let Some(dev) = super::gpu() {
                    super::$check(&dev);
                }
            }
        }
    };
}
// ANCHOR_END: on_every_device

fn derivative_is_exact<D: Device<f32>>(dev: &D) {
    assert_eq!(aigc::tensors::derivative_at(dev, 2.0), (10.0, 7.0));
}
on_every_device!(derivative, derivative_is_exact);

fn mse_matches_plain_rust<D: Device<f32>>(dev: &D) {
    let (y, y_hat) = ([1.0, 2.0, 3.0, 4.0], [1.5, 1.0, 3.0, 6.0]);
    let plain = aigc::mse::mse(&y, &y_hat);
    let on_device = aigc::mse::mse_dfdx(dev, &y.map(|v| v as f32), &y_hat.map(|v| v as f32));
    assert!(
        (plain - on_device as f64).abs() < 1e-6,
        "{plain} vs {on_device}"
    );
}
on_every_device!(mse, mse_matches_plain_rust);

fn autodiff_matches_the_hand_gradient<D: Device<f32>>(dev: &D) {
    let data = wine();
    let model = LinearModel {
        w: vec![0.1; 11],
        b: 5.0,
    };
    let auto = autodiff_gradient::<WINE_FEATURES, D>(dev, &model, &data).unwrap();
    let hand = gradient(&model, &data);
    for (a, h) in auto
        .w
        .iter()
        .chain([&auto.b])
        .zip(hand.w.iter().chain([&hand.b]))
    {
        assert!((a - h).abs() < 1e-4, "{a} vs {h}");
    }
}
on_every_device!(autodiff, autodiff_matches_the_hand_gradient);

fn dfdx_gradient_descent_reaches_the_closed_form<D: Device<f32>>(dev: &D) {
    let data = wine();
    let cfg = OptimiserConfig {
        kind: OptimiserKind::Sgd,
        lr: 0.3,
        epochs: 300,
        batch_size: data.len(),
        seed: 0,
    };
    let run = train_with::<WINE_FEATURES, D>(dev, &data, &cfg).unwrap();
    let best = least_squares(&data).unwrap().mse(&data);
    let last = *run.losses.last().unwrap();
    assert!(
        (last - best).abs() < 1e-3 * best,
        "{last} vs closed form {best}"
    );
}
on_every_device!(
    gradient_descent,
    dfdx_gradient_descent_reaches_the_closed_form
);

fn mlp_learns_the_curve<D: Device<f32> + DeviceBuildExt>(dev: &D) {
    let cfg = MlpConfig {
        steps: 500,
        ..MlpConfig::default()
    };
    let run = fit_mlp(dev, &cfg).unwrap();
    assert!(
        run.losses[cfg.steps] < 0.2 * run.losses[0],
        "{:?}",
        run.losses.last()
    );
}
on_every_device!(mlp, mlp_learns_the_curve);

fn benchmark_runs<D: Device<f32> + DeviceBuildExt>(dev: &D) {
    let rows = aigc::bench::run_bench(dev, 1);
    assert!(
        rows.iter()
            .all(|r| r.ms_per_step > 0.0 && r.examples_per_s.is_finite())
    );
}
on_every_device!(bench, benchmark_runs);

fn lstm_runs_and_writes<D: Device<f32>>(dev: &D) {
    use aigc::lstm::{BookLstm, generate, next_char_loss, time_major};
    let model: BookLstm<D> = BuildModule::build(dev);
    let ids: Vec<usize> = (0..16).map(|i| (i * 7) % 90).collect();
    let (logits, _) = model.forward(time_major(dev, &ids, 2, 8), None);
    let loss = next_char_loss(logits, time_major(dev, &ids, 2, 8)).as_vec()[0];
    // An untrained model is close to a uniform guess over its 128 output slots.
    assert!((loss - (128f32).ln()).abs() < 0.5, "{loss}");
    let vocab = aigc::data::Vocab::from_text(aigc::data::corpus::ANIMALS);
    let how = aigc::sample::Sampling::default();
    let text = generate(dev, &model, &vocab, "猫", 10, &how, 1).unwrap();
    assert_eq!(text.chars().count(), 11);
}
on_every_device!(lstm, lstm_runs_and_writes);

fn gpt_runs_and_writes<D: Device<f32>>(dev: &D) {
    use aigc::gpt::{BookGpt, attention_weights, generate};
    use aigc::lstm::next_char_loss;
    let mut model: BookGpt<D> = BuildModule::build(dev);
    model.init_like_nanogpt();
    let ids: Vec<usize> = (0..32).map(|i| (i * 7) % 90).collect();
    let logits = model.forward(dev.tensor_from_vec(ids.clone(), (2, 16)));
    let loss = next_char_loss(logits, dev.tensor_from_vec(ids, (2, 16))).as_vec()[0];
    // Weights of N(0, 0.02²) give nearly equal logits: a uniform guess over 128 slots.
    assert!((loss - (128f32).ln()).abs() < 0.1, "{loss}");
    let q: Tensor<(usize, usize, usize, usize), f32, D> = dev.sample_normal_like(&(1, 2, 5, 4));
    let w = attention_weights(q.clone(), q).as_vec();
    assert_eq!(w[1..5], [0.0; 4], "position 0 reads only itself");
    let vocab = aigc::data::Vocab::from_text(aigc::data::corpus::ANIMALS);
    let how = aigc::sample::Sampling::default();
    let text = generate(dev, &model, &vocab, "猫", 10, &how, 1).unwrap();
    assert_eq!(text.chars().count(), 11);
}
on_every_device!(gpt, gpt_runs_and_writes);

/// Same seeds, same initial weights, two devices: the numbers must agree.
#[cfg(feature = "cuda")]
mod cpu_vs_gpu {
    use super::*;

    /// Relative tolerance for f32 results computed with different summation orders.
    const RTOL: f64 = 1e-3;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= RTOL * a.abs().max(b.abs()) + 1e-6
    }

    #[test]
    fn autodiff_gradients_agree() {
        let Some(gpu) = gpu() else { return };
        let data = wine();
        let model = LinearModel {
            w: (0..11).map(|j| 0.05 * j as f64).collect(),
            b: 4.0,
        };
        let a = autodiff_gradient::<WINE_FEATURES, _>(&Cpu::default(), &model, &data).unwrap();
        let b = autodiff_gradient::<WINE_FEATURES, _>(&gpu, &model, &data).unwrap();
        for (x, y) in a.w.iter().chain([&a.b]).zip(b.w.iter().chain([&b.b])) {
            assert!(close(*x, *y), "cpu {x} vs gpu {y}");
        }
    }

    #[test]
    fn optimiser_runs_agree_epoch_by_epoch() {
        let Some(gpu) = gpu() else { return };
        let data = wine();
        for kind in OptimiserKind::ALL {
            let cfg = OptimiserConfig::book(kind);
            let a = train_with::<WINE_FEATURES, _>(&Cpu::default(), &data, &cfg).unwrap();
            let b = train_with::<WINE_FEATURES, _>(&gpu, &data, &cfg).unwrap();
            for (e, (x, y)) in a.losses.iter().zip(&b.losses).enumerate() {
                assert!(
                    close(*x, *y),
                    "{}: epoch {e}: cpu {x} vs gpu {y}",
                    kind.name()
                );
            }
        }
    }

    #[test]
    fn lstm_logits_from_the_same_weights_agree() {
        use aigc::lstm::{BookLstm, time_major};
        let Some(gpu) = gpu() else { return };
        let cpu = Cpu::seed_from_u64(0);
        let on_cpu: BookLstm<Cpu> = BuildModule::build(&cpu);
        let on_gpu = on_cpu.to_device(&gpu);
        let ids: Vec<usize> = (0..64).map(|i| (i * 13) % 90).collect();
        let (a, _) = on_cpu.forward(time_major(&cpu, &ids, 4, 16), None);
        let (b, _) = on_gpu.forward(time_major(&gpu, &ids, 4, 16), None);
        for (x, y) in a.as_vec().iter().zip(b.as_vec()) {
            assert!((x - y).abs() < 1e-4, "cpu {x} vs gpu {y}");
        }
    }

    #[test]
    fn gpt_logits_from_the_same_weights_agree() {
        use aigc::gpt::BookGpt;
        let Some(gpu) = gpu() else { return };
        let cpu = Cpu::seed_from_u64(0);
        let mut on_cpu: BookGpt<Cpu> = BuildModule::build(&cpu);
        on_cpu.init_like_nanogpt();
        let on_gpu = on_cpu.to_device(&gpu);
        let ids: Vec<usize> = (0..128).map(|i| (i * 13) % 90).collect();
        let a = on_cpu.forward(cpu.tensor_from_vec(ids.clone(), (2, 64)));
        let b = on_gpu.forward(gpu.tensor_from_vec(ids, (2, 64)));
        for (x, y) in a.as_vec().iter().zip(b.as_vec()) {
            assert!((x - y).abs() < 1e-4, "cpu {x} vs gpu {y}");
        }
    }

    // ANCHOR: same_weights
    #[test]
    fn mlp_training_from_the_same_weights_agrees() {
        let Some(gpu) = gpu() else { return };
        let cpu = Cpu::seed_from_u64(0);
        let on_cpu = cpu.build_module::<Mlp, f32>();
        let on_gpu = on_cpu.to_device(&gpu); // the very same initial weights
        let cfg = MlpConfig {
            steps: 200,
            ..MlpConfig::default()
        };
        let a = train_mlp(&cpu, on_cpu, &cfg).unwrap();
        let b = train_mlp(&gpu, on_gpu, &cfg).unwrap();
        for (s, (x, y)) in a.losses.iter().zip(&b.losses).enumerate() {
            assert!(close(*x, *y), "step {s}: cpu {x} vs gpu {y}");
        }
        for (x, y) in a.fitted.iter().zip(&b.fitted) {
            assert!((x - y).abs() < 1e-3, "fitted curve: cpu {x} vs gpu {y}");
        }
    }
    // ANCHOR_END: same_weights
}
