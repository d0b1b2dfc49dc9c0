//! Causal self-attention, written from `matmul` and `softmax`.
//!
//! Every position t asks a question (its *query* qₜ), every position s offers a label (its
//! *key* kₛ) and a content (its *value* vₛ). Attention is a soft lookup: the answer at t is
//! the average of the values, weighted by how well each key matches the query,
//!
//! Attention(Q, K, V) = softmax(Q Kᵀ / √d + M) V,
//!
//! where d is the length of a query and M is the *causal mask*: 0 where s ≤ t and −∞
//! where s > t, so that a position never reads the future it is trained to predict.
//! Dividing by √d keeps the scores' spread near 1 whatever d is, so softmax does not
//! saturate at the start of training.

use dfdx::nn::modules::UnbiasedLinear;
use dfdx::prelude::*;
use num_traits::Float;
use rand::rngs::StdRng;

use crate::layers::{Init, unbiased_linear};

/// A batch of per-head sequences: shape (batch, heads, positions, numbers per position).
pub type Heads<F, D, T = NoneTape> = Tensor<(usize, usize, usize, usize), F, D, T>;

/// The keys and values of the positions read so far, split into heads: what a new
/// position attends to when generating.
pub type KeysValues<F, D> = (Heads<F, D>, Heads<F, D>);

/// Queries, keys and values, each split into heads.
type Qkv<F, D, T> = (Heads<F, D, T>, Heads<F, D, T>, Heads<F, D, T>);

/// A batch of sequences of `C`-number vectors: shape (batch, positions, C).
pub type Seq<const C: usize, F, D, T = NoneTape> = Tensor<(usize, usize, Const<C>), F, D, T>;

/// The causal mask M for `t` positions: 0 on and below the diagonal, −∞ above it.
///
/// ```
/// use aigc::dfdx::prelude::*;
/// let dev = Cpu::default();
/// let m = aigc::gpt::causal_mask::<f32, _>(&dev, 3).as_vec();
/// assert_eq!(m[0..3], [0.0, f32::NEG_INFINITY, f32::NEG_INFINITY]); // position 0 sees only itself
/// assert_eq!(m[6..9], [0.0, 0.0, 0.0]); // the last position sees everything
/// ```
// ANCHOR: mask
pub fn causal_mask<F: Dtype + Float, D: Device<F>>(
    dev: &D,
    t: usize,
) -> Tensor<(usize, usize), F, D> {
    dev.upper_tri_like(&(t, t), F::neg_infinity(), 1) // −∞ strictly above the diagonal
}
// ANCHOR_END: mask

/// The causal mask when the `t` queries are the *last* t of `s` positions (s ≥ t), as when
/// generating with cached keys: query i sits at position s − t + i and may read up to it.
fn later_mask<F: Dtype + Float, D: Device<F>>(
    dev: &D,
    t: usize,
    s: usize,
) -> Tensor<(usize, usize), F, D> {
    let first_hidden = (s - t + 1) as isize; // the diagonal, shifted right by s − t
    dev.upper_tri_like(&(t, s), F::neg_infinity(), first_hidden)
}

/// The attention weights softmax(Q Kᵀ / √d + M): for every query position, a probability
/// distribution over the key positions (rows sum to 1; future positions get exactly 0,
/// because e^−∞ = 0).
///
/// `q` and `k` have shape (batch, heads, positions, d); the result (batch, heads,
/// positions, positions).
// ANCHOR: weights
pub fn attention_weights<F, D, T>(q: Heads<F, D, T>, k: Heads<F, D, T>) -> Heads<F, D, T>
where
    F: Dtype + Float,
    D: Device<F>,
    T: Tape<F, D> + Merge<T>,
{
    let (b, h, t, d) = *q.shape();
    let s = k.shape().2; // key positions: t, or more when earlier keys are cached
    let scale = F::from(1.0 / (d as f64).sqrt()).unwrap_or_else(F::one);
    let scores = q.matmul(k.permute::<_, Axes4<0, 1, 3, 2>>()); // qₜ · kₛ for every (t, s)
    let mask = later_mask(&scores.device().clone(), t, s);
    let mask = mask.broadcast_like::<_, Axes2<0, 1>>(&(b, h, t, s));
    (scores * scale + mask).softmax::<Axis<3>>()
}
// ANCHOR_END: weights

