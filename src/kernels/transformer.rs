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

/// Rows of `C` numbers per position: (batch, positions, C).
type Rows<const C: usize, D, T> = Tensor<(usize, usize, Const<C>), f32, D, T>;

/// Multi-head causal attention from the projected queries, keys and values, each
/// (batch, positions, C) with head h in columns h·C/heads … (h+1)·C/heads: every head's
/// softmax(Q Kᵀ / √d + M) V, the heads side by side in the result (batch, positions, C).
/// The same numbers as splitting the heads, [`attention`](crate::gpt::attention) and
/// merging them again; here each sequence is one task (sequences run in parallel), and no
/// head is ever copied out.
pub fn causal_attention<const C: usize, D: Device<f32>, T: Tape<f32, D> + Merge<T>>(
    q: Rows<C, D, T>,
    k: Rows<C, D, T>,
    v: Rows<C, D, T>,
    heads: usize,
) -> Rows<C, D, T> {
    assert!(on_cpu::<D>(), "causal_attention is a CPU kernel");
    assert!(
        heads > 0 && C.is_multiple_of(heads),
        "C must be a multiple of the number of heads"
    );
    let shape = *q.shape();
    // Contiguous, so that memory order is the order the kernel reads and writes.
    let (q, tq) = q.reshape_like(&shape).split_tape();
    let (k, tk) = k.reshape_like(&shape).split_tape();
    let (v, tv) = v.reshape_like(&shape).split_tape();
    let mut tape = tq.merge(tk).merge(tv);
    let (b, t, _) = shape;
    let d = C / heads;
    let scale = 1.0 / (d as f32).sqrt();
    let (qv, kv, vv) = (q.as_vec(), k.as_vec(), v.as_vec());
    let mut weights = vec![0.0f32; b * heads * t * t];
    let mut y = vec![0.0f32; b * t * C];
    weights
        .par_chunks_mut(heads * t * t)
        .zip(y.par_chunks_mut(t * C))
        .enumerate()
        .for_each(|(n, (p, y))| {
            let span = n * t * C..(n + 1) * t * C;
            let (q, k, v) = (&qv[span.clone()], &kv[span.clone()], &vv[span]);
            for h in 0..heads {
                let at = |row: usize| row * C + h * d..row * C + (h + 1) * d;
                let p = &mut p[h * t * t..(h + 1) * t * t];
                for i in 0..t {
                    let row = &mut p[i * t..(i + 1) * t];
                    let mut max = f32::NEG_INFINITY;
                    for j in 0..=i {
                        let s = scale * dot(&q[at(i)], &k[at(j)]);
                        row[j] = s;
                        max = max.max(s);
                    }
                    let mut sum = 0.0;
                    for s in &mut row[..=i] {
                        *s = (*s - max).exp();
                        sum += *s;
                    }
                    let inv = 1.0 / sum;
                    row[..=i].iter_mut().for_each(|s| *s *= inv); // the future stays 0
                    let yi = &mut y[at(i)];
                    for (j, w) in row[..=i].iter().enumerate() {
                        axpy(yi, *w, &v[at(j)]);
                    }
                }
            }
        });
    let out: Out<(usize, usize, Const<C>), D> = q.device().tensor_from_vec(y, shape);
    let (out_k, q_k, k_k, v_k) = (out.clone(), q, k, v);
    tape.add_backward_op(move |grads| {
        let grads = cpu_grads(grads);
        let dy = grad_value(grads, cpu(&out_k));
        let n = qv.len();
        let (mut dq, mut dk, mut dv) = (vec![0.0f32; n], vec![0.0f32; n], vec![0.0f32; n]);
        dq.par_chunks_mut(t * C)
            .zip(dk.par_chunks_mut(t * C))
            .zip(dv.par_chunks_mut(t * C))
            .enumerate()
            .for_each(|(n, ((dq, dk), dv))| {
                let span = n * t * C..(n + 1) * t * C;
                let (q, k, v) = (&qv[span.clone()], &kv[span.clone()], &vv[span.clone()]);
                let dy = &dy[span];
                let mut dp = vec![0.0f32; t];
                for h in 0..heads {
                    let at = |row: usize| row * C + h * d..row * C + (h + 1) * d;
                    let p = &weights[(n * heads + h) * t * t..(n * heads + h + 1) * t * t];
                    for i in 0..t {
                        let pi = &p[i * t..i * t + i + 1];
                        // dP_ij = dyᵢ · vⱼ; the softmax: dS_ij = P_ij (dP_ij − Σⱼ P_ij dP_ij).
                        for j in 0..=i {
                            dp[j] = dot(&dy[at(i)], &v[at(j)]);
                        }
                        let mean: f32 = pi.iter().zip(&dp).map(|(p, g)| p * g).sum();
                        for j in 0..=i {
                            axpy(&mut dv[at(j)], pi[j], &dy[at(i)]); // dV = Pᵀ dY
                            let ds = pi[j] * (dp[j] - mean) * scale;
                            axpy(&mut dq[at(i)], ds, &k[at(j)]);
                            axpy(&mut dk[at(j)], ds, &q[at(i)]);
                        }
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

/// a · b, with eight running sums so the compiler can use vector registers (one sum
/// would fix the order of the additions and keep them scalar).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// y ← y + a·x.
fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    y.iter_mut().zip(x).for_each(|(y, x)| *y += a * x);
}

/// max(x, slope·x) elementwise (LeakyReLU; ReLU at slope 0), with its derivative (1 or
/// `slope`) kept for the backward pass: dfdx composes it from a comparison and a choice.
pub fn leaky_relu<S: Shape, D: Device<f32>, T: Tape<f32, D>>(
    x: Tensor<S, f32, D, T>,
    slope: f32,
) -> Tensor<S, f32, D, T> {
    assert!(on_cpu::<D>(), "leaky_relu is a CPU kernel");
    let shape = *x.shape();
    let (x, mut tape) = x.reshape_like(&shape).split_tape(); // contiguous: see causal_attention
    let mut y = x.as_vec();
    let positive: Vec<bool> = y
        .iter_mut()
        .map(|v| {
            let keep = *v > 0.0;
            if !keep {
                *v *= slope;
            }
            keep
        })
        .collect();
    let out: Out<S, D> = x.device().tensor_from_vec(y, shape);
    let (out_k, x_k) = (out.clone(), x);
    tape.add_backward_op(move |grads| {
        let grads = cpu_grads(grads);
        let dy = grad_value(grads, cpu(&out_k));
        let gx = grad_of(grads, cpu(&x_k));
        for ((g, d), p) in gx.iter_mut().zip(&dy).zip(&positive) {
            *g += if *p { *d } else { slope * d };
        }
        Ok(())
    });
    out.put_tape(tape)
}
