//! Chapter 3: the tensor examples compute what the chapter says they compute.

use aigc::tensors::*;
use dfdx::prelude::*;

#[test]
fn derivative_of_x_squared_plus_3x_is_2x_plus_3() {
    let dev = Cpu::default();
    for x in [-2.0f32, 0.0, 0.5, 2.0, 10.0] {
        let (f, df) = derivative_at(&dev, x);
        assert_eq!(f, x * x + 3.0 * x);
        assert_eq!(df, 2.0 * x + 3.0);
    }
}

#[test]
fn broadcasting_matmul_and_sum_give_the_hand_computed_values() {
    let (shifted, xw, total) = tensor_ops(&Cpu::default());
    assert_eq!(shifted, vec![11.0, 22.0, 33.0, 14.0, 25.0, 36.0]);
    assert_eq!(xw, vec![1.0 - 3.0, 4.0 - 6.0]);
    assert_eq!(total, 21.0);
}

#[test]
fn neuron_gradients_match_the_chain_rule() {
    let g = neuron_gradients(&Cpu::default());
    // z = 0.2·1 − 0.5·2 + 0.1·3 + 0.3 = −0.2, a = tanh(z), da/dz = 1 − a².
    let z: f32 = -0.2;
    assert!((g.output - z.tanh()).abs() < 1e-6);
    let slope = 1.0 - z.tanh().powi(2);
    for (d, x) in g.d_weights.iter().zip([1.0, 2.0, 3.0]) {
        assert!((d - slope * x).abs() < 1e-6, "{d} vs {}", slope * x);
    }
    assert!((g.d_bias - slope).abs() < 1e-6);
}

#[test]
fn created_tensors_report_their_shapes() {
    let lines = create_tensors(&Cpu::default());
    assert_eq!(lines[0], "a = [1.0, 2.0, 3.0], shape [3]");
    assert!(
        lines[2].contains("shape [2, 3] and 6 elements"),
        "{}",
        lines[2]
    );
    assert_eq!(lines[3], "d has shape [4, 3]");
}
