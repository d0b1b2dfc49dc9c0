//! The fused CPU kernels against the composed operations the book teaches: the same
//! values and the same gradients, and finite differences agree with both.

use aigc::dfdx::prelude::*;
use aigc::kernels::{cross_entropy, lstm_sequence};
use aigc::lm::next_token_loss;
use aigc::lstm::{CharLstm, time_major};
use aigc::params::{ParamVisitor, Params, parameters, set_parameters};
use rand::{Rng, SeedableRng, rngs::StdRng};

fn gap(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}

#[test]
fn fused_cross_entropy_matches_log_softmax_then_select() {
    let dev = Cpu::default();
    let mut rng = StdRng::seed_from_u64(1);
    let (n, v) = (37, 300);
    // Logits far apart too: a row with one huge logit must not overflow.
    let mut z: Vec<f32> = (0..n * v).map(|_| rng.gen_range(-4.0..4.0)).collect();
    z[5] = 80.0;
    let targets: Vec<usize> = (0..n).map(|_| rng.gen_range(0..v)).collect();
    let logits: Tensor<(usize, usize), f32, Cpu> = dev.tensor_from_vec(z, (n, v));

    let composed = next_token_loss(logits.leaky_trace(), dev.tensor_from_vec(targets.clone(), (n,)));
    let fused = cross_entropy(logits.leaky_trace(), &targets);
    let (a, b) = (composed.as_vec()[0], fused.as_vec()[0]);
    assert!((a - b).abs() < 1e-5 * a.abs().max(1.0), "loss: composed {a}, fused {b}");
    let ga = composed.backward().get(&logits).as_vec();
    let gb = (fused * 3.0).backward().get(&logits).as_vec(); // a later op scales the gradient
    let scaled: Vec<f32> = ga.iter().map(|g| 3.0 * g).collect();
    assert!(gap(&scaled, &gb) < 1e-6, "gradients differ by {}", gap(&scaled, &gb));
}

type Small = CharLstm<3, 8, 32, f32, Cpu>;

/// The mean loss of a batch through the composed or the fused path, with its gradients.
fn loss_and_grads(model: &Small, fused: bool, x: &[usize], y: &[usize]) -> (f32, Vec<Vec<f32>>) {
    let dev = Cpu::default();
    let (batch, steps) = (4, 6);
    let ids = time_major(&dev, x, batch, steps).leaky_traced();
    let targets = time_major(&dev, y, batch, steps).as_vec();
    let n = batch * steps;
    let loss = if fused {
        cross_entropy(model.forward_fused(ids), &targets)
    } else {
        let (logits, _) = model.forward(ids, None);
        next_token_loss(logits.reshape_like(&(n, 11)), dev.tensor_from_vec(targets, (n,)))
    };
    let value = loss.as_vec()[0];
    let grads = loss.backward();
    struct Get<'a>(&'a Gradients<f32, Cpu>, Vec<Vec<f32>>);
    impl ParamVisitor<f32, Cpu> for Get<'_> {
        fn visit<S: Shape>(&mut self, t: &mut Tensor<S, f32, Cpu>) {
            self.1.push(self.0.get(t).as_vec());
        }
    }
    let mut get = Get(&grads, Vec::new());
    model.clone().visit_params(&mut get);
    (value, get.1)
}

fn batch() -> (Vec<usize>, Vec<usize>) {
    let mut rng = StdRng::seed_from_u64(2);
    let x = (0..24).map(|_| rng.gen_range(0..11)).collect();
    let y = (0..24).map(|_| rng.gen_range(0..11)).collect();
    (x, y)
}

#[test]
fn fused_lstm_matches_the_cell_step_by_step() {
    let model = Small::new(&Cpu::default(), 11, 5);
    let (x, y) = batch();
    let (a, ga) = loss_and_grads(&model, false, &x, &y);
    let (b, gb) = loss_and_grads(&model, true, &x, &y);
    assert!((a - b).abs() < 1e-5, "loss: composed {a}, fused {b}");
    for (k, (ga, gb)) in ga.iter().zip(&gb).enumerate() {
        assert!(gap(ga, gb) < 1e-5, "parameter tensor {k}: gradients differ by {}", gap(ga, gb));
    }
}

#[test]
fn fused_lstm_gradients_agree_with_finite_differences() {
    let mut model = Small::new(&Cpu::default(), 11, 6);
    let (x, y) = batch();
    let (_, analytic) = loss_and_grads(&model, true, &x, &y);
    let original = parameters(&model);
    let h = 1e-2f32;
    for (k, values) in original.iter().enumerate() {
        for j in (0..values.len()).step_by(values.len().div_ceil(5)) {
            let mut at = |d: f32| {
                let mut moved = original.clone();
                moved[k][j] += d;
                assert!(set_parameters(&mut model, &moved));
                loss_and_grads(&model, true, &x, &y).0
            };
            let numeric = (at(h) - at(-h)) / (2.0 * h);
            let a = analytic[k][j];
            assert!((numeric - a).abs() < 2e-3 + 2e-2 * a.abs(), "tensor {k}[{j}]: backward {a}, finite difference {numeric}");
        }
    }
    assert!(set_parameters(&mut model, &original));
}

#[test]
fn the_fused_lstm_continues_from_a_given_state() {
    let dev = Cpu::default();
    let model = Small::new(&dev, 11, 7);
    let (x, _) = batch();
    let ids = time_major(&dev, &x, 4, 6);
    let proj = model.lstm.ih.forward(model.embed.forward(ids.clone()));
    let mut rng = StdRng::seed_from_u64(3);
    let mut state = || dev.tensor_from_vec((0..32).map(|_| rng.gen_range(-1.0..1.0)).collect(), (4, Const::<8>));
    let (h0, c0) = (state(), state());
    let (hs, (h, c)) = lstm_sequence(proj.clone(), (&model.lstm.hh.weight, &model.lstm.hh.bias), (&h0, &c0));
    let (hs2, (h2, c2)) = model.lstm.forward_seq(model.embed.forward(ids), Some((h0, c0)));
    assert!(gap(&hs.as_vec(), &hs2.as_vec()) < 1e-6);
    assert!(gap(&h.as_vec(), &h2.as_vec()) < 1e-6 && gap(&c.as_vec(), &c2.as_vec()) < 1e-6);
}
