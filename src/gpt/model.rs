//! The decoder-only Transformer ("GPT"): embeddings, a stack of blocks, and a head.
//!
//! x₀ = token embedding + position embedding
//! x ← x + Attention(LayerNorm(x))        (each block, L times)
//! x ← x + MLP(LayerNorm(x)),  MLP(x) = W₂ GELU(W₁ x)
//! logits = W_head LayerNorm(x)
//!
//! The additions are *residual connections*: each block adds a correction to x instead of
//! replacing it, so gradients reach the first layers undiminished. Normalising before
//! each sub-layer ("pre-LayerNorm", as in GPT-2 and nanoGPT) keeps the numbers that enter
//! attention and the MLP at a steady scale however deep the stack is.

use dfdx::nn::modules::{Embedding, LayerNorm1D, UnbiasedLinear};
use dfdx::prelude::*;
use num_traits::Float;
use rand::rngs::StdRng;
use rand_distr::uniform::SampleUniform;

use super::attention::{CausalSelfAttention, Heads, KeysValues, Seq, per_position};
use crate::layers::{Dense, Init, TokenEmbedding, layer_norm, seeded, unbiased_linear};
use crate::params::{ParamVisitor, Params, visit_layer};

/// GELU(x) = x·Φ(x) (Φ: the standard normal's CDF), a smooth ReLU, in GPT-2's tanh form
/// ½x(1 + tanh(√(2/π)(x + 0.044715x³))), computed as x·σ(2√(2/π)(x + 0.044715x³)), which
/// is the same number (½(1 + tanh z) = σ(2z)) but several times faster on the CPU.
///
/// Why not dfdx's own? Its exact `accurate_gelu` has a wrong derivative in 0.13 (it drops
/// a factor 1/√2; our finite-difference test caught it), and its `fast_gelu` spends a
/// quarter of a training step in `tanhf`. The tanh form differs from the exact GELU by
/// less than 0.001.
// ANCHOR: gelu
pub fn tanh_gelu<S: Shape, F: Dtype + Float, D: Device<F>, T: Tape<F, D> + Merge<T>>(
    x: Tensor<S, F, D, T>,
) -> Tensor<S, F, D, T> {
    let c = |v: f64| F::from(v).unwrap_or_else(F::zero);
    let (x, tape) = x.split_tape();
    let cube = x.clone().put_tape(tape).square() * x.clone(); // x² · x: faster than powi(3)
    let cubic = cube * c(0.044715) + x.clone();
    let gate = (cubic * c(2.0 * (2.0 / std::f64::consts::PI).sqrt())).sigmoid();
    gate * x // the untaped `x` still receives its gradient: the tapes merge here
}
// ANCHOR_END: gelu

/// One Transformer block: attention, then a position-wise MLP of `FF` hidden units,
/// each behind a LayerNorm and inside a residual connection.
#[derive(Debug, Clone)]
pub struct Block<const C: usize, const FF: usize, const NH: usize, F: Dtype, D: Storage<F>> {
    /// Normalises the input of attention.
    pub ln1: LayerNorm1D<C, F, D>,
    /// Multi-head causal self-attention: positions exchange information.
    pub attn: CausalSelfAttention<C, NH, F, D>,
    /// Normalises the input of the MLP.
    pub ln2: LayerNorm1D<C, F, D>,
    /// C ↦ FF (usually FF = 4C).
    pub fc: UnbiasedLinear<C, FF, F, D>,
    /// FF ↦ C.
    pub proj: UnbiasedLinear<FF, C, F, D>,
}

impl<const C: usize, const FF: usize, const NH: usize, F, D> TensorCollection<F, D>
    for Block<C, FF, NH, F, D>
where
    F: Dtype + Float + SampleUniform,
    D: Device<F>,
{
    type To<F2: Dtype, D2: Device<F2>> = Block<C, FF, NH, F2, D2>;

    fn iter_tensors<Vis: ModuleVisitor<Self, F, D>>(
        visitor: &mut Vis,
    ) -> Result<Option<Self::To<Vis::E2, Vis::D2>>, Vis::Err> {
        visitor.visit_fields(
            (
                Self::module("ln1", |s| &s.ln1, |s| &mut s.ln1),
                Self::module("attn", |s| &s.attn, |s| &mut s.attn),
                Self::module("ln2", |s| &s.ln2, |s| &mut s.ln2),
                Self::module("fc", |s| &s.fc, |s| &mut s.fc),
                Self::module("proj", |s| &s.proj, |s| &mut s.proj),
            ),
            |(ln1, attn, ln2, fc, proj)| Block {
                ln1,
                attn,
                ln2,
                fc,
                proj,
            },
        )
    }
}

