//! Solutions of chapter 3's exercises.

use dfdx::prelude::*;

use crate::tensors::NeuronGradients;

pub fn cubic_derivative_at<D: Device<f32>>(dev: &D, x: f32) -> (f32, f32) {
    let x: Tensor<Rank0, f32, D> = dev.tensor(x);
    let f = x.leaky_trace().powi(3) - x.leaky_trace() * 2.0; // f(x) = x³ − 2x
    let value = f.as_vec()[0];
    let grads = f.backward();
    (value, grads.get(&x).as_vec()[0]) // f'(x) = 3x² − 2
}

pub fn sigmoid_neuron_gradients<D: Device<f32>>(
    dev: &D,
    w: [f32; 3],
    b: f32,
    x: [f32; 3],
) -> NeuronGradients {
    let w: Tensor<Rank1<3>, f32, D> = dev.tensor(w);
    let b: Tensor<Rank0, f32, D> = dev.tensor(b);
    let x: Tensor<Rank1<3>, f32, D> = dev.tensor(x);
    let z = (w.leaky_trace() * x).sum::<Rank0, _>() + b.leaky_trace();
    let a = z.sigmoid();
    let output = a.as_vec()[0];
    let grads = a.backward();
    NeuronGradients {
        output,
        d_weights: grads.get(&w).as_vec(),
        d_bias: grads.get(&b).as_vec()[0],
    }
}

pub fn layer_forward<D: Device<f32>>(
    dev: &D,
    x: [[f32; 3]; 4],
    w: [[f32; 2]; 3],
    b: [f32; 2],
) -> Vec<f32> {
    let x: Tensor<Rank2<4, 3>, f32, D> = dev.tensor(x);
    let w: Tensor<Rank2<3, 2>, f32, D> = dev.tensor(w);
    let b: Tensor<Rank1<2>, f32, D> = dev.tensor(b);
    let y = x.matmul(w) + b.broadcast::<Rank2<4, 2>, _>();
    y.as_vec()
}
