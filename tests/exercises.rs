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

use aigc::data::wine_quality;
use aigc::dfdx::prelude::*;
use aigc::exercises::checks;
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
        checks::ch03::exercise_3_1_derivative_of_x_cubed_minus_2x(cubic_derivative_at);
    }

    #[test]
    fn exercise_3_2_sigmoid_neuron_gradients_follow_the_chain_rule() {
        checks::ch03::exercise_3_2_sigmoid_neuron_gradients_follow_the_chain_rule(
            sigmoid_neuron_gradients,
        );
    }

    #[test]
    fn exercise_3_3_layer_forward_is_x_times_w_plus_b_on_every_row() {
        checks::ch03::exercise_3_3_layer_forward_is_x_times_w_plus_b_on_every_row(layer_forward);
    }
}

mod ch04 {
    use super::*;
    use aigc::exercises::ch04::*;

    #[test]
    fn exercise_4_1_mean_absolute_error() {
        checks::ch04::exercise_4_1_mean_absolute_error(mean_absolute_error);
    }

    #[test]
    fn exercise_4_2_mae_gradient_matches_finite_differences() {
        checks::ch04::exercise_4_2_mae_gradient_matches_finite_differences(mae_gradient);
    }

    #[test]
    fn exercise_4_3_best_w_and_an_outlier() {
        checks::ch04::exercise_4_3_best_w_and_an_outlier(best_w_for);
    }

    #[test]
    fn exercise_4_4_best_sigma_minimises_the_gaussian_nll() {
        checks::ch04::exercise_4_4_best_sigma_minimises_the_gaussian_nll(best_sigma);
    }
}

mod ch05 {
    use super::*;
    use aigc::exercises::ch05::*;

    #[test]
    fn exercise_5_1_scheduled_descent_decays_the_learning_rate() {
        checks::ch05::exercise_5_1_scheduled_descent_decays_the_learning_rate(scheduled_descent);
    }

    #[test]
    fn exercise_5_2_condition_number() {
        checks::ch05::exercise_5_2_condition_number(condition_number);
    }

    #[test]
    fn exercise_5_3_momentum_by_hand_follows_dfdx() {
        checks::ch05::exercise_5_3_momentum_by_hand_follows_dfdx(momentum_descent);
    }
}

mod ch09 {
    use super::*;
    use aigc::bench::BenchRow;
    use aigc::exercises::ch09::*;

    #[test]
    fn exercise_9_1_pairwise_sum() {
        checks::ch09::exercise_9_1_pairwise_sum(pairwise_sum);
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
            gflops: 0.0,
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
    use aigc::exercises::ch06::*;
    use aigc::lstm::LstmCell;

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
        checks::ch06::exercise_6_2_perplexity_and_bits_per_character(perplexity_and_bits);
    }

    #[test]
    fn exercise_6_4_nucleus_probabilities() {
        checks::ch06::exercise_6_4_nucleus_probabilities(nucleus_probabilities);
    }

    #[test]
    fn exercise_6_5_distinct_ngrams() {
        checks::ch06::exercise_6_5_distinct_ngrams(distinct_ngrams);
    }
}

mod ch07 {
    use super::*;
    use aigc::exercises::ch07::*;

    #[test]
    fn exercise_7_1_attention_by_hand_matches_the_library() {
        checks::ch07::exercise_7_1_attention_by_hand_matches_the_library(attention_by_hand);
    }

    #[test]
    fn exercise_7_2_sinusoidal_positions() {
        checks::ch07::exercise_7_2_sinusoidal_positions(sinusoidal_positions);
    }

    #[test]
    fn exercise_7_3_parameter_count_matches_the_model() {
        checks::ch07::exercise_7_3_parameter_count_matches_the_model(gpt_parameters);
    }
}

mod ch08 {
    use super::*;
    use aigc::exercises::ch08::*;

    #[test]
    fn exercise_8_1_bce_with_logits_by_hand() {
        checks::ch08::exercise_8_1_bce_with_logits_by_hand(mean_bce_with_logits);
    }

    #[test]
    fn exercise_8_1_bce_with_logits_is_stable_for_large_logits() {
        checks::ch08::exercise_8_1_bce_with_logits_is_stable_for_large_logits(mean_bce_with_logits);
    }

    #[test]
    fn exercise_8_1_bce_with_logits_agrees_with_the_formula_and_its_gradient() {
        checks::ch08::exercise_8_1_bce_with_logits_agrees_with_the_formula_and_its_gradient(
            mean_bce_with_logits,
        );
    }

    #[test]
    fn exercise_8_2_optimal_discriminator_by_hand() {
        checks::ch08::exercise_8_2_optimal_discriminator_by_hand(optimal_discriminator);
    }

    #[test]
    fn exercise_8_2_no_discriminator_beats_d_star_and_its_value_is_minus_ln4_plus_2js() {
        checks::ch08::exercise_8_2_no_discriminator_beats_d_star_and_its_value_is_minus_ln4_plus_2js(optimal_discriminator);
    }

    #[test]
    fn exercise_8_3_js_divergence() {
        checks::ch08::exercise_8_3_js_divergence(js_divergence);
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
