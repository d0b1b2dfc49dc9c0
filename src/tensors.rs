//! Chapter 3 — tensors and automatic differentiation in dfdx.
//!
//! A tensor is an array with a *shape* (its size along each axis), an element type and a
//! *device* (where its memory lives: the CPU or a GPU). In dfdx the shape is part of the
//! type, so `a + b` with mismatched shapes does not compile.

use dfdx::prelude::*;
use serde::Serialize;

/// Four ways to make a tensor: from an array, filled, random, and with a size known only
/// at run time.
// ANCHOR: create
pub fn create_tensors<D: Device<f32>>(dev: &D) -> Vec<String> {
    let a: Tensor<Rank1<3>, f32, D> = dev.tensor([1.0, 2.0, 3.0]); // shape (3,)
    let b: Tensor<Rank2<2, 3>, f32, D> = dev.ones(); // shape (2, 3), all ones
    let c: Tensor<Rank2<2, 3>, f32, D> = dev.sample_normal(); // N(0, 1) entries
    let n = 4; // e.g. the number of rows in a file
    let d: Tensor<(usize, Const<3>), f32, D> = dev.zeros_like(&(n, Const::<3>)); // shape (n, 3): rows dynamic, columns fixed
    vec![
        format!("a = {:?}, shape {:?}", a.as_vec(), a.shape().concrete()),
        format!("b = {:?}, shape {:?}", b.as_vec(), b.shape().concrete()),
        format!(
            "c has shape {:?} and {} elements",
            c.shape().concrete(),
            c.shape().num_elements()
        ),
        format!("d has shape {:?}", d.shape().concrete()),
    ]
}
// ANCHOR_END: create

/// Element-wise arithmetic, broadcasting, reductions and matrix products.
// ANCHOR: ops
pub fn tensor_ops<D: Device<f32>>(dev: &D) -> (Vec<f32>, Vec<f32>, f32) {
    let x: Tensor<Rank2<2, 3>, f32, D> = dev.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let row: Tensor<Rank1<3>, f32, D> = dev.tensor([10.0, 20.0, 30.0]);
    // Broadcasting: copy `row` along a new first axis so it matches x's (2, 3).
    let shifted = x.clone() + row.broadcast::<Rank2<2, 3>, _>();
    let w: Tensor<Rank1<3>, f32, D> = dev.tensor([1.0, 0.0, -1.0]);
    // (2, 3) × (3,) is not a matrix product; make w a (3, 1) column first.
    let xw = x
        .clone()
        .matmul(w.reshape::<Rank2<3, 1>>())
        .reshape::<Rank1<2>>();
    let total = x.sum::<Rank0, _>(); // reduce every axis
    // `as_vec` copies the values back from the device, row by row.
    (shifted.as_vec(), xw.as_vec(), total.as_vec()[0])
}
// ANCHOR_END: ops

/// f(x) = x² + 3x and its derivative f'(x) = 2x + 3, the latter computed by dfdx.
///
/// ```
/// use dfdx::prelude::*;
/// let (f, df) = aigc::tensors::derivative_at(&Cpu::default(), 2.0);
/// assert_eq!((f, df), (10.0, 7.0));
/// ```
// ANCHOR: derivative
pub fn derivative_at<D: Device<f32>>(dev: &D, x: f32) -> (f32, f32) {
    let x: Tensor<Rank0, f32, D> = dev.tensor(x);
    // `leaky_trace` puts x on a tape that records every operation applied to it. A tape
    // cannot be copied, so each use of x gets its own; `+` merges the two tapes.
    let f = x.leaky_trace().square() + x.leaky_trace() * 3.0; // f(x) = x² + 3x
    let value = f.as_vec()[0];
    let grads = f.backward(); // replay the tape backwards from f
    (value, grads.get(&x).as_vec()[0]) // df/dx at x
}
// ANCHOR_END: derivative

/// The gradients of a neuron's output with respect to its weights and bias.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeuronGradients {
    /// a = tanh(w·x + b).
    pub output: f32,
    /// ∂a/∂wⱼ = (1 − a²) xⱼ.
    pub d_weights: Vec<f32>,
    /// ∂a/∂b = 1 − a².
    pub d_bias: f32,
}

