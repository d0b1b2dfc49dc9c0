//! Chapter 6 — an LSTM written from its gates, and a character-level language model.
//!
//! dfdx 0.13 has no recurrent layers, so we build one. At each time step t the cell reads
//! the input xₜ and the previous hidden state hₜ₋₁ and computes four *gates*:
//!
//! iₜ = σ(W_ii xₜ + b_ii + W_hi hₜ₋₁ + b_hi)   input gate: how much new information to write
//! fₜ = σ(W_if xₜ + b_if + W_hf hₜ₋₁ + b_hf)   forget gate: how much of the old cell to keep
//! gₜ = tanh(W_ig xₜ + b_ig + W_hg hₜ₋₁ + b_hg) candidate: what to write
//! oₜ = σ(W_io xₜ + b_io + W_ho hₜ₋₁ + b_ho)   output gate: how much of the cell to show
//!
//! cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ,   hₜ = oₜ ⊙ tanh(cₜ)
//!
//! The four W_i· x maps are stored as one `Linear<E, 4H>` (`ih`) and the four W_h· h maps as
//! one `Linear<H, 4H>` (`hh`), in PyTorch's gate order i, f, g, o, so `ih.weight` is exactly
//! `nn.LSTM`'s `weight_ih_l0` and `hh.weight` its `weight_hh_l0`. One matrix product per
//! step computes all four gates at once.

use dfdx::nn::modules::{Embedding, Linear};
use dfdx::prelude::*;

mod generate;
mod run;
mod train;

pub use generate::generate;
pub use run::{
    CheckpointMeta, LstmReport, MAX_VOCAB, MODEL_NAME, TrainOutcome, load_checkpoint, loss_chart,
    new_model, prepare_text, report, save_checkpoint, train_or_resume, write_report,
};
pub use train::{Finish, LstmConfig, TrainLog, train_lstm, validation_loss};

/// An LSTM layer: input size `E`, hidden size `H`, and `G = 4H` gate pre-activations
/// (stable Rust cannot write `4 * H` in a type, so `G` is its own parameter, checked).
#[derive(Debug, Clone)]
pub struct LstmCell<const E: usize, const H: usize, const G: usize, F: Dtype, D: Storage<F>> {
    /// x ↦ W_ih x + b_ih for all four gates; weight shape (4H, E) like PyTorch's `weight_ih`.
    pub ih: Linear<E, G, F, D>,
    /// h ↦ W_hh h + b_hh for all four gates; weight shape (4H, H) like PyTorch's `weight_hh`.
    pub hh: Linear<H, G, F, D>,
}

/// A batch of rows of `H` numbers (one per sequence), recording gradients on tape `T`.
pub type Rows<const H: usize, F, D, T = NoneTape> = Tensor<(usize, Const<H>), F, D, T>;

/// Every time step's rows: shape (steps, batch, N).
pub type Steps<const N: usize, F, D, T = NoneTape> = Tensor<(usize, usize, Const<N>), F, D, T>;

/// The recurrent state carried from one step to the next: (hₜ, cₜ), one row per sequence.
pub type State<const H: usize, F, D> = (
    Tensor<(usize, Const<H>), F, D>,
    Tensor<(usize, Const<H>), F, D>,
);

/// The chapter's language model: Embedding → LSTM → Linear, producing one score (*logit*)
/// per vocabulary character; softmax turns them into next-character probabilities.
#[derive(Debug, Clone)]
pub struct CharLstm<
    const V: usize,
    const E: usize,
    const H: usize,
    const G: usize,
    F: Dtype,
    D: Storage<F>,
> {
    /// Token id ↦ a learned vector of `E` numbers.
    pub embed: Embedding<V, E, F, D>,
    /// The recurrent layer.
    pub lstm: LstmCell<E, H, G, F, D>,
    /// Hidden state ↦ `V` logits.
    pub head: Linear<H, V, F, D>,
}

/// The book's model: vocabulary up to 128 characters, embedding 64, hidden 256.
pub type BookLstm<D> = CharLstm<128, 64, 256, 1024, f32, D>;

impl<const E: usize, const H: usize, const G: usize, F, D> TensorCollection<F, D>
    for LstmCell<E, H, G, F, D>
