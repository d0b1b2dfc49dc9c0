//! Chapter 5: gradients are right three ways, gradient descent reaches the closed form,
//! the learning-rate border is where the theory puts it, and every optimiser learns.

use aigc::AigcError;
use aigc::data::{Dataset, wine_quality};
use aigc::regression::*;
use dfdx::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn wine() -> Dataset {
    wine_quality().unwrap().standardized()
}

fn random_model(seed: u64, d: usize) -> LinearModel {
    let mut rng = StdRng::seed_from_u64(seed);
    LinearModel {
        w: (0..d).map(|_| rng.gen_range(-1.0..1.0)).collect(),
        b: rng.gen_range(3.0..7.0),
    }
}

fn assert_close(a: &Gradient, b: &Gradient, tol: f64, what: &str) {
    for (j, (x, y)) in a.w.iter().zip(&b.w).enumerate() {
        assert!((x - y).abs() <= tol, "{what}: ∂L/∂w{j} {x} vs {y}");
    }
    assert!((a.b - b.b).abs() <= tol, "{what}: ∂L/∂b {} vs {}", a.b, b.b);
}

#[test]
fn hand_derived_gradient_matches_finite_differences() {
    let data = wine();
    for seed in 0..3 {
        let m = random_model(seed, data.n_features());
        let fd = finite_difference_gradient(&m, &data, 1e-5);
        assert_close(
            &gradient(&m, &data),
            &fd,
            1e-7,
            "hand vs finite differences",
        );
    }
}

#[test]
fn autodiff_gradient_equals_hand_derived_gradient() {
    let data = wine();
    let dev = Cpu::default();
    for seed in 0..3 {
        let m = random_model(seed, data.n_features());
        let auto = autodiff_gradient::<WINE_FEATURES, _>(&dev, &m, &data).unwrap();
        // dfdx computes in f32: agreement to ~1e-6 relative on gradients of size ~1.
        assert_close(&gradient(&m, &data), &auto, 1e-4, "hand vs autodiff");
    }
}

#[test]
fn gradient_descent_reaches_the_closed_form_within_a_tenth_of_a_percent() {
    let data = wine();
    let best = least_squares(&data).unwrap().mse(&data);
    let run = gradient_descent(&data, GdConfig::default()).unwrap();
    let gd = run.model.mse(&data);
    assert!(gd >= best - 1e-12, "nothing beats least squares");
    assert!(gd <= best * 1.001, "gd {gd} vs closed form {best}");
    // And the loss went down at every epoch (η is below the stability limit), up to rounding.
    assert!(run.losses.windows(2).all(|w| w[1] <= w[0] + 1e-12));
}

#[test]
fn closed_form_mse_of_red_wine_is_the_known_value() {
    // Ordinary least squares on all 1,599 red wines: MSE ≈ 0.4168 (R² ≈ 0.36).
    let data = wine();
    let mse = least_squares(&data).unwrap().mse(&data);
    assert!((mse - 0.41677).abs() < 5e-5, "{mse}");
}

#[test]
fn standardising_does_not_change_the_best_fit() {
    let raw = wine_quality().unwrap();
    let a = least_squares(&raw).unwrap().mse(&raw);
    let b = least_squares(&wine()).unwrap().mse(&wine());
    assert!((a - b).abs() < 1e-9, "{a} vs {b}");
}

#[test]
fn learning_rates_diverge_exactly_above_the_stability_limit() {
    let data = wine();
    let limit = stable_lr_limit(&data);
    let runs = learning_rate_sweep(&data, &[0.95 * limit, 1.05 * limit], 300);
    assert_eq!(runs[0].diverged_at, None, "just below 1/λ_max converges");
    assert!(runs[1].diverged_at.is_some(), "just above 1/λ_max diverges");
}

