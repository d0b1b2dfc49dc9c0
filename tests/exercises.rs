//! The book's checked exercises: one test per exercise in `src/exercises/`.
//!
//! Until you solve an exercise, its test fails with the stub's `todo!` message, e.g.
//! "not yet implemented: Exercise 4.1: …". Run
//!
//! ```text
//! cargo test --features exercises --test exercises          # every exercise
//! cargo test --features exercises --test exercises ch05     # one chapter's
//! ```
//!
//! CI runs these tests with `--features solutions`, against the reference solutions.
#![cfg(feature = "exercises")]

use aigc::data::{Dataset, wine_quality};
use aigc::dfdx::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// `|a − b| ≤ tol · max(|a|, |b|, 1)`.
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

mod ch03 {
    use super::*;
    use aigc::exercises::ch03::*;

    #[test]
    fn exercise_3_1_derivative_of_x_cubed_minus_2x() {
        let dev = Cpu::default();
        for x in [-2.0f32, -0.5, 0.0, 1.0, 2.0, 3.0] {
            let (f, df) = cubic_derivative_at(&dev, x);
            let (f_want, df_want) = (x * x * x - 2.0 * x, 3.0 * x * x - 2.0);
            assert!(
                close(f as f64, f_want as f64, 1e-6),
                "f({x}) = {f}, want {f_want}"
            );
            assert!(
                close(df as f64, df_want as f64, 1e-5),
                "f'({x}) = {df}, want {df_want}"
            );
        }
        assert_eq!(cubic_derivative_at(&dev, 2.0), (4.0, 10.0));
    }

    #[test]
    fn exercise_3_2_sigmoid_neuron_gradients_follow_the_chain_rule() {
        let dev = Cpu::default();
        let (w, b, x) = ([0.5f32, -1.0, 2.0], 0.1f32, [1.0f32, 2.0, 0.5]);
        let g = sigmoid_neuron_gradients(&dev, w, b, x);
        let z: f32 = w.iter().zip(&x).map(|(w, x)| w * x).sum::<f32>() + b;
        let a = 1.0 / (1.0 + (-z).exp());
        assert!((g.output - a).abs() < 1e-6, "a = {}, want {a}", g.output);
        let slope = a * (1.0 - a); // σ'(z) = σ(z)(1 − σ(z))
        assert_eq!(g.d_weights.len(), 3);
        for (j, (d, xj)) in g.d_weights.iter().zip(x).enumerate() {
            assert!(
                (d - slope * xj).abs() < 1e-6,
                "∂a/∂w{j} = {d}, want {}",
                slope * xj
            );
        }
        assert!(
            (g.d_bias - slope).abs() < 1e-6,
            "∂a/∂b = {}, want {slope}",
            g.d_bias
        );
        // And against finite differences of the library's sigmoid neuron.
        let h = 1e-2f32;
        let neuron = |b: f32| aigc::neuron::sigmoid_neuron_dfdx(&dev, w, b, x);
        let numeric = (neuron(b + h) - neuron(b - h)) / (2.0 * h);
        assert!(
            (g.d_bias - numeric).abs() < 1e-4,
            "{} vs {numeric}",
            g.d_bias
        );
    }

    #[test]
    fn exercise_3_3_layer_forward_is_x_times_w_plus_b_on_every_row() {
        let dev = Cpu::default();
        let x = [
            [1.0, 2.0, 3.0],
            [4.0, 5.0, 6.0],
            [0.0, 0.0, 0.0],
            [1.0, -1.0, 0.5],
        ];
        let w = [[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]];
        let b = [10.0, 20.0];
        assert_eq!(
            layer_forward(&dev, x, w, b),
            vec![14.0, 19.0, 20.0, 19.0, 10.0, 20.0, 11.5, 18.5]
        );
        let mut rng = StdRng::seed_from_u64(3);
        let mut r = || rng.gen_range(-1.0f32..1.0);
        let x = [
            [r(), r(), r()],
            [r(), r(), r()],
            [r(), r(), r()],
            [r(), r(), r()],
        ];
        let w = [[r(), r()], [r(), r()], [r(), r()]];
        let b = [r(), r()];
        let y = layer_forward(&dev, x, w, b);
        assert_eq!(y.len(), 8);
        for i in 0..4 {
            for k in 0..2 {
                let want: f32 = (0..3).map(|j| x[i][j] * w[j][k]).sum::<f32>() + b[k];
                assert!(
                    (y[2 * i + k] - want).abs() < 1e-5,
                    "Y[{i}][{k}] = {}, want {want}",
                    y[2 * i + k]
                );
            }
        }
    }
}

mod ch04 {
    use super::*;
    use aigc::exercises::ch04::*;
    use aigc::mse::{EXAM_SCORES, STUDY_HOURS, gaussian_nll, mse, toy_best_w};

    fn random(rng: &mut StdRng, n: usize) -> Vec<f64> {
        (0..n).map(|_| rng.gen_range(-3.0..3.0)).collect()
    }

    #[test]
    fn exercise_4_1_mean_absolute_error() {
        assert_eq!(
            mean_absolute_error(&[1.0, 2.0, 3.0], &[1.0, 2.0, 5.0]),
            2.0 / 3.0
        );
        assert_eq!(mean_absolute_error(&[0.0, 0.0], &[3.0, -4.0]), 3.5);
        assert_eq!(mean_absolute_error(&[1.5], &[1.5]), 0.0);
        let mut rng = StdRng::seed_from_u64(4);
        for n in [1, 5, 100] {
            let (y, y_hat) = (random(&mut rng, n), random(&mut rng, n));
            let mae = mean_absolute_error(&y, &y_hat);
            let want = y
                .iter()
                .zip(&y_hat)
                .map(|(a, b)| (a - b).abs())
                .sum::<f64>()
                / n as f64;
            assert!(close(mae, want, 1e-12), "n = {n}: {mae} vs {want}");
            // Averages of |e| never exceed the root of the average of e².
            assert!(mae <= mse(&y, &y_hat).sqrt() + 1e-12);
        }
    }