/// A forward pass through one tanh neuron, then `backward()` to every parameter.
///
/// ```
/// use dfdx::prelude::*;
/// let g = aigc::tensors::neuron_gradients(&Cpu::default());
/// let slope = 1.0 - g.output * g.output; // tanh'(z) = 1 − tanh²(z)
/// assert!((g.d_bias - slope).abs() < 1e-6);
/// ```
// ANCHOR: neuron_backward
pub fn neuron_gradients<D: Device<f32>>(dev: &D) -> NeuronGradients {
    let w: Tensor<Rank1<3>, f32, D> = dev.tensor([0.2, -0.5, 0.1]);
    let b: Tensor<Rank0, f32, D> = dev.tensor(0.3);
    let x: Tensor<Rank1<3>, f32, D> = dev.tensor([1.0, 2.0, 3.0]);
    // Trace both parameters on one tape: a `Gradients` store travels with the tensors.
    let tape = w.leaky_trace();
    let z = (tape * x).sum::<Rank0, _>() + b.leaky_trace(); // z = w·x + b
    let a = z.tanh(); // a = tanh(z)
    let output = a.as_vec()[0];
    let grads = a.backward();
    NeuronGradients {
        output,
        d_weights: grads.get(&w).as_vec(),
        d_bias: grads.get(&b).as_vec()[0],
    }
}
// ANCHOR_END: neuron_backward

/// What `aigc tensors` prints and writes to `tensors.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TensorsReport {
    /// Lines describing the created tensors.
    pub created: Vec<String>,
    /// x + row (broadcast, row-major), x·w, Σx.
    pub ops: (Vec<f32>, Vec<f32>, f32),
    /// Where the derivative was taken.
    #[serde(skip)]
    pub x: f32,
    /// f(x) and f'(x) for f(x) = x² + 3x.
    pub derivative: (f32, f32),
    /// The neuron's output and gradients.
    pub neuron: NeuronGradients,
}

/// The chapter's one setting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TensorsConfig {
    /// Where f(x) = x² + 3x and its derivative are evaluated (the book's 2).
    pub x: f32,
}

impl Default for TensorsConfig {
    fn default() -> Self {
        TensorsConfig { x: 2.0 }
    }
}

/// Runs every example of the chapter.
///
/// ```
/// use aigc::dfdx::prelude::*;
/// use aigc::tensors::{TensorsConfig, run};
/// let report = run(&Cpu::default(), &TensorsConfig::default());
/// assert_eq!(report.derivative, (10.0, 7.0));
/// ```
pub fn run<D: Device<f32>>(dev: &D, cfg: &TensorsConfig) -> TensorsReport {
    TensorsReport {
        created: create_tensors(dev),
        ops: tensor_ops(dev),
        x: cfg.x,
        derivative: derivative_at(dev, cfg.x),
        neuron: neuron_gradients(dev),
    }
}

impl crate::report::Report for TensorsReport {
    /// The report as Markdown text.
    fn summary(&self) -> String {
        let mut s = String::new();
        for line in &self.created {
            s += &format!("- {line}\n");
        }
        let (shifted, xw, total) = &self.ops;
        s += &format!("- x + row = {shifted:?}, x·w = {xw:?}, Σx = {total}\n");
        let (f, df) = self.derivative;
        s += &format!(
            "- f(x) = x² + 3x at x = {}: f = {f}, f'(x) = {df}\n",
            self.x
        );
        let n = &self.neuron;
        s += &format!(
            "- tanh neuron: a = {:.4}, ∂a/∂w = {:?}, ∂a/∂b = {:.4}\n",
            n.output, n.d_weights, n.d_bias
        );
        s
    }

    /// Writes `tensors.json` and `tensors.md` into `out`.
    fn write(&self, out: &mut crate::report::OutputDir) -> crate::Result<()> {
        out.json("tensors.json", self)?;
        out.text("tensors.md", &self.summary())
    }
}