#[test]
fn the_book_sweep_has_one_diverging_rate() {
    let cfg = RegressionConfig::default();
    let runs = learning_rate_sweep(&wine(), &cfg.sweep_lrs, cfg.sweep_epochs);
    let diverged: Vec<f64> = runs
        .iter()
        .filter(|r| r.diverged_at.is_some())
        .map(|r| r.lr)
        .collect();
    assert_eq!(diverged, vec![0.4]);
    // Too small: after 100 epochs η = 0.001 is still far from the minimum.
    assert!(runs[0].losses.last().unwrap() > &10.0);
}

#[test]
fn a_diverging_run_is_an_error_naming_the_learning_rate() {
    let err = gradient_descent(
        &wine(),
        GdConfig {
            lr: 2.0,
            epochs: 50,
        },
    )
    .unwrap_err();
    assert!(matches!(err, AigcError::Diverged { lr, .. } if lr == 2.0));
    let msg = err.to_string();
    assert!(msg.contains("learning rate 2"), "{msg}");
    assert!(msg.contains("stable only below η = 0.32"), "{msg}");
    assert!(!msg.contains("NaN") || msg.contains("became NaN"), "{msg}");
}

#[test]
fn invalid_hyper_parameters_are_rejected() {
    let data = wine();
    for lr in [0.0, -0.1, f64::NAN, f64::INFINITY] {
        let err = gradient_descent(&data, GdConfig { lr, epochs: 10 }).unwrap_err();
        assert!(
            err.to_string().starts_with("invalid learning rate"),
            "{err}"
        );
    }
    let err = gradient_descent(&data, GdConfig { lr: 0.1, epochs: 0 }).unwrap_err();
    assert_eq!(err.to_string(), "invalid epochs: must be at least 1, got 0");
    let mut cfg = OptimiserConfig::book(OptimiserKind::Sgd);
    cfg.batch_size = 0;
    let err = train_with::<WINE_FEATURES, _>(&Cpu::default(), &data, &cfg).unwrap_err();
    assert!(err.to_string().starts_with("invalid batch size"), "{err}");
}

#[test]
fn full_batch_sgd_in_dfdx_follows_the_hand_written_descent() {
    let data = wine();
    let epochs = 30;
    let hand = gradient_descent_run(&data, GdConfig { lr: 0.1, epochs });
    let cfg = OptimiserConfig {
        kind: OptimiserKind::Sgd,
        lr: 0.1,
        epochs,
        batch_size: data.len(), // one batch = the whole data: plain gradient descent
        seed: 0,
    };
    let auto = train_with::<WINE_FEATURES, _>(&Cpu::default(), &data, &cfg).unwrap();
    for (e, (h, a)) in hand.losses.iter().zip(&auto.losses).enumerate() {
        assert!((h - a).abs() <= 1e-4 * h, "epoch {e}: hand {h} vs dfdx {a}");
    }
}

#[test]
fn every_optimiser_lowers_the_loss() {
    let data = wine();
    for kind in OptimiserKind::ALL {
        let run =
            train_with::<WINE_FEATURES, _>(&Cpu::default(), &data, &OptimiserConfig::book(kind))
                .unwrap();
        let (first, last) = (run.losses[0], *run.losses.last().unwrap());
        assert!(last < 0.05 * first, "{}: {first} → {last}", kind.name());
        assert!(last < 0.6, "{} ends at {last}", kind.name());
    }
}

#[test]
fn optimiser_runs_are_reproducible() {
    let data = wine();
    let cfg = OptimiserConfig::book(OptimiserKind::Adam);
    let a = train_with::<WINE_FEATURES, _>(&Cpu::default(), &data, &cfg).unwrap();
    let b = train_with::<WINE_FEATURES, _>(&Cpu::default(), &data, &cfg).unwrap();
    assert_eq!(a.losses, b.losses);
}

