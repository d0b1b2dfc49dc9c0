//! Layers the chapters build their models from, and how their weights start.
//!
//! dfdx's own layers fix every size when the program is compiled. Two sizes here are known
//! only at run time: a language model has one row per character *of the text it reads*
//! (90 for the bundled corpus, 6,579 for the Tang poems), and a GAN's first layer reads
//! as many numbers as its noise or its packed samples have. [`TokenEmbedding`] and
//! [`Dense`] take those sizes as numbers.
//!
//! Every weight is drawn on the host from a generator seeded by the caller, then copied to
//! the device: the same seed gives the same model on the CPU and on a GPU.

use dfdx::nn::modules::{LayerNorm1D, Linear, UnbiasedLinear};
use dfdx::prelude::*;
use num_traits::Float;
use rand::Rng;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Normal, StandardNormal, Uniform};

use crate::params::{ParamVisitor, Params};

/// How a tensor's numbers start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Init {
    /// Uniform in (−b, b): PyTorch's default for `nn.Linear` and `nn.LSTM` (b = 1/√fan-in).
    Uniform(f64),
    /// Normal with mean 0 and this standard deviation (GPT-2 uses 0.02).
    Normal(f64),
    /// All zeros (biases, LayerNorm shifts).
    Zeros,
    /// All ones (LayerNorm gains).
    Ones,
}

impl Init {
    /// PyTorch's default for a layer reading `fan_in` numbers: uniform in ±1/√fan-in.
    pub fn pytorch(fan_in: usize) -> Self {
        Init::Uniform(1.0 / (fan_in.max(1) as f64).sqrt())
    }

    /// `n` numbers drawn from this distribution.
    pub fn draw<F: Float>(self, n: usize, rng: &mut StdRng) -> Vec<F> {
        let cast = |x: f64| F::from(x).unwrap_or_else(F::zero);
        match self {
            Init::Uniform(b) => {
                let u = Uniform::new(-b, b);
                (0..n).map(|_| cast(u.sample(rng))).collect()
            }
            Init::Normal(std) => {
                let d = Normal::new(0.0, std).unwrap_or_else(|_| Normal::new(0.0, 1.0).unwrap());
                (0..n).map(|_| cast(d.sample(rng))).collect()
            }
            Init::Zeros => vec![F::zero(); n],
            Init::Ones => vec![F::one(); n],
        }
    }

    /// A tensor of `shape` on `dev`, drawn from this distribution.
    pub fn tensor<S: Shape, F: Dtype + Float, D: Device<F>>(
        self,
        dev: &D,
        shape: S,
        rng: &mut StdRng,
    ) -> Tensor<S, F, D> {
        dev.tensor_from_vec(self.draw(shape.num_elements(), rng), shape)
    }
}

/// A table of learned vectors, one row of `E` numbers per token; the number of tokens is
/// chosen at run time.
#[derive(Debug, Clone)]
pub struct TokenEmbedding<const E: usize, F: Dtype, D: Storage<F>> {
    /// Row `i` is token `i`'s vector: shape (tokens, E).
    pub weight: Tensor<(usize, Const<E>), F, D>,
}

impl<const E: usize, F: Dtype + Float, D: Device<F>> TokenEmbedding<E, F, D> {
    /// A table for `tokens` tokens, drawn from `init`.
    pub fn new(dev: &D, tokens: usize, init: Init, rng: &mut StdRng) -> Self {
        TokenEmbedding {
            weight: init.tensor(dev, (tokens, Const), rng),
        }
    }

    /// How many tokens the table has rows for.
    pub fn tokens(&self) -> usize {
        self.weight.shape().0
    }

    /// Looks up every id: (batch, positions) ↦ (batch, positions, E).
    pub fn forward<T: Tape<F, D>>(
        &self,
        ids: Tensor<(usize, usize), usize, D, T>,
    ) -> Tensor<(usize, usize, Const<E>), F, D, T> {
        let (ids, tape) = ids.split_tape();
        self.weight.clone().put_tape(tape).gather(ids)
    }
}

impl<const E: usize, F: Dtype, D: Storage<F>> Params<F, D> for TokenEmbedding<E, F, D> {
    fn visit_params(&mut self, v: &mut impl ParamVisitor<F, D>) {
        v.visit(&mut self.weight);
    }
}

