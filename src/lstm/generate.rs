//! Writing text with a trained LSTM: feed the prompt, then sample one character at a time.

use dfdx::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::CharLstm;
use crate::data::Tokenizer;
use crate::error::Result;
use crate::lm::prompt_ids;
use crate::sample::{Sampling, sample};

/// Continues `prompt` with `n` tokens drawn as `how` says. The same seed gives the
/// same text; at temperature 0 the seed does not matter (greedy decoding).
///
/// The prompt is read in one pass — after a line break, unless `how.from_line_start` is
/// off — and its final state summarises it; then each new character is fed back as the
/// next input, carrying the state (h, c) forward.
// ANCHOR: generate
pub fn generate<const E: usize, const H: usize, const G: usize, D: Device<f32>>(
    model: &CharLstm<E, H, G, f32, D>,
    tokenizer: &Tokenizer,
    prompt: &str,
    n: usize,
    how: &Sampling,
    seed: u64,
) -> Result<String> {
    how.validate()?;
    let ids = prompt_ids(tokenizer, prompt, how.from_line_start)?;
    let dev = model.embed.weight.device();
    let mut rng = StdRng::seed_from_u64(seed);
    let v = tokenizer.len();
    let mut new = Vec::with_capacity(n);
    let (logits, mut state) = model.forward(dev.tensor_from_vec(ids.clone(), (ids.len(), 1)), None);
    let mut last: Vec<f32> = logits.as_vec()[(ids.len() - 1) * v..].to_vec();
    for _ in 0..n {
        let next = sample(&last, how, &mut rng);
        new.push(next);
        let (logits, s) = model.forward(dev.tensor_from_vec(vec![next], (1, 1)), Some(state));
        (last, state) = (logits.as_vec(), s);
    }
    Ok(prompt.to_string() + &tokenizer.decode(&new)) // decoded at the end: a byte
    // model's character may take several tokens
}
// ANCHOR_END: generate