    #[test]
    fn exercise_4_2_mae_gradient_matches_finite_differences() {
        let y = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(
            mae_gradient(&y, &[0.0, 2.0, 3.5, 4.0]),
            vec![-0.25, 0.0, 0.25, 0.0]
        );
        let mae = |y_hat: &[f64]| {
            y.iter().zip(y_hat).map(|(a, b)| (a - b).abs()).sum::<f64>() / y.len() as f64
        };
        let y_hat = [0.3, 2.7, 2.9, 5.0];
        let grad = mae_gradient(&y, &y_hat);
        let h = 1e-6;
        for i in 0..4 {
            let (mut plus, mut minus) = (y_hat, y_hat);
            plus[i] += h;
            minus[i] -= h;
            let numeric = (mae(&plus) - mae(&minus)) / (2.0 * h);
            assert!(
                (grad[i] - numeric).abs() < 1e-8,
                "component {i}: {} vs {numeric}",
                grad[i]
            );
        }
    }

    #[test]
    fn exercise_4_3_best_w_and_an_outlier() {
        assert!(close(best_w_for(&EXAM_SCORES), toy_best_w(), 1e-12));
        let mut scores = EXAM_SCORES;
        scores[5] = 30.0;
        let w = best_w_for(&scores);
        let loss = |w: f64| {
            let y_hat: Vec<f64> = STUDY_HOURS.iter().map(|x| w * x).collect();
            mse(&scores, &y_hat)
        };
        // The minimum: the slope is zero there, and the loss is higher on both sides.
        let h = 1e-5;
        assert!(
            ((loss(w + h) - loss(w - h)) / (2.0 * h)).abs() < 1e-6,
            "slope at w = {w}"
        );
        assert!(loss(w) < loss(w + 0.01) && loss(w) < loss(w - 0.01));
        assert!(
            w > toy_best_w() + 1.0,
            "the outlier must pull w* up, got {w}"
        );
    }

    #[test]
    fn exercise_4_4_best_sigma_minimises_the_gaussian_nll() {
        let mut rng = StdRng::seed_from_u64(5);
        let (y, y_hat) = (random(&mut rng, 50), random(&mut rng, 50));
        let s = best_sigma(&y, &y_hat);
        assert!(
            close(s * s, mse(&y, &y_hat), 1e-9),
            "σ² = {} vs MSE {}",
            s * s,
            mse(&y, &y_hat)
        );
        let nll = |s: f64| gaussian_nll(&y, &y_hat, s);
        for f in [0.9, 0.99, 1.01, 1.1] {
            assert!(nll(s) < nll(s * f), "NLL(σ*) must be below NLL({f}σ*)");
        }
    }
}

mod ch05 {
    use super::*;
    use aigc::exercises::ch05::*;
    use aigc::regression::*;

    fn wine() -> Dataset {
        wine_quality().unwrap().standardized()
    }

