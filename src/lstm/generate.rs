//! Writing text with a trained LSTM: feed the prompt, then sample one character at a time.

use dfdx::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::CharLstm;
use crate::data::Vocab;
use crate::error::{AigcError, Result};
use crate::sample::{Sampling, sample};

/// Continues `prompt` with `n` sampled characters. The same seed gives the same text.
///
/// The prompt is read in one pass (its final state summarises it); then each sampled
/// character is fed back as the next input, carrying the state (h, c) forward.
// ANCHOR: generate
#[allow(clippy::too_many_arguments)]
pub fn generate<const V: usize, const E: usize, const H: usize, const G: usize, D>(
    dev: &D,
    model: &CharLstm<V, E, H, G, f32, D>,
    vocab: &Vocab,
    prompt: &str,
    n: usize,
    how: &Sampling,
    seed: u64,
) -> Result<String>
where
    D: Device<f32>,
{
    how.validate()?;
    if prompt.is_empty() {
        return Err(AigcError::InvalidHyperParameter {
            name: "prompt",
            message: "must contain at least one character".into(),
        });
    }
    let ids = vocab.encode(prompt)?; // names any character the model has never seen
    let mut rng = StdRng::seed_from_u64(seed);
    let input = dev.tensor_from_vec(ids.clone(), (ids.len(), 1));
    let (logits, mut state) = model.forward(input, None);
    let mut last: Vec<f32> = logits.as_vec()[(ids.len() - 1) * V..].to_vec();
    let mut out = prompt.to_string();
    for _ in 0..n {
        let next = sample(&last, vocab.len(), how, &mut rng);
        out.push(vocab.chars[next]);
        let (logits, s) = model.forward(dev.tensor_from_vec(vec![next], (1, 1)), Some(state));
        (last, state) = (logits.as_vec(), s);
    }
    Ok(out)
}
// ANCHOR_END: generate
