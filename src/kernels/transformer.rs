//! The Transformer's element-wise work in single passes: LayerNorm, the tanh-form GELU,
//! and causal attention (scale, mask, softmax and the weighted sum of the values).

use dfdx::prelude::*;
use rayon::prelude::*;

use super::{cpu, cpu_grads, grad_of, grad_value, on_cpu};

/// The one tensor a fused kernel's backward op needs to find again: its output.
type Out<S, D> = Tensor<S, f32, D>;

/// LayerNorm over the last axis of `x` (rows, C): (x − μ) / √(σ² + ε) · γ + β per row,
/// with its gradients for x, γ and β; dfdx's `LayerNorm1D` computes the same numbers in
/// five operations.
pub fn layer_norm<const C: usize, D: Device<f32>, T: Tape<f32, D>>(
    x: Tensor<(usize, Const<C>), f32, D, T>,
    gamma: &Tensor<Rank1<C>, f32, D>,
    beta: &Tensor<Rank1<C>, f32, D>,
    eps: f32,
) -> Tensor<(usize, Const<C>), f32, D, T> {
    assert!(on_cpu::<D>(), "layer_norm is a CPU kernel");
    let shape = *x.shape();
    let (x, mut tape) = x.reshape_like(&shape).split_tape(); // contiguous: see causal_attention
    let rows = x.shape().0;
    let (g, b) = (gamma.as_vec(), beta.as_vec());
    let mut xhat = x.as_vec();
    let inv_std: Vec<f32> = xhat
        .par_chunks_mut(C)
        .map(|row| {
            let mean = row.iter().sum::<f32>() / C as f32;
            let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / C as f32;
            let inv = 1.0 / (var + eps).sqrt();
            row.iter_mut().for_each(|v| *v = (*v - mean) * inv);
            inv
        })
        .collect();
    let mut y = xhat.clone();
    y.par_chunks_mut(C).for_each(|row| {
        for ((v, g), b) in row.iter_mut().zip(&g).zip(&b) {
            *v = *v * g + b;
        }
    });
    let out: Out<(usize, Const<C>), D> = x.device().tensor_from_vec(y, (rows, Const));
    let (out_k, x_k, g_k, b_k) = (out.clone(), x, gamma.clone(), beta.clone());
    tape.add_backward_op(move |grads| {
        let grads = cpu_grads(grads);
        let dy = grad_value(grads, cpu(&out_k));
        let gx = grad_of(grads, cpu(&x_k));
        gx.par_chunks_mut(C)
            .zip(dy.par_chunks(C))
            .zip(xhat.par_chunks(C).zip(inv_std.par_iter()))
            .for_each(|((gx, dy), (xh, inv))| {
                // dx = (1/σ)(dx̂ − mean(dx̂) − x̂ · mean(dx̂ ⊙ x̂)), dx̂ = dy ⊙ γ.
                let (mut m1, mut m2) = (0.0f32, 0.0f32);
                for j in 0..C {
                    let d = dy[j] * g[j];
                    m1 += d;
                    m2 += d * xh[j];
                }
                let (m1, m2) = (m1 / C as f32, m2 / C as f32);
                for j in 0..C {
                    gx[j] += inv * (dy[j] * g[j] - m1 - xh[j] * m2);
                }
            });
        let (mut dg, mut db) = (vec![0.0f32; C], vec![0.0f32; C]);
        for (dy, xh) in dy.chunks(C).zip(xhat.chunks(C)) {
            for j in 0..C {
                dg[j] += dy[j] * xh[j];
                db[j] += dy[j];
            }
        }
        add(grad_of(grads, cpu(&g_k)), &dg);
        add(grad_of(grads, cpu(&b_k)), &db);
        Ok(())
    });
    out.put_tape(tape)
}

fn add(into: &mut [f32], values: &[f32]) {
    into.iter_mut().zip(values).for_each(|(a, b)| *a += b);
}

/// √(2/π), the constant of GPT-2's tanh-form GELU.
const GELU_K: f32 = 0.797_884_6;

/// GELU(x) ≈ ½x(1 + tanh(√(2/π)(x + 0.044715x³))), computed as x·σ(2z) like
/// [`tanh_gelu`](crate::gpt::tanh_gelu), elementwise, with its derivative in the same pass.
pub fn gelu<S: Shape, D: Device<f32>, T: Tape<f32, D>>(
    x: Tensor<S, f32, D, T>,
) -> Tensor<S, f32, D, T> {
    assert!(on_cpu::<D>(), "gelu is a CPU kernel");
    let shape = *x.shape();
    let (x, mut tape) = x.reshape_like(&shape).split_tape(); // contiguous: see causal_attention
    let mut y = x.as_vec();
    let slope: Vec<f32> = y
        .par_iter_mut()
        .map(|v| {
            let x = *v;
            let z2 = 2.0 * GELU_K * (x + 0.044715 * x * x * x);
            let s = 1.0 / (1.0 + (-z2).exp());
            *v = x * s;
            s + x * s * (1.0 - s) * 2.0 * GELU_K * (1.0 + 3.0 * 0.044715 * x * x)
        })
        .collect();
    let out: Out<S, D> = x.device().tensor_from_vec(y, shape);
    let (out_k, x_k) = (out.clone(), x);
    tape.add_backward_op(move |grads| {
        let grads = cpu_grads(grads);
        let dy = grad_value(grads, cpu(&out_k));
        let gx = grad_of(grads, cpu(&x_k));
        gx.par_iter_mut()
            .zip(dy.par_iter().zip(slope.par_iter()))
            .for_each(|(g, (d, s))| *g += d * s);
        Ok(())
    });
    out.put_tape(tape)
}