    #[test]
    fn exercise_5_1_scheduled_descent_decays_the_learning_rate() {
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

    #[test]
    fn exercise_5_2_condition_number() {
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

    /// λ_max/λ_min of AᵀA/n by the cyclic Jacobi eigenvalue method: an independent check.
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

    #[test]
    fn exercise_5_3_momentum_by_hand_follows_dfdx() {
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
}

mod ch09 {
    use super::*;
    use aigc::bench::BenchRow;
    use aigc::exercises::ch09::*;

    #[test]
    fn exercise_9_1_pairwise_sum() {
        assert_eq!(pairwise_sum(&[]), 0.0);
        assert_eq!(pairwise_sum(&[2.5]), 2.5);
        assert_eq!(pairwise_sum(&[1.0, 2.0, 3.0, 4.0, 5.0]), 15.0);
        // In f32, 1e8 + 1 rounds to 1e8. Left to right gives 1; in halves, 0.
        let xs = [1e8f32, 1.0, -1e8, 1.0];
        assert_eq!(xs.iter().fold(0.0f32, |s, x| s + x), 1.0);
        assert_eq!(pairwise_sum(&xs), 0.0);
        // Three numbers split as [a] + [b, c]: 1 + (1e8 − 1e8) = 1, where (1 + 1e8) − 1e8 = 0.
        assert_eq!(pairwise_sum(&[1.0, 1e8, -1e8]), 1.0);
        // On many numbers the tree is more accurate than the loop.
        let mut rng = StdRng::seed_from_u64(9);
        let xs: Vec<f32> = (0..10_000).map(|_| rng.r#gen::<f32>()).collect();
        let exact: f64 = xs.iter().map(|&x| x as f64).sum();
        let looped = xs.iter().fold(0.0f32, |s, x| s + x) as f64;
        let tree = pairwise_sum(&xs) as f64;
        let (e_loop, e_tree) = ((looped - exact).abs() / exact, (tree - exact).abs() / exact);
        assert!(
            e_tree < 1e-6 && e_tree < e_loop,
            "tree error {e_tree:e}, loop error {e_loop:e}"
        );
    }

    #[test]
    fn exercise_9_2_reading_the_loss_less_often_changes_nothing_else() {
        let data = wine_quality().unwrap().standardized();
        let dev = Cpu::default();
        let all = losses_read_every(&dev, &data, 0.1, 50, 1).unwrap();
        assert_eq!(
            all.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            (1..=50).collect::<Vec<_>>()
        );
        let zero = aigc::regression::LinearModel::zeros(11).mse(&data);
        assert!(
            close(all[0].1 as f64, zero, 1e-5),
            "step 1: {} vs {zero}",
            all[0].1
        );
        assert!(
            all.windows(2).all(|w| w[1].1 < w[0].1),
            "the loss must fall every step"
        );
        let sparse = losses_read_every(&dev, &data, 0.1, 50, 10).unwrap();
        let want: Vec<(usize, f32)> = all.iter().copied().filter(|(s, _)| s % 10 == 0).collect();
        assert_eq!(sparse, want);
        assert_eq!(losses_read_every(&dev, &data, 0.1, 9, 10).unwrap(), vec![]);
    }

    fn row(batch: usize, ms: f64) -> BenchRow {
        BenchRow {
            model: "test".into(),
            batch,
            ms_per_step: ms,
            examples_per_s: batch as f64 / (ms / 1e3),
        }
    }

    #[test]
    fn exercise_9_3_crossover_batch() {
        // CPU: 0.5 µs per example, no fixed cost. GPU: 10.1 µs fixed, 0.25 µs per example.
        // 10.1 + 0.25 b < 0.5 b  ⇔  b > 40.4.
        let cpu = [row(32, 0.016), row(4096, 2.048)];
        let gpu = [row(32, 0.0181), row(4096, 1.0341)];
        assert_eq!(
            crossover_batch([&cpu[0], &cpu[1]], [&gpu[0], &gpu[1]]),
            Some(41)
        );
        // The rows may come in either order.
        assert_eq!(
            crossover_batch([&cpu[1], &cpu[0]], [&gpu[1], &gpu[0]]),
            Some(41)
        );
        // A GPU that is faster even for one example.
        let fast = [row(1, 0.0001), row(1000, 0.1)];
        assert_eq!(
            crossover_batch([&cpu[0], &cpu[1]], [&fast[0], &fast[1]]),
            Some(1)
        );
        // A GPU that costs more per example never catches up.
        let slow = [row(32, 0.1), row(4096, 4.0)];
        assert_eq!(
            crossover_batch([&cpu[0], &cpu[1]], [&slow[0], &slow[1]]),
            None
        );
        // Measured-looking numbers: 0.02 + 0.00001 b < 0.0001 b  ⇔  b > 222.2.
        let cpu = [row(100, 0.01), row(10_000, 1.0)];
        let gpu = [row(100, 0.021), row(10_000, 0.12)];
        assert_eq!(
            crossover_batch([&cpu[0], &cpu[1]], [&gpu[0], &gpu[1]]),
            Some(223)
        );
    }
}

mod ch06 {
    use super::*;
    use aigc::data::{Vocab, corpus};
    use aigc::exercises::ch06::*;
    use aigc::lm::next_token_loss;
    use aigc::lstm::{CharLstm, LstmCell};
    use aigc::sample::{Sampling, probabilities};

    type Cell = LstmCell<2, 3, 12, f64, Cpu>;

    fn sigmoid(z: f64) -> f64 {
        1.0 / (1.0 + (-z).exp())
    }

    #[test]
    fn exercise_6_1_step_without_forget_gate_by_hand() {
        let dev = Cpu::default();
        let mut cell: LstmCell<1, 1, 4, f64, Cpu> = BuildModule::build(&dev);
        // W_hh hₜ₋₁ + b_hh for hₜ₋₁ = 0.5 is (1, 1.5, −1, 0), gates in the order i, f, g, o.
        cell.hh.weight.copy_from(&[2.0, 3.0, -2.0, 4.0]);
        cell.hh.bias.copy_from(&[0.0, 0.0, 0.0, -2.0]);
        let (ln2, ln3) = (2f64.ln(), 3f64.ln());
        // Row 0: pre-activations (ln 3, −1.5, ln 2, 0), so i = 3/4, g = 3/5, o = 1/2.
        // Row 1: hₜ₋₁ = 0 and x_proj = 0, so i = 1/2, g = 0, o = σ(−2).
        let x_proj = dev.tensor_from_vec(
            vec![ln3 - 1.0, -3.0, ln2 + 1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            (2, Const::<4>),
        );
        let h = dev.tensor_from_vec(vec![0.5, 0.0], (2, Const::<1>));
        let c = dev.tensor_from_vec(vec![0.4, -1.0], (2, Const::<1>));
        let (h, c) = step_without_forget_gate(&cell, x_proj, h, c);
        let (h, c) = (h.as_vec(), c.as_vec());
        // cₜ = cₜ₋₁ + iₜgₜ: 0.4 + 0.75 · 0.6 = 0.85, and −1 + 0.5 · 0 = −1 (a forget gate
        // σ(−1.5) or σ(0) would have shrunk both).
        let want_c = [0.85, -1.0];
        let want_h = [0.5 * 0.85f64.tanh(), sigmoid(-2.0) * (-1.0f64).tanh()];
        assert_eq!((h.len(), c.len()), (2, 2));
        for r in 0..2 {
            assert!(
                close(c[r], want_c[r], 1e-12),
                "row {r}: c = {}, want {}",
                c[r],
                want_c[r]
            );
            assert!(
                close(h[r], want_h[r], 1e-12),
                "row {r}: h = {}, want {}",
                h[r],
                want_h[r]
            );
        }
    }

    /// A random cell, and random inputs and state for `steps` steps of a batch of 2.
    fn random_cell(steps: usize) -> (Cell, Vec<f64>, Vec<f64>, Vec<f64>) {
        let dev = Cpu::seed_from_u64(6);
        let cell: Cell = BuildModule::build(&dev);
        let mut rng = StdRng::seed_from_u64(6);
        let mut r = |n: usize| {
            (0..n)
                .map(|_| rng.gen_range(-1.0..1.0))
                .collect::<Vec<f64>>()
        };
        let (x, h0, c0) = (r(steps * 2 * 2), r(2 * 3), r(2 * 3));
        (cell, x, h0, c0)
    }

    #[test]
    fn exercise_6_1_is_the_lstm_with_a_forget_gate_stuck_at_one() {
        let dev = Cpu::default();
        let steps = 3;
        let (mut cell, x, h0, c0) = random_cell(steps);
        // A forget-gate bias of 60 makes fₜ = σ(60 + …) exactly 1.0 in f64.
        let mut bias = cell.hh.bias.as_vec();
        bias[3..6].iter_mut().for_each(|b| *b += 60.0);
        cell.hh.bias.copy_from(&bias);
        let rows = |v: &[f64]| dev.tensor_from_vec(v.to_vec(), (2, Const::<3>));
        let (hs, (h_lib, c_lib)) = cell.forward_seq(
            dev.tensor_from_vec(x.clone(), (steps, 2, Const::<2>)),
            Some((rows(&h0), rows(&c0))),
        );
        let hs = hs.as_vec();
        let (mut h, mut c) = (rows(&h0), rows(&c0));
        for t in 0..steps {
            let x_t = dev.tensor_from_vec(x[t * 4..(t + 1) * 4].to_vec(), (2, Const::<2>));
            (h, c) = step_without_forget_gate(&cell, cell.ih.forward(x_t), h, c);
            for (j, (a, b)) in h.as_vec().iter().zip(&hs[t * 6..(t + 1) * 6]).enumerate() {
                assert!(close(*a, *b, 1e-12), "h at step {t}, entry {j}: {a} vs {b}");
            }
        }
        for (name, mine, lib) in [("h", h, h_lib), ("c", c, c_lib)] {
            for (j, (a, b)) in mine.as_vec().iter().zip(&lib.as_vec()).enumerate() {
                assert!(close(*a, *b, 1e-12), "final {name}[{j}]: {a} vs {b}");
            }
        }
    }

    #[test]
    fn exercise_6_1_gradients_reach_every_weight() {
        let dev = Cpu::default();
        let (mut cell, x, h0, c0) = random_cell(2);
        let rows = |v: &[f64]| dev.tensor_from_vec(v.to_vec(), (2, Const::<3>));
        let input = |t: usize| dev.tensor_from_vec(x[t * 4..(t + 1) * 4].to_vec(), (2, Const::<2>));
        // Two steps, then L = Σ h₂ + ½ Σ c₂.
        let loss = |cell: &Cell| {
            let (h, c) =
                step_without_forget_gate(cell, cell.ih.forward(input(0)), rows(&h0), rows(&c0));
            let (h, c) = step_without_forget_gate(cell, cell.ih.forward(input(1)), h, c);
            h.sum::<Rank0, _>().array() + 0.5 * c.sum::<Rank0, _>().array()
        };
        let grads = cell.alloc_grads();
        let (h, c) = step_without_forget_gate(
            &cell,
            cell.ih.forward(input(0).traced(grads)),
            rows(&h0).retaped(),
            rows(&c0).retaped(),
        );
        let (h, c) = step_without_forget_gate(&cell, cell.ih.forward(input(1).retaped()), h, c);
        let grads = (h.sum::<Rank0, _>() + c.sum::<Rank0, _>() * 0.5).backward();
        let analytic = [
            grads.get(&cell.ih.weight).as_vec(),
            grads.get(&cell.ih.bias).as_vec(),
            grads.get(&cell.hh.weight).as_vec(),
            grads.get(&cell.hh.bias).as_vec(),
        ];
        let eps = 1e-6;
        let mut nonzero = 0;
        for (p, name) in ["ih.weight", "ih.bias", "hh.weight", "hh.bias"]
            .into_iter()
            .enumerate()
        {
            let original = [
                cell.ih.weight.as_vec(),
                cell.ih.bias.as_vec(),
                cell.hh.weight.as_vec(),
                cell.hh.bias.as_vec(),
            ][p]
                .clone();
            let set = |cell: &mut Cell, v: &[f64]| match p {
                0 => cell.ih.weight.copy_from(v),
                1 => cell.ih.bias.copy_from(v),
                2 => cell.hh.weight.copy_from(v),
                _ => cell.hh.bias.copy_from(v),
            };
            for j in 0..original.len() {
                let mut moved = original.clone();
                moved[j] += eps;
                set(&mut cell, &moved);
                let up = loss(&cell);
                moved[j] -= 2.0 * eps;
                set(&mut cell, &moved);
                let down = loss(&cell);
                set(&mut cell, &original);
                let numeric = (up - down) / (2.0 * eps);
                let a = analytic[p][j];
                assert!(
                    (a - numeric).abs() < 1e-6 * (1.0 + numeric.abs()),
                    "∂L/∂{name}[{j}]: backward {a} vs finite difference {numeric}"
                );
                nonzero += (a != 0.0) as usize;
            }
        }
        // Everything but the forget gate's rows (a quarter of the parameters) gets a gradient.
        assert_eq!(nonzero, 3 * (24 + 12 + 36 + 12) / 4);
    }

    #[test]
    fn exercise_6_2_perplexity_and_bits_per_character() {
        let check = |loss: f64, ppl: f64, bits: f64| {
            let (p, b) = perplexity_and_bits(loss);
            assert!(
                close(p, ppl, 1e-12),
                "loss {loss}: perplexity {p}, want {ppl}"
            );
            assert!(
                close(b, bits, 1e-12),
                "loss {loss}: {b} bits/char, want {bits}"
            );
        };
        check(0.0, 1.0, 0.0); // always right
        check(2f64.ln(), 2.0, 1.0); // a fair coin per character
        check(90f64.ln(), 90.0, 90f64.log2()); // the uniform guess over the corpus's 90 chars
        // The true characters got probabilities 1/2, 1/4, 1/8: 1, 2 and 3 bits, 2 on average.
        let loss = -[0.5f64, 0.25, 0.125].iter().map(|p| p.ln()).sum::<f64>() / 3.0;
        check(loss, 4.0, 2.0);
        // The chapter's trained model: 0.400 nats/char.
        check(0.4, 0.4f64.exp(), 0.4 / 2f64.ln());
        // A model with a zero output layer guesses uniformly: its perplexity is V = 7.
        let dev = Cpu::seed_from_u64(0);
        let mut model = CharLstm::<3, 4, 16, f64, Cpu>::new(&dev, 7, 0);
        model.head.weight = dev.zeros_like(&(7, Const));
        model.head.bias = Some(dev.zeros_like(&(7,)));
        let ids = dev.tensor_from_vec(vec![1, 2, 3, 4, 5, 6], (3, 2));
        let targets = dev.tensor_from_vec(vec![2, 3, 4, 5, 6, 0], (6,));
        let logits = model.forward(ids, None).0.reshape_like(&(6, 7));
        let loss = next_token_loss(logits, targets).array();
        check(loss, 7.0, 7f64.log2());
    }

    fn assert_probs(got: &[f32], want: &[f32], what: &str) {
        assert_eq!(got.len(), want.len(), "{what}: {got:?}");
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(
                (g - w).abs() < 1e-6,
                "{what}: p[{i}] = {g}, want {w} (all: {got:?})"
            );
        }
    }

    #[test]
    fn exercise_6_4_nucleus_probabilities() {
        // Probabilities 0.1, 0.5, 0.25, 0.15 at τ = 1, not in sorted order.
        let logits: Vec<f32> = [0.1f32, 0.5, 0.25, 0.15].iter().map(|p| p.ln()).collect();
        let cases: [(f32, f32, [f32; 4]); 9] = [
            (1.0, 1e-6, [0.0, 1.0, 0.0, 0.0]), // always at least one character
            (1.0, 0.3, [0.0, 1.0, 0.0, 0.0]),
            (1.0, 0.6, [0.0, 2.0 / 3.0, 1.0 / 3.0, 0.0]), // 0.5 < 0.6 ≤ 0.5 + 0.25
            (1.0, 0.8, [0.0, 5.0 / 9.0, 2.5 / 9.0, 1.5 / 9.0]),
            (1.0, 0.95, [0.1, 0.5, 0.25, 0.15]),
            (1.0, 1.0, [0.1, 0.5, 0.25, 0.15]),
            // τ = 1/2 squares the probabilities first: 0.01, 0.25, 0.0625, 0.0225 (÷ 0.345).
            (0.5, 0.6, [0.0, 1.0, 0.0, 0.0]),
            (0.5, 0.8, [0.0, 0.8, 0.2, 0.0]),
            // τ = 2 takes square roots: √0.5 / (√0.5 + √0.25) = 2 − √2.
            (2.0, 0.6, [0.0, 2.0 - 2f32.sqrt(), 2f32.sqrt() - 1.0, 0.0]),
        ];
        for (tau, p, want) in cases {
            let got = nucleus_probabilities(&logits, tau, p);
            assert_probs(&got, &want, &format!("τ = {tau}, top-p = {p}"));
        }
        // Ties: the lower index comes first.
        let tied = [1.0f32, 0.0, 1.0];
        assert_probs(
            &nucleus_probabilities(&tied, 1.0, 0.4),
            &[1.0, 0.0, 0.0],
            "tie, p = 0.4",
        );
        assert_probs(
            &nucleus_probabilities(&tied, 1.0, 0.5),
            &[0.5, 0.0, 0.5],
            "tie, p = 0.5",
        );
        // Exactly on the boundary: 1/2 already reaches top-p = 1/2, and so do 1/4 + 1/4.
        assert_probs(
            &nucleus_probabilities(&[0.0, 0.0], 1.0, 0.5),
            &[1.0, 0.0],
            "½, ½",
        );
        let quarters = nucleus_probabilities(&[0.0; 4], 1.0, 0.5);
        assert_probs(&quarters, &[0.5, 0.5, 0.0, 0.0], "four quarters, p = 0.5");
        // Large logits must not overflow.
        let big = nucleus_probabilities(&[1000.0, 999.0, 990.0], 1.0, 0.99);
        let e = (-1f32).exp();
        assert_probs(
            &big,
            &[1.0 / (1.0 + e), e / (1.0 + e), 0.0],
            "logits near 1000",
        );
        // With top-p = 1 it is plain temperature sampling.
        let mut rng = StdRng::seed_from_u64(64);
        let z: Vec<f32> = (0..50).map(|_| rng.gen_range(-3.0..3.0)).collect();
        for tau in [0.5, 1.0, 1.5] {
            let plain = probabilities(&z, &Sampling::at(tau));
            assert_probs(
                &nucleus_probabilities(&z, tau, 1.0),
                &plain,
                &format!("τ = {tau}, p = 1"),
            );
        }
    }

    #[test]
    fn exercise_6_5_distinct_ngrams() {
        assert_eq!(distinct_ngrams("abab", 1), (2, 4));
        assert_eq!(distinct_ngrams("abab", 2), (2, 3)); // ab, ba, ab
        assert_eq!(distinct_ngrams("aaaa", 2), (1, 3));
        assert_eq!(distinct_ngrams("ab", 3), (0, 0));
        assert_eq!(distinct_ngrams("", 1), (0, 0));
        // Characters, not bytes: 猫 is three bytes in UTF-8 but one character.
        assert_eq!(distinct_ngrams("猫猫猫猫", 2), (1, 3));
        assert_eq!(distinct_ngrams("猫喜欢鱼。", 2), (4, 4));
        assert_eq!(distinct_ngrams("猫喜欢鱼。\n猫喜欢鱼。", 5), (6, 7));
        // One sentence over and over: 16 characters, so only 16 different 4-grams.
        let looped = "The cat sleeps.\n".repeat(10);
        assert_eq!(distinct_ngrams(&looped, 4), (16, 157));
        // The distinct 1-grams of the corpus are its vocabulary.
        let vocab = Vocab::from_text(corpus::ANIMALS);
        let n_chars = corpus::ANIMALS.chars().count();
        assert_eq!(distinct_ngrams(corpus::ANIMALS, 1), (vocab.len(), n_chars));
        // The varied corpus repeats itself far less than the looped sentence.
        let (d, t) = distinct_ngrams(corpus::ANIMALS, 4);
        assert_eq!(t, n_chars - 3);
        assert!(d > 1000 && d < t, "{d} distinct of {t}");
    }
}

mod ch07 {
    use super::*;
    use aigc::exercises::ch07::*;

    #[test]
    fn exercise_7_1_attention_by_hand_matches_the_library() {
        let dev = Cpu::default();
        let mut rng = StdRng::seed_from_u64(71);
        let (t, d) = (6, 4);
        let mut rand_vec = || {
            (0..t * d)
                .map(|_| rng.gen_range(-2.0f32..2.0))
                .collect::<Vec<_>>()
        };
        let (q, k, v) = (rand_vec(), rand_vec(), rand_vec());
        let heads = |x: &Vec<f32>| dev.tensor_from_vec(x.clone(), (1, 1, t, d));
        let want = aigc::gpt::attention(heads(&q), heads(&k), heads(&v)).as_vec();
        let got = attention_by_hand(&q, &k, &v, t, d);
        assert_eq!(got.len(), t * d, "Exercise 7.1: t·d outputs");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g - w).abs() < 1e-5,
                "Exercise 7.1: output {i}: {g}, expected {w}"
            );
        }
        // Position 0 reads only itself; huge scores must not overflow.
        assert_eq!(
            got[..d],
            v[..d],
            "Exercise 7.1: position 0 must return its own value"
        );
        let big: Vec<f32> = q.iter().map(|x| x * 1e4).collect();
        assert!(
            attention_by_hand(&big, &k, &v, t, d)
                .iter()
                .all(|x| x.is_finite()),
            "Exercise 7.1: subtract the largest score before exp"
        );
    }

    #[test]
    fn exercise_7_2_sinusoidal_positions() {
        let (n, c) = (50, 16);
        let pe = sinusoidal_positions(n, c);
        assert_eq!(pe.len(), n * c, "Exercise 7.2: positions × c numbers");
        for (j, value) in pe[..c].iter().enumerate() {
            let want = if j % 2 == 0 { 0.0 } else { 1.0 };
            assert!(
                (value - want).abs() < 1e-12,
                "Exercise 7.2: PE(0, {j}) is {want}"
            );
        }
        let at = |p: usize, j: usize| pe[p * c + j];
        assert!(
            (at(3, 0) - 3f64.sin()).abs() < 1e-12,
            "Exercise 7.2: column 0 is sin(p)"
        );
        let slow = 1.0 / 10_000f64.powf(14.0 / 16.0);
        assert!(
            (at(7, 15) - (7.0 * slow).cos()).abs() < 1e-12,
            "Exercise 7.2: PE(7, 15)"
        );
        // PE(p + k) is a rotation of PE(p), pair by pair, by angle k·ωᵢ.
        let k = 5;
        for i in 0..c / 2 {
            let w = 1.0 / 10_000f64.powf(2.0 * i as f64 / c as f64);
            let (s, co) = ((k as f64 * w).sin(), (k as f64 * w).cos());
            for p in [0, 11, 30] {
                let rotated = at(p, 2 * i) * co + at(p, 2 * i + 1) * s;
                assert!(
                    (rotated - at(p + k, 2 * i)).abs() < 1e-9,
                    "Exercise 7.2: PE(p + k) is a rotation of PE(p)"
                );
            }
        }
        // Every position is different from every other.
        for p in 0..n {
            for r in 0..p {
                let gap: f64 = (0..c).map(|j| (at(p, j) - at(r, j)).powi(2)).sum();
                assert!(
                    gap > 1e-6,
                    "Exercise 7.2: positions {r} and {p} look the same"
                );
            }
        }
    }

    #[test]
    fn exercise_7_3_parameter_count_matches_the_model() {
        use aigc::gpt::{BookGpt, MiniGpt};
        use aigc::params::parameters;
        let dev = Cpu::default();
        let count = |p: Vec<Vec<f32>>| p.iter().map(Vec::len).sum::<usize>();
        let book = BookGpt::<Cpu>::new(&dev, 128, 0);
        assert_eq!(
            gpt_parameters(128, 128, 512, 4, 64),
            count(parameters(&book)),
            "Exercise 7.3: the book's GPT"
        );
        let small = MiniGpt::<16, 40, 2, 3, 10, f32, Cpu>::new(&dev, 30, 0);
        assert_eq!(
            gpt_parameters(30, 16, 40, 3, 10),
            count(parameters(&small)),
            "Exercise 7.3: a small GPT (vocabulary 30, width 16, MLP 40, 3 blocks, context 10)"
        );
        let one_head = MiniGpt::<16, 40, 1, 3, 10, f32, Cpu>::new(&dev, 30, 0);
        assert_eq!(count(parameters(&one_head)), count(parameters(&small)));
    }
}

mod ch08 {
    use super::*;
    use aigc::exercises::ch08::*;

