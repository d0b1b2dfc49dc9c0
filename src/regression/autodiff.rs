//! The same linear regression, with dfdx deriving the gradient for us.
//!
//! Instead of writing ∂L/∂w by hand, we record the forward computation on a *tape* and call
//! `backward()`. The model is dfdx's `Linear<F, 1>` layer: its weight matrix is the row
//! vector w and its bias is b, so ŷ = x·wᵀ + b is exactly the model of `linear.rs`.

use dfdx::nn::modules::Linear;
use dfdx::prelude::*;

use crate::data::Dataset;
use crate::error::{AigcError, Result};
use crate::regression::{Gradient, LinearModel};

/// The number of features of the bundled wine data: dfdx layers know their sizes at
/// compile time, so the autodiff code is instantiated for this width.
pub const WINE_FEATURES: usize = 11;

/// Features as an `(n, F)` tensor and targets as an `(n, 1)` tensor, in `f32`.
pub type DataTensors<const F: usize, D> = (
    Tensor<(usize, Const<F>), f32, D>,
    Tensor<(usize, Const<1>), f32, D>,
);

/// Copies a data set onto a device, checking it has exactly `F` features.
pub fn to_tensors<const F: usize, D: Device<f32>>(
    dev: &D,
    data: &Dataset,
) -> Result<DataTensors<F, D>> {
    check_width::<F>(data.n_features())?;
    let n = data.len();
    let x = dev.tensor_from_vec(data.x.iter().map(|&v| v as f32).collect(), (n, Const::<F>));
    let y = dev.tensor_from_vec(data.y.iter().map(|&v| v as f32).collect(), (n, Const::<1>));
    Ok((x, y))
}

/// Builds a dfdx `Linear<F, 1>` holding the weights of a [`LinearModel`].
pub fn to_layer<const F: usize, D: Device<f32>>(
    dev: &D,
    model: &LinearModel,
) -> Result<Linear<F, 1, f32, D>> {
    check_width::<F>(model.w.len())?;
    let w: Vec<f32> = model.w.iter().map(|&v| v as f32).collect();
    Ok(Linear {
        weight: dev.tensor_from_vec(w, (Const::<1>, Const::<F>)),
        bias: dev.tensor_from_vec(vec![model.b as f32], (Const::<1>,)),
    })
}

/// Reads the weights of a dfdx `Linear<F, 1>` back into a [`LinearModel`].
pub fn from_layer<const F: usize, D: Device<f32>>(layer: &Linear<F, 1, f32, D>) -> LinearModel {
    LinearModel {
        w: layer.weight.as_vec().iter().map(|&v| v as f64).collect(),
        b: layer.bias.as_vec()[0] as f64,
    }
}

/// The gradient of the MSE computed by dfdx's reverse-mode autodiff.
///
/// ```
/// use dfdx::prelude::*;
/// use aigc::regression::{autodiff_gradient, gradient, LinearModel, WINE_FEATURES};
/// let wine = aigc::data::wine_quality().unwrap().standardized();
/// let model = LinearModel::zeros(WINE_FEATURES);
/// let auto = autodiff_gradient::<WINE_FEATURES, _>(&Cpu::default(), &model, &wine).unwrap();
/// let hand = gradient(&model, &wine);
/// assert!((auto.b - hand.b).abs() < 1e-4);
/// ```
// ANCHOR: autodiff_gradient
pub fn autodiff_gradient<const F: usize, D: Device<f32>>(
    dev: &D,
    model: &LinearModel,
    data: &Dataset,
) -> Result<Gradient> {
    let layer = to_layer::<F, D>(dev, model)?;
    let (x, y) = to_tensors::<F, D>(dev, data)?;
    let mut grads = layer.alloc_grads(); // one zeroed gradient per parameter
    let y_hat = layer.forward(x.trace(grads)); // `trace` starts recording on a tape
    let loss = mse_loss(y_hat, y); // (1/n) Σ (ŷ − y)²
    grads = loss.backward(); // walk the tape backwards: ∂loss/∂every parameter
    Ok(Gradient {
        w: grads
            .get(&layer.weight)
            .as_vec()
            .iter()
            .map(|&g| g as f64)
            .collect(),
        b: grads.get(&layer.bias).as_vec()[0] as f64,
    })
}
// ANCHOR_END: autodiff_gradient

fn check_width<const F: usize>(found: usize) -> Result<()> {
    if found == F {
        Ok(())
    } else {
        Err(AigcError::Shape(format!(
            "the dfdx model of this chapter is compiled for {F} features (Linear<{F}, 1>), \
             but the data has {found}; the hand-written gradient descent and the closed form \
             work for any width"
        )))
    }
}