impl<const C: usize, const FF: usize, const NH: usize, F: Dtype + Float, D: Device<F>>
    Block<C, FF, NH, F, D>
{
    /// A block as GPT-2 starts one: matrices from N(0, 0.02²), except the two that write
    /// into the residual stream (attention's output and the MLP's second layer), from
    /// N(0, `residual_std`²); LayerNorms as the identity.
    pub fn new(dev: &D, residual_std: f64, rng: &mut StdRng) -> Self {
        Block {
            ln1: layer_norm(dev),
            attn: CausalSelfAttention::new(dev, residual_std, rng),
            ln2: layer_norm(dev),
            fc: unbiased_linear(dev, Init::Normal(0.02), rng),
            proj: unbiased_linear(dev, Init::Normal(residual_std), rng),
        }
    }

    /// x + Attention(LN(x)), then x + MLP(LN(x)).
    // ANCHOR: block
    pub fn forward<T: Tape<F, D> + Merge<T>>(&self, x: Seq<C, F, D, T>) -> Seq<C, F, D, T> {
        let (x, tape) = x.split_tape();
        let x = self
            .attn
            .forward(self.ln1.forward(x.clone().put_tape(tape)))
            + x;
        let (x, tape) = x.split_tape();
        let hidden = per_position(&self.fc, self.ln2.forward(x.clone().put_tape(tape)));
        per_position(&self.proj, tanh_gelu(hidden)) + x
    }
    // ANCHOR_END: block

    /// [`Block::forward`] for new positions only, reading earlier positions' keys and
    /// values from `cache` (see [`MiniGpt::forward_cached`]).
    pub fn forward_cached(
        &self,
        x: Seq<C, F, D>,
        cache: Option<KeysValues<F, D>>,
    ) -> (Seq<C, F, D>, KeysValues<F, D>) {
        let (y, cache) = self.attn.forward_cached(self.ln1.forward(x.clone()), cache);
        let x = y + x;
        let hidden = per_position(&self.fc, self.ln2.forward(x.clone()));
        (per_position(&self.proj, tanh_gelu(hidden)) + x, cache)
    }
}

/// A character-level GPT: `C` numbers per position, MLP width `FF`, `NH` heads, `L`
/// blocks, a context of at most `BLOCK` positions, and as many characters as its text has
/// (V, chosen when the model is built).
#[derive(Debug, Clone)]
pub struct MiniGpt<
    const C: usize,
    const FF: usize,
    const NH: usize,
    const L: usize,
    const BLOCK: usize,
    F: Dtype,
    D: Storage<F>,
> {
    /// Token id ↦ vector (what the character is), V rows.
    pub wte: TokenEmbedding<C, F, D>,
    /// Position ↦ vector (where it is: attention itself ignores order).
    pub wpe: Embedding<BLOCK, C, F, D>,
    /// The stack of `L` blocks.
    pub blocks: Vec<Block<C, FF, NH, F, D>>,
    /// The final LayerNorm.
    pub ln_f: LayerNorm1D<C, F, D>,
    /// Vector ↦ V logits (no bias, as in GPT-2).
    pub head: Dense<Const<C>, usize, F, D>,
}

/// The book's model: nanoGPT's "baby" CPU configuration (4 layers, 4 heads, 128 numbers
/// per position, context 64).
pub type BookGpt<D> = MiniGpt<128, 512, 4, 4, 64, f32, D>;

impl<
    const C: usize,
    const FF: usize,
    const NH: usize,
    const L: usize,
    const BLOCK: usize,
    F: Dtype,
    D: Device<F>,
> Params<F, D> for MiniGpt<C, FF, NH, L, BLOCK, F, D>
where
    F: Float + SampleUniform,
{
    fn visit_params(&mut self, v: &mut impl ParamVisitor<F, D>) {
        self.wte.visit_params(v);
        visit_layer(&mut self.wpe, v);
        for block in &mut self.blocks {
            visit_layer(block, v);
        }
        visit_layer(&mut self.ln_f, v);
        self.head.visit_params(v);
    }
}

impl<
    const C: usize,
    const FF: usize,
    const NH: usize,
    const L: usize,
    const BLOCK: usize,
    F: Dtype + Float,
    D: Device<F>,