#[test]
fn data_of_another_width_gets_a_clear_error_from_the_dfdx_path() {
    let data = wine().select(&[0, 1, 2]);
    let narrow = Dataset {
        feature_names: data.feature_names[..2].to_vec(),
        x: (0..3).flat_map(|i| data.row(i)[..2].to_vec()).collect(),
        ..data
    };
    let err =
        autodiff_gradient::<WINE_FEATURES, _>(&Cpu::default(), &LinearModel::zeros(2), &narrow)
            .unwrap_err();
    assert!(
        err.to_string().contains("compiled for 11 features"),
        "{err}"
    );
    // The hand-written path works for any width.
    assert!(least_squares(&narrow).is_ok());
}

#[test]
fn linearly_dependent_features_are_reported_not_solved_into_nonsense() {
    let data = Dataset {
        feature_names: vec!["a".into(), "twice a".into()],
        target_name: "y".into(),
        x: vec![1.0, 2.0, 2.0, 4.0, 3.0, 6.0],
        y: vec![1.0, 2.0, 3.0],
    };
    let err = least_squares(&data).unwrap_err();
    assert!(err.to_string().contains("linearly dependent"), "{err}");
}

#[test]
fn mlp_fits_the_curve_far_better_than_a_line() {
    let cfg = MlpConfig::default();
    let report = run_mlp(&Cpu::seed_from_u64(cfg.seed), &cfg).unwrap();
    let losses = &report.run().losses;
    assert!(losses[losses.len() - 1] < 0.1 * losses[0]);
    assert!(report.mlp_mse < 0.02, "{}", report.mlp_mse);
    assert!(report.line_mse > 10.0 * report.mlp_mse);
}

#[test]
fn mlp_training_is_bit_identical_for_the_same_seed() {
    let cfg = MlpConfig {
        steps: 200,
        ..MlpConfig::default()
    };
    let a = fit_mlp(&Cpu::seed_from_u64(3), &cfg).unwrap();
    let b = fit_mlp(&Cpu::seed_from_u64(3), &cfg).unwrap();
    assert_eq!(a.losses, b.losses);
    let c = fit_mlp(&Cpu::seed_from_u64(4), &cfg).unwrap();
    assert_ne!(
        a.losses, c.losses,
        "another seed gives other initial weights"
    );
}

#[test]
fn mlp_with_a_huge_learning_rate_stops_with_a_message() {
    let cfg = MlpConfig {
        lr: 1e6,
        steps: 300,
        ..MlpConfig::default()
    };
    match fit_mlp(&Cpu::seed_from_u64(0), &cfg) {
        Err(AigcError::Diverged { lr, .. }) => assert_eq!(lr, 1e6),
        Err(e) => panic!("unexpected error {e}"),
        Ok(run) => panic!("expected divergence, losses end at {:?}", run.losses.last()),
    }
}

#[test]
fn the_chapters_optimiser_comparison_holds() {
    // The chapter explains why, on this data and budget, plain SGD ends closest to the
    // closed form, momentum's noise keeps it higher and Adam's η-sized steps leave it behind.
    let data = wine();
    let runs: Vec<f64> = OptimiserKind::ALL
        .iter()
        .map(|&k| {
            let run =
                train_with::<WINE_FEATURES, _>(&Cpu::default(), &data, &OptimiserConfig::book(k));
            *run.unwrap().losses.last().unwrap()
        })
        .collect();
    let (sgd, momentum, adam) = (runs[0], runs[1], runs[2]);
    assert!(
        sgd < momentum && sgd < adam,
        "sgd {sgd}, momentum {momentum}, adam {adam}"
    );
}

#[test]
fn the_mlp_ends_just_below_the_noise_floor_on_its_training_points() {
    // The chapter reads this as the first sign of overfitting.
    let cfg = MlpConfig::default();
    let report = run_mlp(&Cpu::seed_from_u64(cfg.seed), &cfg).unwrap();
    assert!(
        report.mlp_mse < report.noise_floor,
        "{} vs {}",
        report.mlp_mse,
        report.noise_floor
    );
    assert!(
        report.mlp_mse > 0.8 * report.noise_floor,
        "not wildly overfitted"
    );
}
