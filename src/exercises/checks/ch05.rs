//! Checks of chapter 5's exercises: the logic of `tests/exercises.rs`, callable on any
//! function with the exercise's signature (the notebooks' check cells call these).

#![allow(clippy::type_complexity)]

#[allow(unused_imports)]
use super::*;
use crate::regression::*;

fn wine() -> Dataset {
    wine_quality().unwrap().standardized()
}

fn jacobi_condition_number(data: &Dataset) -> f64 {
    let k = data.n_features() + 1;
    let mut m = vec![vec![0.0; k]; k];
    for i in 0..data.len() {
        let row: Vec<f64> = data.row(i).iter().copied().chain([1.0]).collect();
        for (a, m_row) in row.iter().zip(m.iter_mut()) {
            for (b, m_ab) in row.iter().zip(m_row.iter_mut()) {
                *m_ab += a * b / data.len() as f64;
            }
        }
    }
    for _sweep in 0..50 {
        for p in 0..k {
            for q in p + 1..k {
                if m[p][q] == 0.0 {
                    continue;
                }
                // The rotation in the (p, q) plane that zeroes m[p][q].
                let theta = (m[q][q] - m[p][p]) / (2.0 * m[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let (c, s) = (1.0 / (t * t + 1.0).sqrt(), t / (t * t + 1.0).sqrt());
                for row in m.iter_mut() {
                    let (a, b) = (row[p], row[q]);
                    (row[p], row[q]) = (c * a - s * b, s * a + c * b);
                }
                let (top, bottom) = m.split_at_mut(q);
                for (a, b) in top[p].iter_mut().zip(bottom[0].iter_mut()) {
                    (*a, *b) = (c * *a - s * *b, s * *a + c * *b);
                }
            }
        }
    }
    let eig: Vec<f64> = (0..k).map(|i| m[i][i]).collect();
    let max = eig.iter().copied().fold(f64::MIN, f64::max);
    let min = eig.iter().copied().fold(f64::MAX, f64::min);
    max / min
}

/// The checks of `tests/exercises.rs::ch05::exercise_5_1_scheduled_descent_decays_the_learning_rate`, on the given `scheduled_descent`.
pub fn exercise_5_1_scheduled_descent_decays_the_learning_rate(
    scheduled_descent: impl Fn(&Dataset, f64, usize) -> Vec<f64>,
) {
    let data = wine();
    let losses = scheduled_descent(&data, 0.1, 300);
    assert_eq!(losses.len(), 301);
    // Step by step with the library: η₀ for step 0, η₀/1.01 for step 1, η₀/1.02 for step 2.
    let mut model = LinearModel::zeros(data.n_features());
    assert!(close(losses[0], model.mse(&data), 1e-12));
    for (t, lr) in [0.1, 0.1 / 1.01, 0.1 / 1.02].into_iter().enumerate() {
        gradient_descent_step(&mut model, &data, lr);
        let want = model.mse(&data);
        assert!(
            close(losses[t + 1], want, 1e-12),
            "after step {t}: {} vs {want}",
            losses[t + 1]
        );
    }
    // Smaller steps than constant η₀, so it lags behind, but it still converges.
    let constant = gradient_descent_run(
        &data,
        GdConfig {
            lr: 0.1,
            epochs: 300,
        },
    );
    let best = least_squares(&data).unwrap().mse(&data);
    assert!(losses[300] > constant.losses[300]);
    assert!(
        losses[300] < 1.01 * best,
        "{} vs closed form {best}",
        losses[300]
    );
    assert!(
        losses.windows(2).all(|w| w[1] <= w[0]),
        "the loss must never rise"
    );
}

/// The checks of `tests/exercises.rs::ch05::exercise_5_2_condition_number`, on the given `condition_number`.
pub fn exercise_5_2_condition_number(condition_number: impl Fn(&Dataset) -> f64) {
    // Features with mean 0 and no correlation: AᵀA/n = diag(9, 0.25, 1), so κ = 36.
    let x = [3.0, 0.5, -3.0, 0.5, 3.0, -0.5, -3.0, -0.5];
    let toy = Dataset {
        feature_names: vec!["a".into(), "c".into()],
        target_name: "y".into(),
        x: x.to_vec(),
        y: vec![0.0; 4],
    };
    let kappa = condition_number(&toy);
    assert!(close(kappa, 36.0, 1e-6), "κ = {kappa}, want 36");
    // Standardised wine: compare with the eigenvalues from Jacobi's method.
    let data = wine();
    let want = jacobi_condition_number(&data);
    let kappa = condition_number(&data);
    assert!(close(kappa, want, 1e-6), "κ = {kappa}, want {want}");
    // Raw features are far worse conditioned: that is why the chapter standardises.
    let raw = condition_number(&wine_quality().unwrap());
    assert!(raw > 1e3 * want, "raw κ = {raw}, standardised {want}");
}

/// The checks of `tests/exercises.rs::ch05::exercise_5_3_momentum_by_hand_follows_dfdx`, on the given `momentum_descent`.
pub fn exercise_5_3_momentum_by_hand_follows_dfdx(
    momentum_descent: impl Fn(&Dataset, f64, f64, usize) -> Vec<f64>,
) {
    let data = wine();
    let epochs = 30;
    // μ = 0 is plain gradient descent.
    let plain = momentum_descent(&data, 0.1, 0.0, epochs);
    let gd = gradient_descent_run(&data, GdConfig { lr: 0.1, epochs });
    assert_eq!(plain.len(), epochs + 1);
    for (e, (a, b)) in plain.iter().zip(&gd.losses).enumerate() {
        assert!(close(*a, *b, 1e-12), "μ = 0, epoch {e}: {a} vs {b}");
    }
    // μ = 0.9 against dfdx's Sgd with Momentum::Classic(0.9), one full batch per step.
    let hand = momentum_descent(&data, 0.01, 0.9, epochs);
    let cfg = OptimiserConfig {
        kind: OptimiserKind::Momentum,
        lr: 0.01,
        epochs,
        batch_size: data.len(),
        seed: 0,
    };
    let dfdx = train_with::<WINE_FEATURES, _>(&Cpu::default(), &data, &cfg).unwrap();
    assert_eq!(hand.len(), dfdx.losses.len());
    for (e, (h, a)) in hand.iter().zip(&dfdx.losses).enumerate() {
        assert!((h - a).abs() <= 1e-4 * h, "epoch {e}: hand {h} vs dfdx {a}");
    }
}