    /// −[y ln σ(z) + (1 − y) ln(1 − σ(z))], as the formula reads: fine for moderate logits.
    fn naive_bce(z: f64, y: f64) -> f64 {
        let s = 1.0 / (1.0 + (-z).exp());
        -(y * s.ln() + (1.0 - y) * (1.0 - s).ln())
    }

    #[test]
    fn exercise_8_1_bce_with_logits_by_hand() {
        let ln2 = 2f64.ln();
        // sigmoid(0) = 1/2 and sigmoid(ln 3) = 3/4.
        let cases = [
            (0.0, 1.0, ln2),
            (0.0, 0.0, ln2),
            (3f64.ln(), 1.0, (4.0f64 / 3.0).ln()),
            (3f64.ln(), 0.0, 4f64.ln()),
            (0.0, 0.5, ln2),
        ];
        for (z, y, want) in cases {
            let (loss, grad) = mean_bce_with_logits(&[z], &[y]);
            assert!(
                close(loss, want, 1e-12),
                "Exercise 8.1: BCE(z = {z}, y = {y}) is {want}, got {loss}"
            );
            assert_eq!(grad.len(), 1, "Exercise 8.1: one gradient entry per logit");
        }
        // The loss is the mean over the batch, not the sum.
        let (loss, _) = mean_bce_with_logits(&[0.0, 3f64.ln()], &[1.0, 0.0]);
        assert!(
            close(loss, (ln2 + 4f64.ln()) / 2.0, 1e-12),
            "Exercise 8.1: the loss of a batch is the mean of its examples' losses, got {loss}"
        );
    }

