//! Checks of chapter 3's exercises: the logic of `tests/exercises.rs`, callable on any
//! function with the exercise's signature (the notebooks' check cells call these).

#![allow(clippy::type_complexity)]

#[allow(unused_imports)]
use super::*;
use crate::tensors::NeuronGradients;

/// The checks of `tests/exercises.rs::ch03::exercise_3_1_derivative_of_x_cubed_minus_2x`, on the given `cubic_derivative_at`.
pub fn exercise_3_1_derivative_of_x_cubed_minus_2x(
    cubic_derivative_at: impl Fn(&Cpu, f32) -> (f32, f32),
) {
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

/// The checks of `tests/exercises.rs::ch03::exercise_3_2_sigmoid_neuron_gradients_follow_the_chain_rule`, on the given `sigmoid_neuron_gradients`.
pub fn exercise_3_2_sigmoid_neuron_gradients_follow_the_chain_rule(
    sigmoid_neuron_gradients: impl Fn(&Cpu, [f32; 3], f32, [f32; 3]) -> NeuronGradients,
) {
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
    let neuron = |b: f32| crate::neuron::sigmoid_neuron_dfdx(&dev, w, b, x);
    let numeric = (neuron(b + h) - neuron(b - h)) / (2.0 * h);
    assert!(
        (g.d_bias - numeric).abs() < 1e-4,
        "{} vs {numeric}",
        g.d_bias
    );
}

/// The checks of `tests/exercises.rs::ch03::exercise_3_3_layer_forward_is_x_times_w_plus_b_on_every_row`, on the given `layer_forward`.
pub fn exercise_3_3_layer_forward_is_x_times_w_plus_b_on_every_row(
    layer_forward: impl Fn(&Cpu, [[f32; 3]; 4], [[f32; 2]; 3], [f32; 2]) -> Vec<f32>,
) {
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
