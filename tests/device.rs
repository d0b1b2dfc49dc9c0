//! The chapter code on every device this build has.
//!
//! Each check runs on the CPU, and — when the crate is built with `--features cuda` — on
//! GPU 0 too; without a usable GPU the CUDA variant prints why and returns. The
//! `cpu_vs_gpu` tests build the same models on both devices (a model's weights are drawn on
//! the host from its seed, so the same seed gives the same weights anywhere), run them and
//! compare the results: dfdx uses different kernels (cuBLAS, its own CUDA kernels) with a
//! different order of floating-point additions, so results agree to a stated tolerance,
//! not bit for bit.

use aigc::data::{Batch, Dataset, Mixture, Tokenization, Tokenizer, random_batch, wine_quality};
use aigc::device::DeviceChoice;
use aigc::gan::{GanConfig, PlaneGan, Players, gan_step, losses, noise};
use aigc::lm::LanguageModel;
use aigc::params::parameters;
use aigc::regression::*;
use aigc::train::step_rng;
use dfdx::nn::DeviceBuildExt;
use dfdx::prelude::*;

fn wine() -> Dataset {
    wine_quality().unwrap().standardized()
}

/// The bundled animals corpus, its character tokenizer and 4 random windows of 16
/// characters.
fn animals() -> (Tokenizer, Batch) {
    let text = aigc::data::corpus::ANIMALS;
    let vocab = Tokenizer::learn(Tokenization::Chars, text);
    let ids = vocab.encode(text).unwrap();
    let batch = random_batch(&ids, 4, 16, &mut step_rng(0, 0));
    (vocab, batch)
}