    #[test]
    fn exercise_8_1_bce_with_logits_is_stable_for_large_logits() {
        // A confident discriminator: logits of ±800, where e^800 overflows an f64.
        let cases = [
            (800.0, 1.0, 0.0),
            (-800.0, 0.0, 0.0),
            (800.0, 0.0, 800.0),
            (-800.0, 1.0, 800.0),
            (40.0, 1.0, (-40f64).exp()),
        ];
        for (z, y, want) in cases {
            let (loss, grad) = mean_bce_with_logits(&[z], &[y]);
            assert!(
                loss.is_finite() && grad[0].is_finite(),
                "Exercise 8.1: BCE(z = {z}, y = {y}) must be finite, got {loss} and gradient {}",
                grad[0]
            );
            assert!(
                (loss - want).abs() <= 1e-12 * want.max(1.0),
                "Exercise 8.1: BCE(z = {z}, y = {y}) is {want}, got {loss}"
            );
            let s = if z > 0.0 { 1.0 } else { 0.0 };
            assert!(
                (grad[0] - (s - y)).abs() < 1e-12,
                "Exercise 8.1: ∂L/∂z at z = {z}, y = {y} is sigmoid(z) − y = {}, got {}",
                s - y,
                grad[0]
            );
        }
    }

    #[test]
    fn exercise_8_1_bce_with_logits_agrees_with_the_formula_and_its_gradient() {
        let mut rng = StdRng::seed_from_u64(8);
        let n = 16;
        let z: Vec<f64> = (0..n).map(|_| rng.gen_range(-10.0..10.0)).collect();
        let y: Vec<f64> = (0..n)
            .map(|i| {
                if i % 3 == 2 {
                    rng.r#gen::<f64>()
                } else {
                    (i % 2) as f64
                }
            })
            .collect();
        let (loss, grad) = mean_bce_with_logits(&z, &y);
        let want = z
            .iter()
            .zip(&y)
            .map(|(&z, &y)| naive_bce(z, y))
            .sum::<f64>()
            / n as f64;
        assert!(
            close(loss, want, 1e-10),
            "Exercise 8.1: mean BCE {want}, got {loss}"
        );
        assert_eq!(grad.len(), n, "Exercise 8.1: one gradient entry per logit");
        let delta = 1e-6;
        for i in 0..n {
            let moved = |d: f64| {
                let mut z2 = z.clone();
                z2[i] += d;
                mean_bce_with_logits(&z2, &y).0
            };
            let numeric = (moved(delta) - moved(-delta)) / (2.0 * delta);
            let sigmoid = 1.0 / (1.0 + (-z[i]).exp());
            assert!(
                (grad[i] - numeric).abs() < 1e-8,
                "Exercise 8.1: ∂L/∂z{i} is {numeric} by finite differences, got {}",
                grad[i]
            );
            assert!(
                (grad[i] - (sigmoid - y[i]) / n as f64).abs() < 1e-12,
                "Exercise 8.1: ∂L/∂z{i} = (sigmoid(z) − y)/n"
            );
        }
    }

