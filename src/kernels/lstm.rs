//! The LSTM over a whole sequence, forward and backward, in one kernel.
//!
//! Forward, for t = 1 … T (gates in PyTorch's order i, f, g, o):
//! zₜ = x̂ₜ + b_hh + W_hh hₜ₋₁ (x̂ₜ = W_ih xₜ + b_ih, computed before for every step),
//! cₜ = σ(f) ⊙ cₜ₋₁ + σ(i) ⊙ tanh(g),  hₜ = σ(o) ⊙ tanh(cₜ).
//! Backward runs t = T … 1 and keeps, for every step, the gradient of zₜ; the recurrent
//! weight's gradient is then one matrix product over all steps at once,
//! ∂L/∂W_hh = Σₜ (∂L/∂zₜ)ᵀ hₜ₋₁, as PyTorch's `nn.LSTM` computes it, instead of T small
//! ones.

use dfdx::prelude::*;

use super::{cpu, cpu_grads, grad_of, grad_value, on_cpu};

/// `dst` (m × n, row-major) ← `dst` (if `accumulate`) + A B, where A is m × k and B is
/// k × n, each given as (values, row stride, column stride) so that a transpose is only
/// another pair of strides.
fn matmul(
    (m, n, k): (usize, usize, usize),
    dst: &mut [f32],
    accumulate: bool,
    (a, a_rs, a_cs): (&[f32], usize, usize),
    (b, b_rs, b_cs): (&[f32], usize, usize),
) {
    if m == 0 || n == 0 {
        return;
    }
    let last = |rows: usize, cols: usize, rs: usize, cs: usize| (rows - 1) * rs + (cols - 1) * cs;
    assert!(dst.len() >= m * n);
    assert!(k == 0 || a.len() > last(m, k, a_rs, a_cs) && b.len() > last(k, n, b_rs, b_cs));
    // SAFETY: the assertions above keep every index gemm touches inside the slices, and
    // `dst` does not overlap `a` or `b` (it is borrowed mutably while they are borrowed).
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            a.as_ptr(),
            a_cs as isize,
            a_rs as isize,
            b.as_ptr(),
            b_cs as isize,
            b_rs as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::Rayon(rayon::current_num_threads()),
        );
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// What the forward pass keeps for the backward one: per step, the four gates after
/// their nonlinearity, the cell, tanh of the cell, and the hidden state that went in.
struct Saved {
    gates: Vec<f32>,  // (T, B, 4H): σ(i), σ(f), tanh(g), σ(o)
    cells: Vec<f32>,  // (T + 1, B, H): c₀ … c_T
    tanh_c: Vec<f32>, // (T, B, H)
    h_prev: Vec<f32>, // (T, B, H): h₀ … h_{T−1}
}

