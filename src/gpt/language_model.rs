//! The mini-GPT as a language model of the shared `lm` code: its loss on a batch —
//! through the fused CPU kernels when on the CPU, the same numbers as the composed
//! [`MiniGpt::forward`] the chapter shows — and its generation.

use dfdx::nn::modules::LayerNorm1D;
use dfdx::prelude::*;

use super::attention::{Seq, per_position};
use super::model::{Block, MiniGpt};
use crate::data::{Batch, Tokenizer};
use crate::error::Result;
use crate::kernels;
use crate::lm::LanguageModel;
use crate::sample::Sampling;

/// LayerNorm over the last axis of (batch, positions, C), through the CPU kernel.
fn layer_norm_fused<const C: usize, D: Device<f32>, T: Tape<f32, D>>(
    ln: &LayerNorm1D<C, f32, D>,
    x: Seq<C, f32, D, T>,
) -> Seq<C, f32, D, T> {
    let (b, t, _) = *x.shape();
    let rows = x.reshape_like(&(b * t, Const::<C>));
    let y = kernels::layer_norm(rows, &ln.gamma, &ln.beta, ln.epsilon as f32);
    y.reshape_like(&(b, t, Const::<C>))
}

impl<const C: usize, const FF: usize, const NH: usize, D: Device<f32>> Block<C, FF, NH, f32, D> {
    /// [`Block::forward`] through the CPU kernels: LayerNorm, attention and GELU each in
    /// one pass.
    pub fn forward_fused<T: Tape<f32, D> + Merge<T>>(
        &self,
        x: Seq<C, f32, D, T>,
    ) -> Seq<C, f32, D, T> {
        let (x, tape) = x.split_tape();
        let a = self
            .attn
            .forward_fused(layer_norm_fused(&self.ln1, x.clone().put_tape(tape)));
        let x = a + x;
        let (x, tape) = x.split_tape();
        let hidden = per_position(
            &self.fc,
            layer_norm_fused(&self.ln2, x.clone().put_tape(tape)),
        );
        per_position(&self.proj, kernels::gelu(hidden)) + x
    }
}

impl<const C: usize, const FF: usize, const NH: usize, const L: usize, const BLOCK: usize, D>
    MiniGpt<C, FF, NH, L, BLOCK, f32, D>
where
    D: Device<f32>,
{
    /// [`MiniGpt::forward`] through the CPU kernels.
    pub fn forward_fused<T: Tape<f32, D> + Merge<T>>(
        &self,
        ids: Tensor<(usize, usize), usize, D, T>,
    ) -> Tensor<(usize, usize, usize), f32, D, T> {
        let mut x = self.embed(ids);
        for block in &self.blocks {
            x = block.forward_fused(x);
        }
        self.logits(layer_norm_fused(&self.ln_f, x))
    }
}

impl<const C: usize, const FF: usize, const NH: usize, const L: usize, const BLOCK: usize, D>
    LanguageModel<D> for MiniGpt<C, FF, NH, L, BLOCK, f32, D>
where
    D: Device<f32>,
{
    fn vocab_size(&self) -> usize {
        self.wte.tokens()
    }

    fn context(&self) -> Option<usize> {
        Some(BLOCK)
    }

    /// On the CPU through the fused kernels (the same numbers, faster); elsewhere through
    /// the composed [`MiniGpt::forward`] and [`next_token_loss`](crate::lm::next_token_loss).
    fn loss<T: Tape<f32, D> + Merge<T> + Default>(&self, b: &Batch) -> Tensor<Rank0, f32, D, T> {
        let dev = self.wte.weight.device();
        let inputs = dev
            .tensor_from_vec(b.inputs.clone(), (b.batch, b.seq))
            .put_tape(T::default());
        let n = b.batch * b.seq;
        let logits = match kernels::on_cpu::<D>() {
            true => self.forward_fused(inputs),
            false => self.forward(inputs),
        }; // (batch, positions, V)
        // Off the CPU, `cross_entropy` is the composed `next_token_loss`.
        kernels::cross_entropy(logits.reshape_like(&(n, self.vocab_size())), &b.targets)
    }

    fn generate(
        &self,
        tokenizer: &Tokenizer,
        prompt: &str,
        n: usize,
        how: &Sampling,
        seed: u64,
    ) -> Result<String> {
        super::generate(self, tokenizer, prompt, n, how, seed)
    }
}