    /// J(D, G) = Σ p_data ln D + Σ p_g ln(1 − D), with 0 · ln 0 = 0.
    fn game_value(p_data: &[f64], p_g: &[f64], d: &[f64]) -> f64 {
        let term = |p: f64, q: f64| if p > 0.0 { p * q.ln() } else { 0.0 };
        (0..d.len())
            .map(|k| term(p_data[k], d[k]) + term(p_g[k], 1.0 - d[k]))
            .sum()
    }

    /// The test's own JS divergence, written independently of exercise 8.3.
    fn js(p: &[f64], q: &[f64]) -> f64 {
        let mut total = 0.0;
        for k in 0..p.len() {
            let m = 0.5 * (p[k] + q[k]);
            if p[k] > 0.0 {
                total += 0.5 * p[k] * (p[k] / m).ln();
            }
            if q[k] > 0.0 {
                total += 0.5 * q[k] * (q[k] / m).ln();
            }
        }
        total
    }

    fn random_distribution(rng: &mut StdRng, k: usize) -> Vec<f64> {
        let raw: Vec<f64> = (0..k).map(|_| rng.gen_range(0.05..1.0)).collect();
        let sum: f64 = raw.iter().sum();
        raw.iter().map(|r| r / sum).collect()
    }

    #[test]
    fn exercise_8_2_optimal_discriminator_by_hand() {
        let p_data = [0.5, 0.25, 0.25, 0.0, 0.0];
        let p_g = [0.25, 0.25, 0.0, 0.5, 0.0];
        let d = optimal_discriminator(&p_data, &p_g);
        let want = [2.0 / 3.0, 0.5, 1.0, 0.0, 0.5];
        assert_eq!(d.len(), want.len(), "Exercise 8.2: one D*(x) per point");
        for k in 0..want.len() {
            assert!(
                (d[k] - want[k]).abs() < 1e-12,
                "Exercise 8.2: D*(x{k}) with p_data = {}, p_g = {} is {}, got {}",
                p_data[k],
                p_g[k],
                want[k],
                d[k]
            );
        }
        // A perfect generator: the best discriminator can only say ½.
        let same = [0.1, 0.2, 0.3, 0.4];
        assert!(
            optimal_discriminator(&same, &same)
                .iter()
                .all(|&d| (d - 0.5).abs() < 1e-15),
            "Exercise 8.2: when p_g = p_data, D* = ½ everywhere"
        );
    }