/// A fully connected layer x ↦ W x + b from `I` numbers to `O` numbers, where either size
/// may be a run-time number (`usize`) or a compile-time one (`Const<N>`).
#[derive(Debug, Clone)]
pub struct Dense<I: Dim, O: Dim, F: Dtype, D: Storage<F>> {
    /// W, shape (O, I): PyTorch's layout for `nn.Linear.weight`.
    pub weight: Tensor<(O, I), F, D>,
    /// b, shape (O,); `None` for a layer without a bias.
    pub bias: Option<Tensor<(O,), F, D>>,
}

impl<I: Dim, O: Dim, F: Dtype + Float, D: Device<F>> Dense<I, O, F, D> {
    /// A layer with `weight` drawn from `init` and, if `bias` is `Some`, a bias from it.
    pub fn new(
        dev: &D,
        (inputs, outputs): (I, O),
        weight: Init,
        bias: Option<Init>,
        rng: &mut StdRng,
    ) -> Self {
        Dense {
            weight: weight.tensor(dev, (outputs, inputs), rng),
            bias: bias.map(|b| b.tensor(dev, (outputs,), rng)),
        }
    }

    /// PyTorch's `nn.Linear` as it starts: weight and bias uniform in ±1/√I.
    pub fn pytorch(dev: &D, sizes: (I, O), rng: &mut StdRng) -> Self {
        let init = Init::pytorch(sizes.0.size());
        Dense::new(dev, sizes, init, Some(init), rng)
    }

    /// A batch of rows: (B, I) ↦ (B, O).
    // ANCHOR: dense
    pub fn forward<B: Dim, T: Tape<F, D>>(
        &self,
        x: Tensor<(B, I), F, D, T>,
    ) -> Tensor<(B, O), F, D, T> {
        let y = x.matmul(self.weight.retaped::<T>().permute()); // x Wᵀ: every row at once
        match &self.bias {
            Some(b) => {
                let shape = *y.shape();
                y + b.retaped::<T>().broadcast_like(&shape) // the same b added to every row
            }
            None => y,
        }
    }
    // ANCHOR_END: dense
}

impl<I: Dim, O: Dim, F: Dtype, D: Storage<F>> Params<F, D> for Dense<I, O, F, D> {
    fn visit_params(&mut self, v: &mut impl ParamVisitor<F, D>) {
        v.visit(&mut self.weight);
        if let Some(b) = &mut self.bias {
            v.visit(b);
        }
    }
}

/// dfdx's `Linear<I, O>` with weight and bias drawn from `init`.
pub fn linear<const I: usize, const O: usize, F: Dtype + Float, D: Device<F>>(
    dev: &D,
    init: Init,
    rng: &mut StdRng,
) -> Linear<I, O, F, D> {
    Linear {
        weight: init.tensor(dev, (Const, Const), rng),
        bias: init.tensor(dev, (Const,), rng),
    }
}

/// dfdx's `UnbiasedLinear<I, O>` (no bias) with its weight drawn from `init`.
pub fn unbiased_linear<const I: usize, const O: usize, F: Dtype + Float, D: Device<F>>(
    dev: &D,
    init: Init,
    rng: &mut StdRng,
) -> UnbiasedLinear<I, O, F, D> {
    UnbiasedLinear {
        weight: init.tensor(dev, (Const, Const), rng),
    }
}

/// dfdx's `LayerNorm1D<C>` as it starts: gain 1, shift 0, ε = 10⁻⁵ (PyTorch's).
pub fn layer_norm<const C: usize, F: Dtype + Float, D: Device<F>>(dev: &D) -> LayerNorm1D<C, F, D> {
    LayerNorm1D {
        gamma: dev.ones(),
        beta: dev.zeros(),
        epsilon: 1e-5,
    }
}

/// A generator for weights, seeded: `seeded(s)` twice gives the same model twice.
pub fn seeded(seed: u64) -> StdRng {
    rand::SeedableRng::seed_from_u64(seed)
}

/// Draws `n` numbers from N(0, 1) (noise for a GAN's generator).
pub fn standard_normal(n: usize, rng: &mut impl Rng) -> Vec<f32> {
    (0..n).map(|_| StandardNormal.sample(rng)).collect()
}
