//! Chapter 4 — a neuron: a weighted sum followed by an activation.
//!
//! A neuron with weights w, bias b and activation σ maps an input vector x to
//! a = σ(z), where z = w·x + b. Without σ a stack of neurons is still one linear map;
//! the activation is what lets networks bend.

use dfdx::prelude::*;
use serde::Serialize;

/// The activation functions of this book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Activation {
    /// σ(z) = z: a linear neuron (linear regression is one of these).
    Identity,
    /// σ(z) = 1 / (1 + e^(−z)): squashes to (0, 1).
    Sigmoid,
    /// σ(z) = tanh z: squashes to (−1, 1), centred on 0.
    Tanh,
    /// σ(z) = max(0, z): the default in deep networks.
    Relu,
}

impl Activation {
    /// Every activation, in the order the chapter plots them.
    pub const ALL: [Activation; 4] = [
        Activation::Identity,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
    ];

    /// σ(z).
    ///
    /// ```
    /// use aigc::neuron::Activation;
    /// assert_eq!(Activation::Sigmoid.apply(0.0), 0.5);
    /// assert_eq!(Activation::Relu.apply(-3.0), 0.0);
    /// ```
    pub fn apply(self, z: f64) -> f64 {
        match self {
            Activation::Identity => z,
            Activation::Sigmoid => 1.0 / (1.0 + (-z).exp()),
            Activation::Tanh => z.tanh(),
            Activation::Relu => z.max(0.0),
        }
    }

    /// The name used in legends.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "ReLU",
        }
    }
}

/// One neuron: weights, a bias and an activation.
// ANCHOR: neuron
#[derive(Debug, Clone, PartialEq)]
pub struct Neuron {
    /// One weight per input.
    pub weights: Vec<f64>,
    /// The bias b.
    pub bias: f64,
    /// The activation σ.
    pub activation: Activation,
}

impl Neuron {
    /// a = σ(w·x + b).
    ///
    /// ```
    /// use aigc::neuron::{Activation, Neuron};
    /// let n = Neuron { weights: vec![0.5, -1.0], bias: 0.25, activation: Activation::Relu };
    /// assert_eq!(n.forward(&[2.0, 0.5]), 0.75); // relu(1.0 − 0.5 + 0.25)
    /// ```
    pub fn forward(&self, x: &[f64]) -> f64 {
        let z: f64 = self.weights.iter().zip(x).map(|(w, x)| w * x).sum::<f64>() + self.bias;
        self.activation.apply(z)
    }
}
// ANCHOR_END: neuron

/// The same sigmoid neuron with dfdx tensors: `matmul` does the weighted sum.
///
/// ```
/// use dfdx::prelude::*;
/// let dev = Cpu::default();
/// let a = aigc::neuron::sigmoid_neuron_dfdx(&dev, [0.5, -1.0, 2.0], 0.1, [1.0, 2.0, 0.5]);
/// assert!((a - 0.4013).abs() < 1e-4); // σ(0.5 − 2 + 1 + 0.1) = σ(−0.4)
/// ```
// ANCHOR: neuron_dfdx
pub fn sigmoid_neuron_dfdx<D: Device<f32>>(dev: &D, w: [f32; 3], b: f32, x: [f32; 3]) -> f32 {
    let w: Tensor<Rank1<3>, f32, D> = dev.tensor(w);
    let x: Tensor<Rank1<3>, f32, D> = dev.tensor(x);
    let z = (w * x).sum::<Rank0, _>() + b; // z = w·x + b
    z.sigmoid().as_vec()[0] // a = σ(z)
}
// ANCHOR_END: neuron_dfdx