/// Scaled dot-product attention with the causal mask: the weights times the values.
///
/// ```
/// use aigc::dfdx::prelude::*;
/// use aigc::gpt::attention;
/// let dev = Cpu::default();
/// // One sequence, one head, 3 positions, d = 2.
/// let q = dev.tensor_from_vec(vec![1.0f32, 0.0, 0.0, 1.0, 1.0, 1.0], (1, 1, 3, 2));
/// let v = dev.tensor_from_vec(vec![1.0f32, 0.0, 0.0, 1.0, 5.0, 5.0], (1, 1, 3, 2));
/// let out = attention(q.clone(), q, v).as_vec();
/// assert_eq!(out[0..2], [1.0, 0.0]); // position 0 can only read its own value
/// ```
// ANCHOR: attention
pub fn attention<F, D, T>(q: Heads<F, D, T>, k: Heads<F, D, T>, v: Heads<F, D, T>) -> Heads<F, D, T>
where
    F: Dtype + Float,
    D: Device<F>,
    T: Tape<F, D> + Merge<T>,
{
    attention_weights(q, k).matmul(v) // each position's weighted average of the values
}
// ANCHOR_END: attention

/// Multi-head causal self-attention over `C` numbers per position with `NH` heads.
///
/// The query, key and value maps project each position's vector; each projection is cut
/// into `NH` heads of C / NH numbers that attend independently (one head can follow the
/// previous character while another looks for the start of the word); the heads'
/// answers are joined again and mixed by the output projection.
///
/// `C` must be a multiple of `NH`; the compiler checks it when the model is built:
///
/// ```compile_fail
/// use aigc::dfdx::prelude::*;
/// use aigc::gpt::CausalSelfAttention;
/// // error: n_embd must be divisible by n_head
/// let mut rng = aigc::layers::seeded(0);
/// let attn = CausalSelfAttention::<130, 4, f32, Cpu>::new(&Cpu::default(), 0.02, &mut rng);
/// ```
#[derive(Debug, Clone)]
pub struct CausalSelfAttention<const C: usize, const NH: usize, F: Dtype, D: Storage<F>> {
    /// x ↦ queries.
    pub q: UnbiasedLinear<C, C, F, D>,
    /// x ↦ keys.
    pub k: UnbiasedLinear<C, C, F, D>,
    /// x ↦ values.
    pub v: UnbiasedLinear<C, C, F, D>,
    /// Joined heads ↦ output.
    pub proj: UnbiasedLinear<C, C, F, D>,
}

impl<const C: usize, const NH: usize, F, D> TensorCollection<F, D>
    for CausalSelfAttention<C, NH, F, D>
where
    F: Dtype + Float + rand_distr::uniform::SampleUniform,
    D: Device<F>,
{
    type To<F2: Dtype, D2: Device<F2>> = CausalSelfAttention<C, NH, F2, D2>;

    fn iter_tensors<Vis: ModuleVisitor<Self, F, D>>(
        visitor: &mut Vis,
    ) -> Result<Option<Self::To<Vis::E2, Vis::D2>>, Vis::Err> {
        const {
            assert!(
                NH > 0 && C.is_multiple_of(NH),
                "n_embd must be divisible by n_head"
            )
        };
        visitor.visit_fields(
            (
                Self::module("q", |s| &s.q, |s| &mut s.q),
                Self::module("k", |s| &s.k, |s| &mut s.k),
                Self::module("v", |s| &s.v, |s| &mut s.v),
                Self::module("proj", |s| &s.proj, |s| &mut s.proj),
            ),
            |(q, k, v, proj)| CausalSelfAttention { q, k, v, proj },
        )
    }
}

/// Applies `map` to every position's vector: (batch, positions, I) ↦ (batch, positions, O).
///
/// Flattening to one (batch · positions) × I matrix first turns many small matrix
/// products into one large one, which the CPU computes several times faster.
pub fn per_position<const I: usize, const O: usize, F: Dtype, D: Device<F>, T: Tape<F, D>>(
    map: &UnbiasedLinear<I, O, F, D>,
    x: Seq<I, F, D, T>,
) -> Seq<O, F, D, T> {
    let (b, t, _) = *x.shape();
    let rows = map.forward(x.reshape_like(&(b * t, Const::<I>)));
    rows.reshape_like(&(b, t, Const::<O>))
}

/// (batch, positions, C) ↦ (batch, heads, positions, C / heads).
// ANCHOR: split_heads
fn split_heads<const C: usize, F: Dtype, D: Device<F>, T: Tape<F, D>>(
    x: Seq<C, F, D, T>,
    heads: usize,
) -> Heads<F, D, T> {
    let (b, t, _) = *x.shape();
    x.reshape_like(&(b, t, heads, C / heads))
        .permute::<_, Axes4<0, 2, 1, 3>>()
}