/// Runs the LSTM over `x_proj` (steps, batch, 4H) from the state (`h0`, `c0`), with the
/// recurrent weight `w_hh` (4H, H) and bias `b_hh` (4H): every hₜ (steps, batch, H) on
/// the tape of `x_proj`, and the last (h, c). Gradients reach `x_proj`, `w_hh` and `b_hh`
/// (the initial state is not trained). The same numbers as
/// [`LstmCell::forward_seq`](crate::lstm::LstmCell::forward_seq) composes step by step.
///
/// Only for the CPU (see [`on_cpu`]); the cell falls back to the composed steps elsewhere.
#[allow(clippy::type_complexity)]
pub fn lstm_sequence<const H: usize, const G: usize, D: Device<f32>, T: Tape<f32, D>>(
    x_proj: Tensor<(usize, usize, Const<G>), f32, D, T>,
    (w_hh, b_hh): (&Tensor<Rank2<G, H>, f32, D>, &Tensor<Rank1<G>, f32, D>),
    (h0, c0): (
        &Tensor<(usize, Const<H>), f32, D>,
        &Tensor<(usize, Const<H>), f32, D>,
    ),
) -> (
    Tensor<(usize, usize, Const<H>), f32, D, T>,
    (
        Tensor<(usize, Const<H>), f32, D>,
        Tensor<(usize, Const<H>), f32, D>,
    ),
) {
    assert!(on_cpu::<D>(), "lstm_sequence is the CPU kernel");
    let (steps, batch, _) = *x_proj.shape();
    // Gradients are written in memory order: work on a contiguous tensor (a no-op when it is).
    let (x_proj, mut tape) = x_proj
        .reshape_like(&(steps, batch, Const::<G>))
        .split_tape();
    let (w, b) = (w_hh.as_vec(), b_hh.as_vec());
    let mut z = x_proj.as_vec(); // becomes the gates, step by step
    let mut hs = vec![0.0f32; steps * batch * H];
    let mut s = Saved {
        gates: Vec::new(),
        cells: c0.as_vec(),
        tanh_c: vec![0.0; steps * batch * H],
        h_prev: Vec::with_capacity(steps * batch * H),
    };
    s.cells.resize((steps + 1) * batch * H, 0.0);
    let mut h = h0.as_vec();
    for t in 0..steps {
        let zt = &mut z[t * batch * G..(t + 1) * batch * G];
        for row in zt.chunks_mut(G) {
            row.iter_mut().zip(&b).for_each(|(z, b)| *z += b);
        }
        // zₜ += hₜ₋₁ W_hhᵀ: (B × H)(H × 4H), W_hh read through its transpose's strides.
        matmul((batch, G, H), zt, true, (&h, H, 1), (&w, 1, H));
        s.h_prev.extend_from_slice(&h);
        let (before, after) = s.cells.split_at_mut((t + 1) * batch * H);
        let (c_prev, c) = (&before[t * batch * H..], &mut after[..batch * H]);
        for r in 0..batch {
            let g = &mut zt[r * G..(r + 1) * G];
            for j in 0..H {
                let (i, f) = (sigmoid(g[j]), sigmoid(g[H + j]));
                let (gg, o) = (g[2 * H + j].tanh(), sigmoid(g[3 * H + j]));
                (g[j], g[H + j], g[2 * H + j], g[3 * H + j]) = (i, f, gg, o);
                let cell = f * c_prev[r * H + j] + i * gg;
                let tc = cell.tanh();
                c[r * H + j] = cell;
                s.tanh_c[(t * batch + r) * H + j] = tc;
                h[r * H + j] = o * tc;
            }
        }
        hs[t * batch * H..(t + 1) * batch * H].copy_from_slice(&h);
    }
    s.gates = z;
    let dev = x_proj.device().clone();
    let last_c = s.cells[steps * batch * H..].to_vec();
    let last = (
        dev.tensor_from_vec(h, (batch, Const)),
        dev.tensor_from_vec(last_c, (batch, Const)),
    );
    let out: Tensor<(usize, usize, Const<H>), f32, D> =
        dev.tensor_from_vec(hs, (steps, batch, Const));
    let (out_k, x_k, w_k, b_k) = (out.clone(), x_proj, w_hh.clone(), b_hh.clone());
    tape.add_backward_op(move |grads| {
        let grads = cpu_grads(grads);
        let dhs = grad_value(grads, cpu(&out_k));
        let dz = backward::<H, G>(&s, &dhs, &w, (steps, batch));
        let g = grad_of(grads, cpu(&x_k));
        g.iter_mut().zip(&dz).for_each(|(g, d)| *g += d);
        // ∂L/∂W_hh = Σₜ ∂L/∂zₜᵀ hₜ₋₁: one (4H × TB)(TB × H) product for the whole sequence.
        let rows = steps * batch;
        let gw = grad_of(grads, cpu(&w_k));
        matmul((G, H, rows), gw, true, (&dz, 1, G), (&s.h_prev, H, 1));
        let gb = grad_of(grads, cpu(&b_k));
        for row in dz.chunks(G) {
            gb.iter_mut().zip(row).for_each(|(g, d)| *g += d);
        }
        Ok(())
    });
    (out.put_tape(tape), last)
}

/// ∂L/∂zₜ for every step (T, B, 4H), from ∂L/∂hₜ (T, B, H), back through time.
fn backward<const H: usize, const G: usize>(
    s: &Saved,
    dhs: &[f32],
    w: &[f32],
    (steps, batch): (usize, usize),
) -> Vec<f32> {
    let mut dz = vec![0.0f32; steps * batch * G];
    let (mut dh_next, mut dc_next) = (vec![0.0f32; batch * H], vec![0.0f32; batch * H]);
    for t in (0..steps).rev() {
        let gates = &s.gates[t * batch * G..(t + 1) * batch * G];
        let dzt = &mut dz[t * batch * G..(t + 1) * batch * G];
        for r in 0..batch {
            let (g, d) = (&gates[r * G..(r + 1) * G], &mut dzt[r * G..(r + 1) * G]);
            for j in 0..H {
                let k = r * H + j;
                let (i, f, gg, o) = (g[j], g[H + j], g[2 * H + j], g[3 * H + j]);
                let tc = s.tanh_c[t * batch * H + k];
                let dh = dhs[t * batch * H + k] + dh_next[k];
                let dc = dc_next[k] + dh * o * (1.0 - tc * tc);
                let c_prev = s.cells[t * batch * H + k];
                d[j] = dc * gg * i * (1.0 - i); // input gate
                d[H + j] = dc * c_prev * f * (1.0 - f); // forget gate
                d[2 * H + j] = dc * i * (1.0 - gg * gg); // candidate
                d[3 * H + j] = dh * tc * o * (1.0 - o); // output gate
                dc_next[k] = dc * f;
            }
        }
        // ∂L/∂hₜ₋₁ = ∂L/∂zₜ W_hh: (B × 4H)(4H × H).
        matmul((batch, H, G), &mut dh_next, false, (dzt, G, 1), (w, H, 1));
    }
    dz
}