    #[test]
    fn exercise_8_2_no_discriminator_beats_d_star_and_its_value_is_minus_ln4_plus_2js() {
        let mut rng = StdRng::seed_from_u64(82);
        for _ in 0..20 {
            let (p_data, p_g) = (
                random_distribution(&mut rng, 6),
                random_distribution(&mut rng, 6),
            );
            let d = optimal_discriminator(&p_data, &p_g);
            let best = game_value(&p_data, &p_g, &d);
            for k in 0..d.len() {
                for step in [-0.01, 0.01] {
                    let mut other = d.clone();
                    other[k] = (other[k] + step).clamp(1e-9, 1.0 - 1e-9);
                    assert!(
                        game_value(&p_data, &p_g, &other) < best,
                        "Exercise 8.2: moving D(x{k}) by {step} raised J(D, G): D* is not optimal"
                    );
                }
            }
            let want = -(4f64.ln()) + 2.0 * js(&p_data, &p_g);
            assert!(
                (best - want).abs() < 1e-12,
                "Exercise 8.2: J(D*, G) = −ln 4 + 2·JS = {want}, got {best}"
            );
        }
    }

    #[test]
    fn exercise_8_3_js_divergence() {
        let ln2 = 2f64.ln();
        assert!(
            (js_divergence(&[1.0, 0.0], &[0.5, 0.5]) - 0.75 * (4.0f64 / 3.0).ln()).abs() < 1e-12,
            "Exercise 8.3: JS((1, 0) ‖ (½, ½)) = ¾ ln(4/3)"
        );
        assert!(
            (js_divergence(&[0.5, 0.5, 0.0, 0.0], &[0.0, 0.0, 0.25, 0.75]) - ln2).abs() < 1e-12,
            "Exercise 8.3: distributions with no point in common have JS = ln 2"
        );
        let mut rng = StdRng::seed_from_u64(83);
        for _ in 0..20 {
            let (p, q) = (
                random_distribution(&mut rng, 7),
                random_distribution(&mut rng, 7),
            );
            let (pq, qp) = (js_divergence(&p, &q), js_divergence(&q, &p));
            assert!(
                (pq - qp).abs() < 1e-12,
                "Exercise 8.3: JS is symmetric, got {pq} and {qp}"
            );
            assert!(
                (pq - js(&p, &q)).abs() < 1e-12,
                "Exercise 8.3: JS(p ‖ q) is {}, got {pq}",
                js(&p, &q)
            );
            assert!(
                pq > 0.0 && pq < ln2,
                "Exercise 8.3: 0 < JS < ln 2 for two different distributions with the same support"
            );
            assert!(
                js_divergence(&p, &p).abs() < 1e-15,
                "Exercise 8.3: JS(p ‖ p) = 0"
            );
        }
    }