/// Heads: (batch, heads, positions, numbers per head).
type Heads<D, T> = Tensor<(usize, usize, usize, usize), f32, D, T>;

/// Causal scaled dot-product attention, softmax(Q Kᵀ / √d + M) V, for every head of every
/// sequence at once: the number [`attention`](crate::gpt::attention) composes from two
/// matrix products, a scale, a mask and a softmax. Each head's T × T weights are made,
/// used and kept (for the backward pass) in one task; heads run in parallel.
pub fn causal_attention<D: Device<f32>, T: Tape<f32, D> + Merge<T>>(
    q: Heads<D, T>,
    k: Heads<D, T>,
    v: Heads<D, T>,
) -> Heads<D, T> {
    assert!(on_cpu::<D>(), "causal_attention is a CPU kernel");
    // Heads arrive as permuted views; the kernel reads and writes gradients in memory
    // order, so it works on contiguous copies (reshaping a strided tensor makes one).
    let shape = *q.shape();
    let (q, tq) = q.reshape_like(&shape).split_tape();
    let (k, tk) = k.reshape_like(&shape).split_tape();
    let (v, tv) = v.reshape_like(&shape).split_tape();
    let mut tape = tq.merge(tk).merge(tv);
    let (b, h, t, d) = shape;
    let scale = 1.0 / (d as f32).sqrt();
    let (qv, kv, vv) = (q.as_vec(), k.as_vec(), v.as_vec());
    let mut weights = vec![0.0f32; b * h * t * t];
    let mut y = vec![0.0f32; b * h * t * d];
    weights
        .par_chunks_mut(t * t)
        .zip(y.par_chunks_mut(t * d))
        .enumerate()
        .for_each(|(n, (p, y))| {
            let (q, k, v) = (&qv[n * t * d..], &kv[n * t * d..], &vv[n * t * d..]);
            for i in 0..t {
                let row = &mut p[i * t..(i + 1) * t];
                let mut max = f32::NEG_INFINITY;
                for j in 0..=i {
                    let s = scale * dot(&q[i * d..(i + 1) * d], &k[j * d..(j + 1) * d]);
                    row[j] = s;
                    max = max.max(s);
                }
                let mut sum = 0.0;
                for s in &mut row[..=i] {
                    *s = (*s - max).exp();
                    sum += *s;
                }
                row[..=i].iter_mut().for_each(|s| *s /= sum); // the future stays 0
                let yi = &mut y[i * d..(i + 1) * d];
                for (j, w) in row[..=i].iter().enumerate() {
                    axpy(yi, *w, &v[j * d..(j + 1) * d]);
                }
            }
        });
    let out: Out<(usize, usize, usize, usize), D> = q.device().tensor_from_vec(y, shape);
    let (out_k, q_k, k_k, v_k) = (out.clone(), q, k, v);
    tape.add_backward_op(move |grads| {
        let grads = cpu_grads(grads);
        let dy = grad_value(grads, cpu(&out_k));
        let (mut dq, mut dk, mut dv) = (
            vec![0.0f32; qv.len()],
            vec![0.0f32; kv.len()],
            vec![0.0f32; vv.len()],
        );
        dq.par_chunks_mut(t * d)
            .zip(dk.par_chunks_mut(t * d))
            .zip(dv.par_chunks_mut(t * d))
            .enumerate()
            .for_each(|(n, ((dq, dk), dv))| {
                let span = n * t * d..(n + 1) * t * d;
                let (q, k, v) = (&qv[span.clone()], &kv[span.clone()], &vv[span.clone()]);
                let dy = &dy[span];
                let p = &weights[n * t * t..(n + 1) * t * t];
                for i in 0..t {
                    let (pi, dyi) = (&p[i * t..i * t + i + 1], &dy[i * d..(i + 1) * d]);
                    // dP_ij = dyᵢ · vⱼ, then the softmax: dS_ij = P_ij (dP_ij − Σⱼ P_ij dP_ij).
                    let dp: Vec<f32> = (0..=i).map(|j| dot(dyi, &v[j * d..(j + 1) * d])).collect();
                    let mean: f32 = pi.iter().zip(&dp).map(|(p, g)| p * g).sum();
                    for j in 0..=i {
                        axpy(&mut dv[j * d..(j + 1) * d], pi[j], dyi); // dV = Pᵀ dY
                        let ds = pi[j] * (dp[j] - mean) * scale;
                        axpy(&mut dq[i * d..(i + 1) * d], ds, &k[j * d..(j + 1) * d]);
                        axpy(&mut dk[j * d..(j + 1) * d], ds, &q[i * d..(i + 1) * d]);
                    }
                }
            });
        add(grad_of(grads, cpu(&q_k)), &dq);
        add(grad_of(grads, cpu(&k_k)), &dk);
        add(grad_of(grads, cpu(&v_k)), &dv);
        Ok(())
    });
    out.put_tape(tape)
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// y ← y + a·x.
fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    y.iter_mut().zip(x).for_each(|(y, x)| *y += a * x);
}
