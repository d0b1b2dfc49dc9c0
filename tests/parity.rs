//! Chapter 6's LSTM against PyTorch's `nn.LSTM`: the same weights give the same logits,
//! loss and gradients (a fixture made by `scripts/lstm-fixture.py`).

use aigc::dfdx::prelude::*;
use aigc::lm::next_token_loss;
use aigc::lstm::{CharLstm, time_major};
use aigc::params::{ParamVisitor, Params, set_parameters};

type Small = CharLstm<4, 5, 20, f32, Cpu>;

fn fixture() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/lstm-torch.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(v: &serde_json::Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn ids(v: &serde_json::Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap() as usize)
        })
        .collect()
}

fn largest_gap(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn the_lstm_computes_what_pytorch_computes_from_the_same_weights() {
    let f = fixture();
    let dev = Cpu::default();
    let mut model = Small::new(&dev, 7, 0);
    let params: Vec<Vec<f32>> = f["params"].as_array().unwrap().iter().map(floats).collect();
    assert!(
        set_parameters(&mut model, &params),
        "the fixture's tensors fit the model, in PyTorch's order"
    );

    let (x, y) = (ids(&f["inputs"]), ids(&f["targets"]));
    let (batch, steps) = (2, 3);
    let inputs = time_major(&dev, &x, batch, steps).leaky_traced();
    let (logits, _) = model.forward(inputs, None); // (steps, batch, V)
    let (logits, tape) = logits.split_tape();
    // PyTorch's logits are batch-major: (batch, steps, V).
    let ours = logits.as_vec();
    let mut batch_major = Vec::new();
    for b in 0..batch {
        for t in 0..steps {
            batch_major.extend_from_slice(&ours[(t * batch + b) * 7..(t * batch + b + 1) * 7]);
        }
    }
    let logit_gap = largest_gap(&batch_major, &floats(&f["logits"]));
    assert!(logit_gap < 1e-5, "logits differ by {logit_gap}");

    let targets = time_major(&dev, &y, batch, steps).as_vec();
    let loss = next_token_loss(
        logits.put_tape(tape).reshape_like(&(6, 7)),
        dev.tensor_from_vec(targets, (6,)),
    );
    let loss_gap = (loss.as_vec()[0] - f["loss"].as_f64().unwrap() as f32).abs();
    assert!(loss_gap < 1e-5, "loss differs by {loss_gap}");

    let grads = loss.backward();
    struct Get<'a>(&'a Gradients<f32, Cpu>, Vec<Vec<f32>>);
    impl ParamVisitor<f32, Cpu> for Get<'_> {
        fn visit<S: Shape>(&mut self, t: &mut Tensor<S, f32, Cpu>) {
            self.1.push(self.0.get(t).as_vec());
        }
    }
    let mut get = Get(&grads, Vec::new());
    model.clone().visit_params(&mut get);
    let names = f["order"].as_array().unwrap();
    let mut grad_gap = 0f32;
    for (k, want) in f["grads"].as_array().unwrap().iter().enumerate() {
        let gap = largest_gap(&get.1[k], &floats(want));
        assert!(gap < 1e-5, "the gradient of {} differs by {gap}", names[k]);
        grad_gap = grad_gap.max(gap);
    }
    eprintln!(
        "largest differences: logits {logit_gap:.1e}, loss {loss_gap:.1e}, gradients {grad_gap:.1e}"
    );
}

/// The model's logits for the fixture's inputs, batch-major as PyTorch gives them.
fn logits_with(params: &[Vec<f32>]) -> Vec<f32> {
    let f = fixture();
    let dev = Cpu::default();
    let mut model = Small::new(&dev, 7, 0);
    assert!(set_parameters(&mut model, params));
    let (batch, steps) = (2, 3);
    let inputs = time_major(&dev, &ids(&f["inputs"]), batch, steps);
    let (logits, _) = model.forward(inputs, None);
    let ours = logits.as_vec();
    (0..batch)
        .flat_map(|b| (0..steps).map(move |t| t * batch + b))
        .flat_map(|row| ours[row * 7..(row + 1) * 7].to_vec())
        .collect()
}

#[test]
fn the_comparison_catches_gates_in_another_order() {
    // The mistake this fixture exists for: reading the stacked gates as i, g, f, o instead
    // of PyTorch's i, f, g, o. Swap blocks f and g (5 rows each) of every LSTM tensor.
    let f = fixture();
    let mut params: Vec<Vec<f32>> = f["params"].as_array().unwrap().iter().map(floats).collect();
    let want = floats(&f["logits"]);
    assert!(largest_gap(&logits_with(&params), &want) < 1e-5);
    for k in [1, 2, 3, 4] {
        let cols = params[k].len() / 20; // E, 1, H, 1 numbers per row of 4H = 20 rows
        let (f_rows, g_rows) = (5 * cols..10 * cols, 10 * cols..15 * cols);
        let g_block: Vec<f32> = params[k][g_rows.clone()].to_vec();
        let f_block: Vec<f32> = params[k][f_rows.clone()].to_vec();
        params[k][f_rows].copy_from_slice(&g_block);
        params[k][g_rows].copy_from_slice(&f_block);
    }
    let gap = largest_gap(&logits_with(&params), &want);
    assert!(
        gap > 1e-3,
        "swapped gates must be caught, but the logits differ by only {gap}"
    );
}
