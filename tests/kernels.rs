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
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
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

    let composed = next_token_loss(
        logits.leaky_trace(),
        dev.tensor_from_vec(targets.clone(), (n,)),
    );
    let fused = cross_entropy(logits.leaky_trace(), &targets);
    let (a, b) = (composed.as_vec()[0], fused.as_vec()[0]);
    assert!(
        (a - b).abs() < 1e-5 * a.abs().max(1.0),
        "loss: composed {a}, fused {b}"
    );
    let ga = composed.backward().get(&logits).as_vec();
    let gb = (fused * 3.0).backward().get(&logits).as_vec(); // a later op scales the gradient
    let scaled: Vec<f32> = ga.iter().map(|g| 3.0 * g).collect();
    assert!(
        gap(&scaled, &gb) < 1e-6,
        "gradients differ by {}",
        gap(&scaled, &gb)
    );
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
        next_token_loss(
            logits.reshape_like(&(n, 11)),
            dev.tensor_from_vec(targets, (n,)),
        )
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
        assert!(
            gap(ga, gb) < 1e-5,
            "parameter tensor {k}: gradients differ by {}",
            gap(ga, gb)
        );
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
            assert!(
                (numeric - a).abs() < 2e-3 + 2e-2 * a.abs(),
                "tensor {k}[{j}]: backward {a}, finite difference {numeric}"
            );
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
    let mut state = || {
        dev.tensor_from_vec(
            (0..32).map(|_| rng.gen_range(-1.0..1.0)).collect(),
            (4, Const::<8>),
        )
    };
    let (h0, c0) = (state(), state());
    let (hs, (h, c)) = lstm_sequence(
        proj.clone(),
        (&model.lstm.hh.weight, &model.lstm.hh.bias),
        (&h0, &c0),
    );
    let (hs2, (h2, c2)) = model
        .lstm
        .forward_seq(model.embed.forward(ids), Some((h0, c0)));
    assert!(gap(&hs.as_vec(), &hs2.as_vec()) < 1e-6);
    assert!(gap(&h.as_vec(), &h2.as_vec()) < 1e-6 && gap(&c.as_vec(), &c2.as_vec()) < 1e-6);
}

use aigc::gpt::{MiniGpt, tanh_gelu};
use aigc::kernels::{gelu, layer_norm};

fn random(rng: &mut StdRng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.gen_range(-2.0..2.0)).collect()
}

/// Value and the gradient of Σ out ⊙ w (a fixed random w) with respect to `x`.
fn probe<S: Shape>(
    out: Tensor<S, f32, Cpu, OwnedTape<f32, Cpu>>,
    w: &[f32],
    x: &Tensor<S, f32, Cpu>,
) -> (Vec<f32>, Vec<f32>) {
    let dev = Cpu::default();
    let shape = *out.shape();
    let values = out.as_vec();
    let loss = (out * dev.tensor_from_vec(w.to_vec(), shape)).sum::<Rank0, _>();
    (values, loss.backward().get(x).as_vec())
}

#[test]
fn fused_layer_norm_matches_dfdx() {
    let dev = Cpu::default();
    let mut rng = StdRng::seed_from_u64(4);
    let x: Tensor<(usize, Const<16>), f32, Cpu> =
        dev.tensor_from_vec(random(&mut rng, 5 * 16), (5, Const));
    let mut ln: aigc::dfdx::nn::modules::LayerNorm1D<16, f32, Cpu> = aigc::layers::layer_norm(&dev);
    ln.gamma = dev.tensor_from_vec(random(&mut rng, 16), (Const,));
    ln.beta = dev.tensor_from_vec(random(&mut rng, 16), (Const,));
    let w = random(&mut rng, 5 * 16);
    let (a, ga) = probe(ln.forward(x.leaky_trace()), &w, &x);
    let (b, gb) = probe(
        layer_norm(x.leaky_trace(), &ln.gamma, &ln.beta, ln.epsilon as f32),
        &w,
        &x,
    );
    assert!(
        gap(&a, &b) < 1e-5 && gap(&ga, &gb) < 1e-4,
        "values {}, gradients {}",
        gap(&a, &b),
        gap(&ga, &gb)
    );
}

#[test]
fn fused_gelu_matches_the_composed_tanh_form() {
    let dev = Cpu::default();
    let mut rng = StdRng::seed_from_u64(5);
    let x: Tensor<(usize,), f32, Cpu> = dev.tensor_from_vec(random(&mut rng, 200), (200,));
    let w = random(&mut rng, 200);
    let (a, ga) = probe(tanh_gelu(x.leaky_trace()), &w, &x);
    let (b, gb) = probe(gelu(x.leaky_trace()), &w, &x);
    assert!(
        gap(&a, &b) < 1e-6 && gap(&ga, &gb) < 1e-5,
        "values {}, gradients {}",
        gap(&a, &b),
        gap(&ga, &gb)
    );
}