/// GPU 0, or `None` after saying why it is skipped.
#[cfg(feature = "cuda")]
fn gpu() -> Option<aigc::device::GpuDevice> {
    let opened = aigc::device::resolve(DeviceChoice::Cuda).and_then(|_| aigc::device::open_gpu(0));
    match opened {
        Ok(dev) => Some(dev),
        Err(e) => {
            eprintln!("skipped on CUDA: {e}");
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

/// Every step the benchmark times, at small sizes (the whole table, `run_bench`, takes
/// 40 s on a 2-core CPU in a debug build; it runs on the GPU below and in `aigc bench`).
fn benchmark_steps_run<D: Device<f32> + DeviceBuildExt>(dev: &D) {
    use aigc::bench::*;
    let ms = [
        linear_step_ms(dev, 32, 1),
        mlp_step_ms(dev, 32, 1),
        lstm_step_ms(dev, 65, 2, 1),
        gpt_step_ms(dev, 65, 2, 1),
        gan_step_ms(dev, false, 64, 1),
        gan_step_ms(dev, true, 64, 1),
    ];
    assert!(ms.iter().all(|&t| t > 0.0 && t.is_finite()), "{ms:?}");
}
on_every_device!(bench, benchmark_steps_run);

/// The whole benchmark table on the GPU (`aigc --device cuda bench`).
#[cfg(feature = "cuda")]
#[test]
fn the_benchmark_runs_on_the_gpu() {
    let Some(gpu) = gpu() else { return };
    let rows = aigc::bench::run_bench(&gpu, 1);
    assert!(
        rows.iter()
            .all(|r| r.ms_per_step > 0.0 && r.examples_per_s.is_finite())
    );
}

fn lstm_runs_learns_and_writes<D: Device<f32>>(dev: &D) {
    use aigc::lstm::{BookLstm, generate, time_major};
    let (vocab, batch) = animals();
    let v = vocab.len();
    let mut model = BookLstm::<D>::new(dev, v, 0);
    // An untrained model is close to a uniform guess over the vocabulary.
    let loss = model.loss::<NoneTape>(&batch).as_vec()[0];
    assert!((loss - (v as f32).ln()).abs() < 0.5, "{loss} vs ln {v}");
    let (logits, _) = model.forward(time_major(dev, &batch.inputs, 4, 16), None);
    assert_eq!(logits.shape().concrete(), [16, 4, v]);
    // Device-side Adam: a few steps on one batch lower its loss.
    let mut opt = aigc::optim::ClippedAdam::new(aigc::lstm::LstmConfig::default().adam);
    let first = aigc::lm::train_step(&mut model, &mut opt, &batch, 2e-3).0;
    for _ in 0..4 {
        aigc::lm::train_step(&mut model, &mut opt, &batch, 2e-3);
    }
    let after = model.loss::<NoneTape>(&batch).as_vec()[0] as f64;
    assert!(after < first, "{first} → {after}");
    let how = aigc::sample::Sampling::default();
    let text = generate(&model, &vocab, "猫", 10, &how, 1).unwrap();
    assert_eq!(text.chars().count(), 11);
}
on_every_device!(lstm, lstm_runs_learns_and_writes);

fn gpt_runs_and_writes<D: Device<f32>>(dev: &D) {
    use aigc::gpt::{BookGpt, attention_weights, generate};
    let (vocab, batch) = animals();
    let v = vocab.len();
    let model = BookGpt::<D>::new(dev, v, 0);
    // Weights of N(0, 0.02²) give nearly equal logits: a uniform guess over the vocabulary.
    let loss = model.loss::<NoneTape>(&batch).as_vec()[0];
    assert!((loss - (v as f32).ln()).abs() < 0.1, "{loss} vs ln {v}");
    let logits = model.forward(dev.tensor_from_vec(batch.inputs.clone(), (4, 16)));
    assert_eq!(logits.shape().concrete(), [4, 16, v]);
    let q: Tensor<(usize, usize, usize, usize), f32, D> = dev.sample_normal_like(&(1, 2, 5, 4));
    let w = attention_weights(q.clone(), q).as_vec();
    assert_eq!(w[1..5], [0.0; 4], "position 0 reads only itself");
    let how = aigc::sample::Sampling::default();
    let text = generate(&model, &vocab, "猫", 10, &how, 1).unwrap();
    assert_eq!(text.chars().count(), 11);
}
on_every_device!(gpt, gpt_runs_and_writes);

fn gan_steps_and_checkpoints<D: Device<f32>>(dev: &D) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gan.ckpt");
    // Noise 3 and packs of 3: sizes chosen at run time.
    let mut gan = PlaneGan::<D>::new(dev, (3, 2, 3), 0);
    let mut players = Players::new(GanConfig::default().adam);
    let mut rng = step_rng(0, 0);
    let real = Mixture::ring().sample(96, &mut rng);
    let z = noise(96, 3, &mut rng);
    let before = losses(&gan, &real, &z);
    for _ in 0..5 {
        gan_step(&mut gan, &mut players, &real, &z, 1e-3);
    }
    let after = losses(&gan, &real, &z);
    assert!(after.d < before.d, "D loss {} → {}", before.d, after.d);
    // A checkpoint restores both players and both optimisers exactly.
    let name = gan.name("ring");
    let opts = [&players.g, &players.d];
    aigc::checkpoint::save(&path, &name, &gan, &opts, &"record").unwrap();
    let ckpt = aigc::checkpoint::open::<String>(&path, &name).unwrap();
    assert_eq!(ckpt.run, "record");
    let mut fresh = PlaneGan::<D>::new(dev, (3, 2, 3), 1);
    ckpt.restore(&mut fresh).unwrap();
    assert_eq!(parameters(&fresh), parameters(&gan));
    let (g, d) = (
        ckpt.optimiser(0, dev).unwrap(),
        ckpt.optimiser(1, dev).unwrap(),
    );
    assert_eq!((g.t, g.moments()), (players.g.t, players.g.moments()));
    assert_eq!((d.t, d.moments()), (players.d.t, players.d.moments()));
}
on_every_device!(gan, gan_steps_and_checkpoints);

/// `on_device!` runs one body, compiled for each device type, on the device chosen at run
/// time; a GPU that this build or machine lacks is an error, never a silent fallback.
#[test]
fn the_device_macro_runs_the_chosen_device() {
    fn two(choice: DeviceChoice) -> aigc::Result<f32> {
        Ok(aigc::on_device!(choice, 0, |dev| {
            let x: Tensor<Rank1<2>, f32, _> = dev.ones();
            x.sum::<Rank0, _>().as_vec()[0]
        }))
    }
    assert_eq!(two(DeviceChoice::Cpu).unwrap(), 2.0);
    assert_eq!(two(DeviceChoice::Auto).unwrap(), 2.0);
    match aigc::device::resolve(DeviceChoice::Cuda) {
        Ok(_) => assert_eq!(two(DeviceChoice::Cuda).unwrap(), 2.0),
        Err(e) => {
            let asked = two(DeviceChoice::Cuda).unwrap_err().to_string();
            assert_eq!(asked, e.to_string());
            assert!(asked.contains("--device cpu"), "{asked}");
        }
    }
    if !aigc::device::CUDA_COMPILED {
        let e = two(DeviceChoice::Cuda).unwrap_err().to_string();
        assert!(e.contains("--features cuda"), "{e}");
    }
}

/// The same seed builds the same model on two fresh devices of one kind, whatever the
/// devices' own generators were seeded with.
#[test]
fn the_same_seed_gives_the_same_weights_on_fresh_devices() {
    let (a, b) = (Cpu::seed_from_u64(1), Cpu::seed_from_u64(2));
    let lstm = |dev: &Cpu| parameters(&aigc::lstm::BookLstm::new(dev, 30, 4));
    assert_eq!(lstm(&a), lstm(&b));
    let gpt = |dev: &Cpu| parameters(&aigc::gpt::BookGpt::new(dev, 30, 4));
    assert_eq!(gpt(&a), gpt(&b));
    let gan = |dev: &Cpu| parameters(&PlaneGan::new(dev, (2, 2, 2), 4));
    assert_eq!(gan(&a), gan(&b));
}

/// Same seeds, same initial weights, two devices: the numbers must agree.
#[cfg(feature = "cuda")]
mod cpu_vs_gpu {
    use super::*;
    use aigc::params::set_parameters;

    /// Relative tolerance for f32 results computed with different summation orders.
    const RTOL: f64 = 1e-3;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= RTOL * a.abs().max(b.abs()) + 1e-6
    }

    /// Every number of `a` within `atol` of the same number of `b`.
    fn all_close(what: &str, a: &[Vec<f32>], b: &[Vec<f32>], atol: f32) {
        assert_eq!(a.len(), b.len(), "{what}: tensor count");
        for (k, (x, y)) in a.iter().zip(b).enumerate() {
            assert_eq!(x.len(), y.len(), "{what}: tensor {k}");
            for (p, q) in x.iter().zip(y) {
                assert!(
                    (p - q).abs() <= atol,
                    "{what}: tensor {k}: cpu {p} vs gpu {q}"
                );
            }
        }
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
    fn lstm_from_the_same_seed_agrees_and_trains_alike() {
        use aigc::lstm::{BookLstm, time_major};
        let Some(gpu) = gpu() else { return };
        let cpu = Cpu::default();
        let (vocab, batch) = animals();
        let mut on_cpu = BookLstm::new(&cpu, vocab.len(), 0);
        let mut on_gpu = BookLstm::new(&gpu, vocab.len(), 0);
        assert_eq!(
            parameters(&on_cpu),
            parameters(&on_gpu),
            "drawn on the host"
        );
        let (a, _) = on_cpu.forward(time_major(&cpu, &batch.inputs, 4, 16), None);
        let (b, _) = on_gpu.forward(time_major(&gpu, &batch.inputs, 4, 16), None);
        for (x, y) in a.as_vec().iter().zip(b.as_vec()) {
            assert!((x - y).abs() < 1e-4, "cpu {x} vs gpu {y}");
        }
        // Five steps of the shared text step, Adam's moments on each device.
        let settings = aigc::lstm::LstmConfig::default().adam;
        let mut opts = (
            aigc::optim::ClippedAdam::new(settings),
            aigc::optim::ClippedAdam::new(settings),
        );
        for step in 0..5 {
            let (la, na) = aigc::lm::train_step(&mut on_cpu, &mut opts.0, &batch, 2e-3);
            let (lb, nb) = aigc::lm::train_step(&mut on_gpu, &mut opts.1, &batch, 2e-3);
            assert!(close(la, lb), "step {step}: loss cpu {la} vs gpu {lb}");
            assert!(
                close(na as f64, nb as f64),
                "step {step}: norm cpu {na} vs gpu {nb}"
            );
        }
        // Adam moves a weight by about lr per step whatever its gradient's size, so a
        // gradient near 0 whose sign differs on the two devices may move it 2 lr apart.
        let moved = 5.0 * 2.0 * 2e-3;
        all_close(
            "LSTM weights",
            &parameters(&on_cpu),
            &parameters(&on_gpu),
            moved,
        );
    }

    #[test]
    fn gpt_logits_from_the_same_seed_agree() {
        use aigc::gpt::BookGpt;
        let Some(gpu) = gpu() else { return };
        let cpu = Cpu::default();
        let (vocab, _) = animals();
        let on_cpu = BookGpt::new(&cpu, vocab.len(), 0);
        let on_gpu = BookGpt::new(&gpu, vocab.len(), 0);
        let ids: Vec<usize> = (0..128).map(|i| (i * 13) % vocab.len()).collect();
        let a = on_cpu.forward(cpu.tensor_from_vec(ids.clone(), (2, 64)));
        let b = on_gpu.forward(gpu.tensor_from_vec(ids, (2, 64)));
        for (x, y) in a.as_vec().iter().zip(b.as_vec()) {
            assert!((x - y).abs() < 1e-4, "cpu {x} vs gpu {y}");
        }
    }

    #[test]
    fn gan_runs_from_the_same_seed_agree() {
        use aigc::gan::run_plane;
        use aigc::train::{RunOptions, Stop};
        let Some(gpu) = gpu() else { return };
        let ring = Mixture::ring();
        let cfg = GanConfig {
            steps: 10,
            batch: 64,
            eval_every: 5,
            ..GanConfig::default()
        };
        let opts = RunOptions::default();
        let a = run_plane(&Cpu::default(), &ring, &cfg, &opts, &Stop::new()).unwrap();
        let b = run_plane(&gpu, &ring, &cfg, &opts, &Stop::new()).unwrap();
        for (s, (x, y)) in a.log.losses.iter().zip(&b.log.losses).enumerate() {
            let agree = close(x.d as f64, y.d as f64) && close(x.g as f64, y.g as f64);
            assert!(agree, "step {s}: cpu {x:?} vs gpu {y:?}");
        }
        // At most 2 lr apart per Adam step (see the LSTM's test).
        let moved = 10.0 * 2.0 * cfg.lr;
        all_close(
            "GAN weights",
            &parameters(&a.gan),
            &parameters(&b.gan),
            moved,
        );
        // Weights copied from the CPU into a GPU model of another seed: the same samples.
        let mut copy = PlaneGan::new(&gpu, (cfg.noise_dim, 2, cfg.pack), 99);
        assert!(set_parameters(&mut copy, &parameters(&a.gan)));
        let z = noise(100, cfg.noise_dim, &mut step_rng(0, 0));
        let (x, y) = (a.gan.generate(&z), copy.generate(&z));
        all_close("samples", &[x], &[y], 1e-4);
    }

    // ANCHOR: same_weights
    #[test]
    fn mlp_training_from_the_same_weights_agrees() {
        let Some(gpu) = gpu() else { return };
        let cpu = Cpu::seed_from_u64(0);
        let on_cpu = cpu.build_module::<CurveMlp, f32>();
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