/// (batch, heads, positions, C / heads) ↦ (batch, positions, C): the inverse.
fn merge_heads<const C: usize, F: Dtype, D: Device<F>, T: Tape<F, D>>(
    y: Heads<F, D, T>,
) -> Seq<C, F, D, T> {
    let (b, _, t, _) = *y.shape();
    y.permute::<_, Axes4<0, 2, 1, 3>>()
        .reshape_like(&(b, t, Const::<C>))
}
// ANCHOR_END: split_heads

impl<const C: usize, const NH: usize, F, D> CausalSelfAttention<C, NH, F, D>
where
    F: Dtype + Float,
    D: Device<F>,
{
    /// Query, key and value maps from N(0, 0.02²), the output projection from
    /// N(0, `residual_std`²) (GPT-2's initialisation).
    pub fn new(dev: &D, residual_std: f64, rng: &mut StdRng) -> Self {
        const {
            assert!(
                NH > 0 && C.is_multiple_of(NH),
                "n_embd must be divisible by n_head"
            )
        };
        let normal = Init::Normal(0.02);
        CausalSelfAttention {
            q: unbiased_linear(dev, normal, rng),
            k: unbiased_linear(dev, normal, rng),
            v: unbiased_linear(dev, normal, rng),
            proj: unbiased_linear(dev, Init::Normal(residual_std), rng),
        }
    }

    /// The queries, keys and values of `x`, each split into heads. `x` is used three
    /// times, so its tape goes with the queries and the other two start fresh tapes
    /// (dfdx merges them again when the products meet).
    fn qkv<T: Tape<F, D> + Merge<T>>(&self, x: Seq<C, F, D, T>) -> Qkv<F, D, T> {
        let (x, tape) = x.split_tape();
        let q = per_position(&self.q, x.clone().put_tape(tape));
        let k = per_position(&self.k, x.clone().retaped::<T>());
        let v = per_position(&self.v, x.retaped::<T>());
        (split_heads(q, NH), split_heads(k, NH), split_heads(v, NH))
    }

    /// Multi-head causal self-attention of `x` (batch, positions, C).
    // ANCHOR: mha_forward
    pub fn forward<T: Tape<F, D> + Merge<T>>(&self, x: Seq<C, F, D, T>) -> Seq<C, F, D, T> {
        let (q, k, v) = self.qkv(x); // each (batch, heads, positions, C / heads)
        let y = attention(q, k, v); // every head attends on its own
        per_position(&self.proj, merge_heads::<C, _, _, _>(y)) // join the heads, then mix them
    }
    // ANCHOR_END: mha_forward

    /// Attention for new positions `x` (no gradients) that also reads the keys and values
    /// of earlier positions, `cache` (batch, heads, earlier positions, C / heads). Returns
    /// the output and the keys and values of all positions so far, for the next call.
    pub fn forward_cached(
        &self,
        x: Seq<C, F, D>,
        cache: Option<KeysValues<F, D>>,
    ) -> (Seq<C, F, D>, KeysValues<F, D>) {
        let (q, k, v) = self.qkv(x);
        let (k, v) = match cache {
            Some((old_k, old_v)) => (
                (old_k, k).concat_along(Axis::<2>),
                (old_v, v).concat_along(Axis::<2>),
            ),
            None => (k, v),
        };
        let y = attention(q, k.clone(), v.clone());
        (
            per_position(&self.proj, merge_heads::<C, _, _, _>(y)),
            (k, v),
        )
    }

    /// The attention weights of every head for `x` (no gradients): shape (batch, heads,
    /// positions, positions). Row t of head h says where position t looked.
    pub fn weights(&self, x: Seq<C, F, D>) -> Heads<F, D> {
        let (q, k, _) = self.qkv(x);
        attention_weights(q, k)
    }
}

impl<const C: usize, const NH: usize, D: Device<f32>> CausalSelfAttention<C, NH, f32, D> {
    /// [`CausalSelfAttention::forward`] with the heads' attention in the CPU kernel
    /// [`causal_attention`](crate::kernels::causal_attention).
    pub fn forward_fused<T: Tape<f32, D> + Merge<T>>(
        &self,
        x: Seq<C, f32, D, T>,
    ) -> Seq<C, f32, D, T> {
        let (x, tape) = x.split_tape();
        let q = per_position(&self.q, x.clone().put_tape(tape));
        let k = per_position(&self.k, x.clone().retaped::<T>());
        let v = per_position(&self.v, x.retaped::<T>());
        let y = crate::kernels::causal_attention(q, k, v, NH); // heads stay side by side
        per_position(&self.proj, y)
    }
}