> MiniGpt<C, FF, NH, L, BLOCK, F, D>
{
    /// The longest context the model reads.
    pub const CONTEXT: usize = BLOCK;

    /// A model for `vocab` characters, initialised as GPT-2 and nanoGPT do, its weights
    /// drawn from a generator seeded with `seed`: every matrix from N(0, 0.02²), the two
    /// projections that write into the residual stream from N(0, (0.02/√(2L))²) so the
    /// stream's variance does not grow with depth; LayerNorms start as the identity.
    pub fn new(dev: &D, vocab: usize, seed: u64) -> Self {
        let rng = &mut seeded(seed);
        let residual = 0.02 / (2.0 * L as f64).sqrt();
        MiniGpt {
            wte: TokenEmbedding::new(dev, vocab, Init::Normal(0.02), rng),
            wpe: Embedding {
                weight: Init::Normal(0.02).tensor(dev, (Const, Const), rng),
            },
            blocks: (0..L).map(|_| Block::new(dev, residual, rng)).collect(),
            ln_f: layer_norm(dev),
            head: Dense::new(dev, (Const, vocab), Init::Normal(0.02), None, rng),
        }
    }

    /// How many characters the model reads and writes.
    pub fn vocab_size(&self) -> usize {
        self.wte.tokens()
    }

    /// The position-wise map to logits: (batch, positions, C) ↦ (batch, positions, V).
    pub(super) fn logits<T: Tape<F, D>>(
        &self,
        x: Seq<C, F, D, T>,
    ) -> Tensor<(usize, usize, usize), F, D, T> {
        let (b, t, _) = *x.shape();
        let rows = self.head.forward(x.reshape_like(&(b * t, Const::<C>)));
        rows.reshape_like(&(b, t, self.vocab_size()))
    }

    /// The input of the first block: token embeddings plus position embeddings.
    /// `ids` has shape (batch, positions) with at most `BLOCK` positions.
    pub fn embed<T: Tape<F, D> + Merge<T>>(
        &self,
        ids: Tensor<(usize, usize), usize, D, T>,
    ) -> Seq<C, F, D, T> {
        self.embed_from(ids, 0)
    }

    /// [`MiniGpt::embed`] for characters that sit at positions `first`, `first + 1`, ….
    // ANCHOR: embed
    pub fn embed_from<T: Tape<F, D> + Merge<T>>(
        &self,
        ids: Tensor<(usize, usize), usize, D, T>,
        first: usize,
    ) -> Seq<C, F, D, T> {
        let (b, t) = *ids.shape();
        let dev = ids.device().clone();
        let tokens = self.wte.forward(ids); // (batch, positions, C)
        let (tokens, tape) = tokens.split_tape();
        let places = dev.tensor_from_vec((first..first + t).collect::<Vec<_>>(), (t,));
        let positions = self.wpe.forward(places.put_tape(tape)); // (positions, C)
        positions.broadcast_like::<_, Axis<0>>(&(b, t, Const::<C>)) + tokens // the same for every sequence
    }
    // ANCHOR_END: embed

    /// Logits for every position: `ids` (batch, positions) ↦ (batch, positions, V).
    ///
    /// Position t's logits depend only on the characters 0..=t (the mask sees to that), so
    /// one pass over a window trains all of its next-character predictions at once.
    // ANCHOR: forward
    pub fn forward<T: Tape<F, D> + Merge<T>>(
        &self,
        ids: Tensor<(usize, usize), usize, D, T>,
    ) -> Tensor<(usize, usize, usize), F, D, T> {
        let mut x = self.embed(ids);
        for block in &self.blocks {
            x = block.forward(x);
        }
        self.logits(self.ln_f.forward(x))
    }
    // ANCHOR_END: forward

    /// Logits for new characters `ids` (batch, n) that follow the `cache.len` characters
    /// already read, whose keys and values `cache` holds; updates the cache.
    ///
    /// Generating with a cache reads each character once instead of re-reading the whole
    /// window for every new character. The positions must stay below `BLOCK`.
    pub fn forward_cached(
        &self,
        ids: Tensor<(usize, usize), usize, D>,
        cache: &mut KvCache<F, D>,
    ) -> Tensor<(usize, usize, usize), F, D> {
        let n = ids.shape().1;
        let mut x = self.embed_from(ids, cache.len);
        let mut layers = std::mem::take(&mut cache.layers).into_iter();
        for block in &self.blocks {
            let (y, kv) = block.forward_cached(x, layers.next());
            x = y;
            cache.layers.push(kv);
        }
        cache.len += n;
        self.logits(self.ln_f.forward(x))
    }

    /// The attention weights of every head of block `layer` for one sequence `ids`
    /// (1, positions): shape (1, heads, positions, positions). `None` if there is no such
    /// block.
    pub fn attention_map(
        &self,
        ids: Tensor<(usize, usize), usize, D>,
        layer: usize,
    ) -> Option<Heads<F, D>> {
        let mut x = self.embed(ids);
        for block in self.blocks.iter().take(layer) {
            x = block.forward(x);
        }
        let block = self.blocks.get(layer)?;
        Some(block.attn.weights(block.ln1.forward(x)))
    }
}

/// The keys and values of every block for the characters read so far (see
/// [`MiniGpt::forward_cached`]).
#[derive(Debug, Clone)]
pub struct KvCache<F: Dtype, D: Storage<F>> {
    /// Characters read so far (the next one sits at this position).
    pub len: usize,
    /// Per block: keys and values, each (batch, heads, len, C / heads).
    pub layers: Vec<KeysValues<F, D>>,
}

impl<F: Dtype, D: Storage<F>> Default for KvCache<F, D> {
    fn default() -> Self {
        KvCache {
            len: 0,
            layers: Vec::new(),
        }
    }
}
