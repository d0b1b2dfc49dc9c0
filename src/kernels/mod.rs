//! Fast CPU kernels for the few operations that dominate a training step, each with its
//! own backward pass, written through dfdx's public tape API (`split_tape`, `put_tape`,
//! `Tape::add_backward_op`, `Gradients::get_or_alloc_mut`).
//!
//! The book teaches the composed versions — `log_softmax` then `select`, the LSTM cell
//! step by step — because they read like the equations. Composed, each operation walks
//! its tensor once, allocates a new one and records its own backward step; fused, one
//! pass does the work of several, and the recurrence's weight gradient becomes one large
//! matrix product instead of one per time step. Every kernel here is checked against its
//! composed version (values and gradients, `tests/kernels.rs`) and runs only on the CPU:
//! on a GPU the composed operations, which dfdx runs as CUDA kernels, are used instead.
//!
//! One rule every kernel follows: a gradient buffer is in the *memory* order of its
//! tensor, which for a permuted view is not the order `as_vec` reads. Each kernel first
//! reshapes its inputs to their own shape — free for a contiguous tensor, a copy (with
//! its own backward step) for a strided view — and then reads and writes in one order.
//!
//! | file | concept |
//! |---|---|
//! | `cross_entropy.rs` | [`cross_entropy`]: softmax and the next-token loss in one pass |
//! | `lstm.rs` | [`lstm_sequence`]: the LSTM over a whole sequence, forward and backward |
//! | `transformer.rs` | [`layer_norm`], [`gelu`], [`causal_attention`], [`leaky_relu`]: element-wise work in one pass |

mod cross_entropy;
mod lstm;
mod transformer;

pub use cross_entropy::cross_entropy;
pub use lstm::lstm_sequence;
pub use transformer::{causal_attention, gelu, layer_norm, leaky_relu};

use std::any::Any;

use dfdx::prelude::*;

/// `true` when `D` is dfdx's CPU device, where the fused kernels run.
pub fn on_cpu<D: 'static>() -> bool {
    std::any::TypeId::of::<D>() == std::any::TypeId::of::<Cpu>()
}

/// The CPU view of a tensor of device `D` (which is the CPU: checked by [`on_cpu`]).
fn cpu<S: Shape, D: Storage<f32>>(t: &Tensor<S, f32, D>) -> &Tensor<S, f32, Cpu> {
    (t as &dyn Any)
        .downcast_ref()
        .unwrap_or_else(|| unreachable!("a fused kernel runs only on the CPU"))
}

/// The CPU view of a gradient store of device `D` (the CPU, as above).
fn cpu_grads<D: Storage<f32>>(g: &mut Gradients<f32, D>) -> &mut Gradients<f32, Cpu> {
    (g as &mut dyn Any)
        .downcast_mut()
        .unwrap_or_else(|| unreachable!("a fused kernel runs only on the CPU"))
}

/// The gradient buffer of `t` in `grads`, allocated (as zeros) if it is not there yet.
fn grad_of<'a, S: Shape>(
    grads: &'a mut Gradients<f32, Cpu>,
    t: &Tensor<S, f32, Cpu>,
) -> &'a mut [f32] {
    grads
        .get_or_alloc_mut(t)
        .expect("allocating a gradient on the CPU")
}

/// The gradient `backward()` computed for `t` (zeros if nothing reached it).
fn grad_value<S: Shape>(grads: &mut Gradients<f32, Cpu>, t: &Tensor<S, f32, Cpu>) -> Vec<f32> {
    grad_of(grads, t).to_vec()
}
