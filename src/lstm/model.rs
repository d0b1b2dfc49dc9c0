//! The chapter's language model: Embedding → LSTM → Linear.

use dfdx::prelude::*;
use num_traits::Float;

use super::cell::{LstmCell, State, Steps};
use crate::data::{Batch, Tokenizer};
use crate::error::Result;
use crate::kernels;
use crate::layers::{Dense, Init, TokenEmbedding, seeded};
use crate::lm::LanguageModel;
use crate::params::{ParamVisitor, Params};
use crate::sample::Sampling;

/// A character-level language model: each character's vector (`E` numbers) enters an LSTM
/// of hidden size `H` (`G = 4H`), whose state is read out as one score (*logit*) per
/// character of the vocabulary; softmax turns the scores into next-character
/// probabilities. The vocabulary's size V is the text's, chosen when the model is built.
#[derive(Debug, Clone)]
pub struct CharLstm<const E: usize, const H: usize, const G: usize, F: Dtype, D: Storage<F>> {
    /// Token id ↦ a learned vector of `E` numbers (V rows).
    pub embed: TokenEmbedding<E, F, D>,
    /// The recurrent layer.
    pub lstm: LstmCell<E, H, G, F, D>,
    /// Hidden state ↦ V logits.
    pub head: Dense<Const<H>, usize, F, D>,
}

/// The book's model: embedding 64, hidden 256 (the PyTorch reference's sizes).
pub type BookLstm<D> = CharLstm<64, 256, 1024, f32, D>;

impl<const E: usize, const H: usize, const G: usize, F: Dtype + Float, D: Device<F>>
    CharLstm<E, H, G, F, D>
{
    /// A model for `vocab` characters, initialised as PyTorch initialises the same layers
    /// (`nn.Embedding`: N(0, 1); `nn.LSTM` and `nn.Linear`: uniform in ±1/√H), with its
    /// weights drawn from a generator seeded with `seed`.
    pub fn new(dev: &D, vocab: usize, seed: u64) -> Self {
        let rng = &mut seeded(seed);
        CharLstm {
            embed: TokenEmbedding::new(dev, vocab, Init::Normal(1.0), rng),
            lstm: LstmCell::new(dev, rng),
            head: Dense::pytorch(dev, (Const, vocab), rng),
        }
    }

    /// How many characters the model reads and writes.
    pub fn vocab_size(&self) -> usize {
        self.embed.tokens()
    }

    /// Logits for every position: `ids` has shape (steps, batch) (time-major), the result
    /// (steps, batch, V).
    // ANCHOR: forward
    pub fn forward<T: Tape<F, D>>(
        &self,
        ids: Tensor<(usize, usize), usize, D, T>,
        state: Option<State<H, F, D>>,
    ) -> (Steps<F, D, T>, State<H, F, D>) {
        let (steps, batch) = *ids.shape();
        let x = self.embed.forward(ids); // (steps, batch, E)
        let (hs, state) = self.lstm.forward_seq(x, state); // (steps, batch, H)
        let rows = hs.reshape_like(&(steps * batch, Const::<H>)); // every position a row
        let logits = self.head.forward(rows); // (steps · batch, V)
        (
            logits.reshape_like(&(steps, batch, self.vocab_size())),
            state,
        )
    }
    // ANCHOR_END: forward
}

impl<const E: usize, const H: usize, const G: usize, D: Device<f32>> CharLstm<E, H, G, f32, D> {
    /// [`CharLstm::forward`] from a zero state through the CPU kernel
    /// [`lstm_sequence`](kernels::lstm_sequence): logits for every position, time-major
    /// rows (steps · batch, V).
    pub fn forward_fused<T: Tape<f32, D>>(
        &self,
        ids: Tensor<(usize, usize), usize, D, T>,
    ) -> Tensor<(usize, usize), f32, D, T> {
        let (steps, batch) = *ids.shape();
        let x = self.embed.forward(ids); // (steps, batch, E)
        let x_proj = self.lstm.ih.forward(x); // W_ih xₜ + b_ih for every step at once
        let zeros = self.embed.weight.device().zeros_like(&(batch, Const::<H>));
        let hh = (&self.lstm.hh.weight, &self.lstm.hh.bias);
        let (hs, _) = kernels::lstm_sequence(x_proj, hh, (&zeros, &zeros));
        self.head
            .forward(hs.reshape_like(&(steps * batch, Const::<H>)))
    }
}

impl<const E: usize, const H: usize, const G: usize, F, D> Params<F, D> for CharLstm<E, H, G, F, D>
where
    F: Dtype + Float + rand_distr::uniform::SampleUniform,
    D: Device<F>,
{
    fn visit_params(&mut self, v: &mut impl ParamVisitor<F, D>) {
        self.embed.visit_params(v);
        self.lstm.visit_params(v);
        self.head.visit_params(v);
    }
}

/// Token ids (row-major, `batch` rows of `steps`) as the model's time-major (steps, batch)
/// tensor: row t holds every sequence's t-th character.
pub fn time_major<D: Device<f32>>(
    dev: &D,
    ids: &[usize],
    batch: usize,
    steps: usize,
) -> Tensor<(usize, usize), usize, D> {
    dev.tensor_from_vec(transpose(ids, batch, steps), (steps, batch))
}

/// `batch` rows of `steps` ids, read column by column.
fn transpose(ids: &[usize], batch: usize, steps: usize) -> Vec<usize> {
    (0..steps)
        .flat_map(|s| (0..batch).map(move |b| ids[b * steps + s]))
        .collect()
}

impl<const E: usize, const H: usize, const G: usize, D: Device<f32>> LanguageModel<D>
    for CharLstm<E, H, G, f32, D>
{
    fn vocab_size(&self) -> usize {
        self.embed.tokens()
    }

    fn context(&self) -> Option<usize> {
        None // the state carries any length of past
    }

    /// On the CPU through the fused kernels (the same numbers, several times faster);
    /// elsewhere through the composed [`CharLstm::forward`] and [`next_token_loss`](crate::lm::next_token_loss).
    fn loss<T: Tape<f32, D> + Merge<T> + Default>(&self, b: &Batch) -> Tensor<Rank0, f32, D, T> {
        let dev = self.embed.weight.device();
        let inputs = time_major(dev, &b.inputs, b.batch, b.seq).put_tape(T::default());
        let n = b.batch * b.seq;
        let targets = transpose(&b.targets, b.batch, b.seq);
        let logits = match kernels::on_cpu::<D>() {
            true => self.forward_fused(inputs), // (steps · batch, V)
            false => self
                .forward(inputs, None)
                .0
                .reshape_like(&(n, self.vocab_size())),
        };
        // Off the CPU, `cross_entropy` is the composed `next_token_loss`.
        kernels::cross_entropy(logits, &targets)
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
