//! Writing text with a trained GPT: run the window, sample the last position, slide on.

use dfdx::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::MiniGpt;
use crate::data::Vocab;
use crate::error::{AigcError, Result};
use crate::sample::{Sampling, sample};

/// Continues `prompt` with `n` sampled characters. The same seed gives the same text.
///
/// The model sees at most `BLOCK` characters: a longer prompt is cropped to its last
/// `BLOCK` characters (the returned text still starts with the whole prompt), and as the
/// text grows the window slides along it. Without a key/value cache every new character
/// re-reads the whole window; at 64 positions that is cheap.
// ANCHOR: generate
#[allow(clippy::too_many_arguments)]
pub fn generate<
    const V: usize,
    const C: usize,
    const FF: usize,
    const NH: usize,
    const L: usize,
    const BLOCK: usize,
    D: Device<f32>,
>(
    dev: &D,
    model: &MiniGpt<V, C, FF, NH, L, BLOCK, f32, D>,
    vocab: &Vocab,
    prompt: &str,
    n: usize,
    how: &Sampling,
    seed: u64,
) -> Result<String> {
    how.validate()?;
    if prompt.is_empty() {
        return Err(AigcError::InvalidHyperParameter {
            name: "prompt",
            message: "must contain at least one character".into(),
        });
    }
    let mut ids = vocab.encode(prompt)?; // names any character the model has never seen
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = prompt.to_string();
    for _ in 0..n {
        let window = &ids[ids.len().saturating_sub(BLOCK)..]; // the last BLOCK characters
        let input = dev.tensor_from_vec(window.to_vec(), (1, window.len()));
        let logits = model.forward(input).as_vec();
        let last = &logits[(window.len() - 1) * V..]; // the scores for what comes next
        let next = sample(last, vocab.len(), how, &mut rng);
        out.push(vocab.chars[next]);
        ids.push(next);
    }
    Ok(out)
}
// ANCHOR_END: generate