where
    F: Dtype + num_traits::Float + rand_distr::uniform::SampleUniform,
    D: Device<F>,
{
    type To<F2: Dtype, D2: Device<F2>> = LstmCell<E, H, G, F2, D2>;

    fn iter_tensors<Vis: ModuleVisitor<Self, F, D>>(
        visitor: &mut Vis,
    ) -> Result<Option<Self::To<Vis::E2, Vis::D2>>, Vis::Err> {
        const { assert!(G == 4 * H, "an LSTM has G = 4H gate pre-activations") };
        visitor.visit_fields(
            (
                Self::module("ih", |s| &s.ih, |s| &mut s.ih),
                Self::module("hh", |s| &s.hh, |s| &mut s.hh),
            ),
            |(ih, hh)| LstmCell { ih, hh },
        )
    }
}

impl<const V: usize, const E: usize, const H: usize, const G: usize, F, D> TensorCollection<F, D>
    for CharLstm<V, E, H, G, F, D>
where
    F: Dtype + num_traits::Float + rand_distr::uniform::SampleUniform,
    D: Device<F>,
{
    type To<F2: Dtype, D2: Device<F2>> = CharLstm<V, E, H, G, F2, D2>;

    fn iter_tensors<Vis: ModuleVisitor<Self, F, D>>(
        visitor: &mut Vis,
    ) -> Result<Option<Self::To<Vis::E2, Vis::D2>>, Vis::Err> {
        visitor.visit_fields(
            (
                Self::module("embed", |s| &s.embed, |s| &mut s.embed),
                Self::module("lstm", |s| &s.lstm, |s| &mut s.lstm),
                Self::module("head", |s| &s.head, |s| &mut s.head),
            ),
            |(embed, lstm, head)| CharLstm { embed, lstm, head },
        )
    }
}

impl<const E: usize, const H: usize, const G: usize, F: Dtype, D: Device<F>>
    LstmCell<E, H, G, F, D>
{
    /// One time step: the gates from xₜ's projection and hₜ₋₁, then the new (cₜ, hₜ).
    ///
    /// `x_proj` is W_ih xₜ + b_ih, computed for all steps at once before the loop.
    /// A tensor that records gradients (a tape) can be used only once, so each value used
    /// twice is split: one use keeps the tape, the others get a fresh one (`retaped`);
    /// dfdx merges the tapes again when their results meet.
    // ANCHOR: cell_step
    fn step<T: Tape<F, D>>(
        &self,
        x_proj: Tensor<(usize, Const<G>), F, D, T>,
        h: Tensor<(usize, Const<H>), F, D, T>,
        c: Tensor<(usize, Const<H>), F, D, T>,
    ) -> (Rows<H, F, D, T>, Rows<H, F, D, T>) {
        let gates = x_proj + self.hh.forward(h); // all four pre-activations, (B, 4H)
        let (gates, tape) = gates.split_tape();
        // Columns k·H .. (k+1)·H of the pre-activations belong to gate k. The tape goes on
        // *before* slicing, so that the slice itself is recorded and gradients reach `gates`.
        let gate = |k: usize, tape: T| {
            let part = gates.clone().put_tape(tape).slice((.., k * H..(k + 1) * H));
            // The slice has H columns: `try_realize` names that in its type (it cannot fail).
            part.try_realize::<(usize, Const<H>)>()
                .unwrap_or_else(|_| unreachable!("a slice of {H} columns has {H} columns"))
        };
        let i = gate(0, tape).sigmoid(); // input gate
        let f = gate(1, T::default()).sigmoid(); // forget gate
        let g = gate(2, T::default()).tanh(); // candidate cell values
        let o = gate(3, T::default()).sigmoid(); // output gate
        let c = mul(f, c) + mul(i, g); // cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ
        let (c, tape) = c.split_tape();
        let h = mul(o, c.clone().put_tape(tape).tanh()); // hₜ = oₜ ⊙ tanh(cₜ)
        (h, c.retaped::<T>())
    }
    // ANCHOR_END: cell_step

    /// Runs the cell over a whole sequence `x` of shape (steps, batch, E), starting from
    /// `state` (zeros when `None`). Returns every hₜ, shape (steps, batch, H), and the last
    /// (h, c) for continuing later (for example while generating text).
    // ANCHOR: unroll
    pub fn forward_seq<T: Tape<F, D>>(
        &self,
        x: Tensor<(usize, usize, Const<E>), F, D, T>,
        state: Option<State<H, F, D>>,
    ) -> (Steps<H, F, D, T>, State<H, F, D>) {
        let (steps, batch, _) = *x.shape();
        let dev = x.device().clone();
        // Hoisted out of the loop: one big matrix product for the inputs of every step.
        let x_proj = self.ih.forward(x);
        let (x_proj, tape) = x_proj.split_tape();
        let (h0, c0) = state.unwrap_or_else(|| {
            let zeros = || dev.zeros_like(&(batch, Const::<H>));
            (zeros(), zeros())
        });
        let (mut h, mut c) = (h0.put_tape(tape), c0.retaped::<T>());
        let mut outputs = Vec::with_capacity(steps);
        for t in 0..steps {
            let x_t = x_proj.clone().retaped::<T>().select(dev.tensor(t)); // step t's row block
            (h, c) = self.step(x_t, h, c);
            if t + 1 < steps {
                let (h_value, tape) = h.split_tape();
                outputs.push(h_value.clone().retaped::<T>()); // a copy for the output layer
                h = h_value.put_tape(tape); // the tape travels on with the recurrence
            }
        }
        let last = (h.retaped::<NoneTape>(), c.retaped::<NoneTape>());
        outputs.push(h); // the last hₜ carries the whole recurrence's tape
        (outputs.stack(), last)
    }
    // ANCHOR_END: unroll
}