    /// The chapter's ring: 8 centres on a circle of radius 2, standard deviation 0.02.
    fn ring() -> (Vec<[f64; 2]>, f64) {
        let centres = (0..8)
            .map(|k| {
                let a = std::f64::consts::TAU * k as f64 / 8.0;
                [2.0 * a.cos(), 2.0 * a.sin()]
            })
            .collect();
        (centres, 0.02)
    }

    #[test]
    fn exercise_8_4_mode_coverage_of_a_collapsed_and_of_a_perfect_generator() {
        let (centres, std) = ring();
        let ln8 = 8f64.ln();
        let collapsed: Vec<f64> = (0..2500).flat_map(|_| centres[3]).collect();
        let m = mode_coverage(&collapsed, &centres, std, 20);
        assert_eq!(
            m.modes_covered, 1,
            "Exercise 8.4: all samples at one centre cover one mode"
        );
        assert_eq!(m.high_quality_per_mode, vec![0, 0, 0, 2500, 0, 0, 0, 0]);
        assert!((m.high_quality_fraction - 1.0).abs() < 1e-15);
        assert!(
            (m.kl_vs_uniform - ln8).abs() < 1e-12,
            "Exercise 8.4: KL from uniform of a one-mode histogram is ln 8, got {}",
            m.kl_vs_uniform
        );
        let spread: Vec<f64> = (0..2400).flat_map(|i| centres[i % 8]).collect();
        let m = mode_coverage(&spread, &centres, std, 20);
        assert_eq!(
            m.modes_covered, 8,
            "Exercise 8.4: samples on every centre cover all 8"
        );
        assert!((m.high_quality_fraction - 1.0).abs() < 1e-15);
        assert!(
            m.kl_vs_uniform.abs() < 1e-12,
            "Exercise 8.4: an even histogram has KL 0, got {}",
            m.kl_vs_uniform
        );
    }

    #[test]
    fn exercise_8_4_mode_coverage_thresholds() {
        let (centres, std) = ring();
        let [cx, cy] = centres[0];
        // `count` samples at `sigmas` standard deviations from centre 0, outward.
        let near = |count: usize, sigmas: f64| -> Vec<f64> {
            (0..count)
                .flat_map(|_| [cx + sigmas * std, cy])
                .collect::<Vec<f64>>()
        };
        for (count, covered) in [(19, 0), (20, 1)] {
            let m = mode_coverage(&near(count, 2.9), &centres, std, 20);
            assert_eq!(
                m.modes_covered,
                covered,
                "Exercise 8.4: {count} high-quality samples {} a mode (the minimum is 20)",
                if covered == 1 {
                    "cover"
                } else {
                    "do not cover"
                }
            );
            assert_eq!(m.high_quality_per_mode[0], count);
        }
        let m = mode_coverage(&near(50, 3.1), &centres, std, 20);
        assert_eq!(
            (m.modes_covered, m.high_quality_per_mode[0]),
            (0, 0),
            "Exercise 8.4: a sample 3.1 standard deviations away is not high quality"
        );
        assert_eq!(m.high_quality_fraction, 0.0);
        assert!(
            (m.kl_vs_uniform - 8f64.ln()).abs() < 1e-12,
            "Exercise 8.4: the KL uses the nearest mode of every sample, high quality or not"
        );
        // Half-way between centres 1 and 2, a little closer to 2: its nearest mode is 2.
        let (a, b) = (centres[1], centres[2]);
        let t = 0.55;
        let between = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
        let m = mode_coverage(&[between[0], between[1], b[0], b[1]], &centres, std, 1);
        assert_eq!(m.high_quality_per_mode, vec![0, 0, 1, 0, 0, 0, 0, 0]);
        assert_eq!(m.modes_covered, 1);
        assert!((m.high_quality_fraction - 0.5).abs() < 1e-15);
        assert!(
            (m.kl_vs_uniform - 8f64.ln()).abs() < 1e-12,
            "Exercise 8.4: both samples' nearest mode is 2"
        );
    }
}
