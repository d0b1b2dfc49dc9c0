//! The LSTM cell, written from its gates, and its unrolling over a sequence.

use dfdx::nn::modules::Linear;
use dfdx::prelude::*;
use num_traits::Float;
use rand::rngs::StdRng;

use crate::layers::{Init, linear};
use crate::params::{ParamVisitor, Params, visit_layer};

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

/// Every time step's rows of `H` numbers: shape (steps, batch, H).
pub type Hidden<const H: usize, F, D, T = NoneTape> = Tensor<(usize, usize, Const<H>), F, D, T>;

/// Every time step's logits, one per character of the vocabulary: (steps, batch, V).
pub type Steps<F, D, T = NoneTape> = Tensor<(usize, usize, usize), F, D, T>;

/// The recurrent state carried from one step to the next: (hₜ, cₜ), one row per sequence.
pub type State<const H: usize, F, D> = (
    Tensor<(usize, Const<H>), F, D>,
    Tensor<(usize, Const<H>), F, D>,
);

impl<const E: usize, const H: usize, const G: usize, F: Dtype + Float, D: Device<F>>
    LstmCell<E, H, G, F, D>
{
    /// A cell as PyTorch's `nn.LSTM` starts one: every weight and bias uniform in ±1/√H.
    pub fn new(dev: &D, rng: &mut StdRng) -> Self {
        const { assert!(G == 4 * H, "an LSTM has G = 4H gate pre-activations") };
        let init = Init::Uniform(1.0 / (H as f64).sqrt());
        LstmCell {
            ih: linear(dev, init, rng),
            hh: linear(dev, init, rng),
        }
    }
}

// A dfdx layer too: `BuildModule`, `alloc_grads` and the other dfdx tools work on a cell.
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

impl<const E: usize, const H: usize, const G: usize, F, D> Params<F, D> for LstmCell<E, H, G, F, D>
where
    F: Dtype + Float + rand_distr::uniform::SampleUniform,
    D: Device<F>,
{
    fn visit_params(&mut self, v: &mut impl ParamVisitor<F, D>) {
        visit_layer(self, v);
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
    ) -> (Hidden<H, F, D, T>, State<H, F, D>) {
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
