//! Solutions of chapter 9's exercises.

use dfdx::optim::{Optimizer, Sgd, SgdConfig};
use dfdx::prelude::*;

use crate::bench::BenchRow;
use crate::data::Dataset;
use crate::error::AigcError;
use crate::regression::{LinearModel, WINE_FEATURES, to_layer, to_tensors};

pub fn pairwise_sum(xs: &[f32]) -> f32 {
    match xs {
        [] => 0.0,
        [x] => *x,
        _ => {
            let (left, right) = xs.split_at(xs.len() / 2);
            pairwise_sum(left) + pairwise_sum(right)
        }
    }
}

pub fn losses_read_every<D: Device<f32>>(
    dev: &D,
    data: &Dataset,
    lr: f64,
    steps: usize,
    every: usize,
) -> crate::Result<Vec<(usize, f32)>> {
    let mut layer = to_layer::<WINE_FEATURES, D>(dev, &LinearModel::zeros(WINE_FEATURES))?;
    let (x, y) = to_tensors::<WINE_FEATURES, D>(dev, data)?;
    let mut opt = Sgd::new(
        &layer,
        SgdConfig {
            lr,
            momentum: None,
            weight_decay: None,
        },
    );
    let mut grads = layer.alloc_grads();
    let mut read = Vec::new();
    for step in 1..=steps {
        let loss = mse_loss(layer.forward(x.clone().trace(grads)), y.clone());
        if step % every == 0 {
            read.push((step, loss.as_vec()[0])); // the only copy back from the device
        }
        grads = loss.backward();
        opt.update(&mut layer, &grads)
            .map_err(|e| AigcError::Shape(format!("optimiser update failed: {e:?}")))?;
        layer.zero_grads(&mut grads);
    }
    Ok(read)
}

pub fn crossover_batch(cpu: [&BenchRow; 2], gpu: [&BenchRow; 2]) -> Option<usize> {
    // t(b) = t₀ + c·b through two points.
    let line = |[p, q]: [&BenchRow; 2]| {
        let c = (q.ms_per_step - p.ms_per_step) / (q.batch as f64 - p.batch as f64);
        (p.ms_per_step - c * p.batch as f64, c)
    };
    let ((t_cpu, c_cpu), (t_gpu, c_gpu)) = (line(cpu), line(gpu));
    let faster = |b: usize| t_gpu + c_gpu * (b as f64) < t_cpu + c_cpu * (b as f64);
    if faster(1) {
        return Some(1);
    }
    if c_gpu >= c_cpu {
        return None; // the GPU is slower at b = 1 and gains nothing per example
    }
    // The lines cross at b = (t_gpu − t_cpu)/(c_cpu − c_gpu); step past rounding.
    let mut b = ((t_gpu - t_cpu) / (c_cpu - c_gpu)).floor().max(1.0) as usize;
    while !faster(b) {
        b += 1;
    }
    while b > 1 && faster(b - 1) {
        b -= 1;
    }
    Some(b)
}