#[test]
fn the_fused_gpt_computes_the_composed_gpt() {
    let dev = Cpu::default();
    let model = MiniGpt::<16, 32, 2, 2, 8, f32, Cpu>::new(&dev, 11, 8);
    let mut rng = StdRng::seed_from_u64(9);
    let ids: Vec<usize> = (0..3 * 8).map(|_| rng.gen_range(0..11)).collect();
    let input = || dev.tensor_from_vec(ids.clone(), (3, 8)).leaky_traced();
    let w = random(&mut rng, 3 * 8 * 11);
    let grads = |out: Tensor<(usize, usize, usize), f32, Cpu, OwnedTape<f32, Cpu>>| {
        let values = out.as_vec();
        let loss = (out * dev.tensor_from_vec(w.clone(), (3, 8, 11))).sum::<Rank0, _>();
        let g = loss.backward();
        struct Get<'a>(&'a Gradients<f32, Cpu>, Vec<Vec<f32>>);
        impl ParamVisitor<f32, Cpu> for Get<'_> {
            fn visit<S: Shape>(&mut self, t: &mut Tensor<S, f32, Cpu>) {
                self.1.push(self.0.get(t).as_vec());
            }
        }
        let mut get = Get(&g, Vec::new());
        model.clone().visit_params(&mut get);
        (values, get.1)
    };
    let (a, ga) = grads(model.forward(input()));
    let (b, gb) = grads(model.forward_fused(input()));
    assert!(gap(&a, &b) < 1e-5, "logits differ by {}", gap(&a, &b));
    for (k, (ga, gb)) in ga.iter().zip(&gb).enumerate() {
        assert!(
            gap(ga, gb) < 1e-4,
            "parameter tensor {k} of {}: gradients differ by {}",
            ga.len(),
            gap(ga, gb)
        );
    }
}

#[test]
fn fused_attention_matches_matmul_mask_softmax_head_by_head() {
    use aigc::gpt::attention;
    use aigc::kernels::causal_attention;
    let dev = Cpu::default();
    let mut rng = StdRng::seed_from_u64(6);
    let (b, t, nh) = (2, 7, 2);
    let mut rows = || -> Tensor<(usize, usize, Const<8>), f32, Cpu> {
        dev.tensor_from_vec(random(&mut rng, b * t * 8), (b, t, Const))
    };
    let (q, k, v) = (rows(), rows(), rows());
    let w = random(&mut rng, b * t * 8);
    for which in 0..3 {
        let run = |fused: bool| {
            let tr = |x: &Tensor<(usize, usize, Const<8>), f32, Cpu>, i: usize| {
                if i == which {
                    x.leaky_trace()
                } else {
                    x.clone().retaped()
                }
            };
            let (q2, k2, v2) = (tr(&q, 0), tr(&k, 1), tr(&v, 2));
            let out = if fused {
                causal_attention(q2, k2, v2, nh)
            } else {
                let split = |x: Tensor<(usize, usize, Const<8>), f32, Cpu, OwnedTape<f32, Cpu>>| {
                    x.reshape_like(&(b, t, nh, 8 / nh))
                        .permute::<_, Axes4<0, 2, 1, 3>>()
                };
                let y = attention(split(q2), split(k2), split(v2));
                y.permute::<_, Axes4<0, 2, 1, 3>>()
                    .reshape_like(&(b, t, Const::<8>))
            };
            probe(out, &w, [&q, &k, &v][which])
        };
        let ((a, ga), (bb, gb)) = (run(false), run(true));
        assert!(gap(&a, &bb) < 1e-5, "values differ by {}", gap(&a, &bb));
        assert!(
            gap(&ga, &gb) < 1e-5,
            "gradients of input {which} differ by {}",
            gap(&ga, &gb)
        );
    }
}

#[test]
fn fused_leaky_relu_matches_dfdx_prelu_and_relu() {
    let dev = Cpu::default();
    let mut rng = StdRng::seed_from_u64(10);
    let x: Tensor<(usize,), f32, Cpu> = dev.tensor_from_vec(random(&mut rng, 300), (300,));
    let w = random(&mut rng, 300);
    let (a, ga) = probe(x.leaky_trace().prelu(0.2), &w, &x);
    let (b, gb) = probe(aigc::kernels::leaky_relu(x.leaky_trace(), 0.2), &w, &x);
    assert!(gap(&a, &b) < 1e-7 && gap(&ga, &gb) < 1e-7);
    let (a, ga) = probe(x.leaky_trace().relu(), &w, &x);
    let (b, gb) = probe(aigc::kernels::leaky_relu(x.leaky_trace(), 0.0), &w, &x);
    assert!(gap(&a, &b) < 1e-7 && gap(&ga, &gb) < 1e-7);
}