impl<const V: usize, const E: usize, const H: usize, const G: usize, F: Dtype, D: Device<F>>
    CharLstm<V, E, H, G, F, D>
{
    /// Re-draws the weights the way PyTorch initialises `nn.Embedding` (N(0, 1)) and
    /// `nn.LSTM` (uniform in ±1/√H). dfdx's defaults are uniform in ±1/√(fan-in), which
    /// makes the embeddings about ten times smaller, and measurably slows the start of
    /// training (chapter 6 shows the comparison).
    pub fn init_like_pytorch(&mut self)
    where
        F: num_traits::Float + rand_distr::uniform::SampleUniform,
        rand_distr::StandardNormal: rand_distr::Distribution<F>,
    {
        let one = F::one();
        self.embed
            .weight
            .fill_with_distr(rand_distr::Normal::new(F::zero(), one).expect("σ = 1"));
        let k = one / F::from(H).expect("a size is a number").sqrt();
        let u = || rand_distr::Uniform::new(-k, k);
        self.lstm.ih.weight.fill_with_distr(u());
        self.lstm.ih.bias.fill_with_distr(u());
        self.lstm.hh.weight.fill_with_distr(u());
        self.lstm.hh.bias.fill_with_distr(u());
    }

    /// Logits for every position: `ids` has shape (steps, batch) (time-major), the result
    /// (steps, batch, V).
    // ANCHOR: forward
    pub fn forward<T: Tape<F, D>>(
        &self,
        ids: Tensor<(usize, usize), usize, D, T>,
        state: Option<State<H, F, D>>,
    ) -> (Steps<V, F, D, T>, State<H, F, D>) {
        let x = self.embed.forward(ids); // (steps, batch, E)
        let (hs, state) = self.lstm.forward_seq(x, state); // (steps, batch, H)
        (self.head.forward(hs), state) // (steps, batch, V)
    }
    // ANCHOR_END: forward
}

/// Mean cross-entropy of the next characters, in nats per character:
/// −(1/N) Σ log softmax(logits)[target].
// ANCHOR: loss
pub fn next_char_loss<const V: usize, F: Dtype, D: Device<F>, T: Tape<F, D>>(
    logits: Tensor<(usize, usize, Const<V>), F, D, T>,
    targets: Tensor<(usize, usize), usize, D>,
) -> Tensor<Rank0, F, D, T> {
    let log_probs = logits.log_softmax::<Axis<2>>();
    let of_targets = log_probs.select(targets); // log p(target) at every position
    of_targets.mean().negate()
}
// ANCHOR_END: loss

/// Token ids (row-major, `batch` rows of `steps`) as the model's time-major (steps, batch)
/// tensor.
pub fn time_major<D: Device<f32>>(
    dev: &D,
    ids: &[usize],
    batch: usize,
    steps: usize,
) -> Tensor<(usize, usize), usize, D> {
    let mut t = Vec::with_capacity(ids.len());
    for s in 0..steps {
        for b in 0..batch {
            t.push(ids[b * steps + s]);
        }
    }
    dev.tensor_from_vec(t, (steps, batch))
}
