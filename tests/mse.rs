//! Chapter 4: the MSE written twice is the same function, its gradient is right, and the
//! Gaussian view has the same minimum.

use aigc::mse::*;
use aigc::neuron::{Activation, Neuron, sigmoid_neuron_dfdx};
use dfdx::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn random_vec(rng: &mut StdRng, n: usize) -> Vec<f64> {
    (0..n).map(|_| rng.gen_range(-10.0..10.0)).collect()
}

#[test]
fn plain_and_dfdx_mse_agree_on_random_data() {
    let dev = Cpu::default();
    let mut rng = StdRng::seed_from_u64(4);
    for n in [1, 2, 7, 100, 1000] {
        let (y, y_hat) = (random_vec(&mut rng, n), random_vec(&mut rng, n));
        let plain = mse(&y, &y_hat);
        let to32 = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<_>>();
        let with_dfdx = mse_dfdx(&dev, &to32(&y), &to32(&y_hat)) as f64;
        assert!(
            (plain - with_dfdx).abs() <= 1e-5 * plain.max(1.0),
            "n = {n}: {plain} vs {with_dfdx}"
        );
    }
}

#[test]
fn mse_of_a_perfect_prediction_is_zero_and_known_values_match() {
    assert_eq!(mse(&[1.0, 2.0], &[1.0, 2.0]), 0.0);
    assert_eq!(mse(&[0.0, 0.0], &[3.0, 4.0]), 12.5);
}

#[test]
fn mse_gradient_matches_finite_differences() {
    let mut rng = StdRng::seed_from_u64(7);
    let (y, y_hat) = (random_vec(&mut rng, 5), random_vec(&mut rng, 5));
    let grad = mse_gradient(&y, &y_hat);
    let h = 1e-6;
    for i in 0..5 {
        let (mut plus, mut minus) = (y_hat.clone(), y_hat.clone());
        plus[i] += h;
        minus[i] -= h;
        let numeric = (mse(&y, &plus) - mse(&y, &minus)) / (2.0 * h);
        assert!(
            (grad[i] - numeric).abs() < 1e-6,
            "component {i}: {} vs {numeric}",
            grad[i]
        );
    }
}

#[test]
fn toy_slope_matches_finite_differences_and_autodiff() {
    let dev = Cpu::default();
    for w in [0.0, 0.7, 1.5, 3.0] {
        let h = 1e-6;
        let numeric = (toy_loss(w + h) - toy_loss(w - h)) / (2.0 * h);
        assert!((toy_slope(w) - numeric).abs() < 1e-5);
        let auto = toy_slope_autodiff(&dev, w);
        assert!((toy_slope(w) - auto).abs() < 1e-3 * toy_slope(w).abs().max(1.0));
    }
}

#[test]
fn the_closed_form_weight_is_the_minimum() {
    let w = toy_best_w();
    assert!(toy_slope(w).abs() < 1e-12);
    assert!(toy_loss(w) < toy_loss(w + 0.01) && toy_loss(w) < toy_loss(w - 0.01));
}

#[test]
fn gaussian_nll_is_an_affine_function_of_mse() {
    let mut rng = StdRng::seed_from_u64(9);
    let y = random_vec(&mut rng, 20);
    for sigma in [0.5, 1.0, 3.0] {
        let constant = 0.5 * (2.0 * std::f64::consts::PI * sigma * sigma).ln();
        for _ in 0..5 {
            let y_hat = random_vec(&mut rng, 20);
            let expected = constant + mse(&y, &y_hat) / (2.0 * sigma * sigma);
            assert!((gaussian_nll(&y, &y_hat, sigma) - expected).abs() < 1e-9);
        }
    }
}

#[test]
fn neuron_in_plain_rust_and_in_dfdx_agree() {
    let (w, b, x) = ([0.5f32, -1.0, 2.0], 0.1f32, [1.0f32, 2.0, 0.5]);
    let plain = Neuron {
        weights: w.iter().map(|&v| v as f64).collect(),
        bias: b as f64,
        activation: Activation::Sigmoid,
    }
    .forward(&x.map(|v| v as f64));
    let dfdx = sigmoid_neuron_dfdx(&Cpu::default(), w, b, x) as f64;
    assert!((plain - dfdx).abs() < 1e-6, "{plain} vs {dfdx}");
}

#[test]
fn activations_have_their_textbook_values() {
    assert_eq!(Activation::Identity.apply(-2.5), -2.5);
    assert!((Activation::Sigmoid.apply(2.0) - 0.880_797_077_977_882_3).abs() < 1e-15);
    assert_eq!(Activation::Tanh.apply(0.0), 0.0);
    assert_eq!(Activation::Relu.apply(-1.0), 0.0);
    assert_eq!(Activation::Relu.apply(1.5), 1.5);
}

#[test]
#[should_panic(expected = "differ in length")]
fn mse_of_mismatched_lengths_is_a_caller_bug() {
    mse(&[1.0], &[1.0, 2.0]);
}
