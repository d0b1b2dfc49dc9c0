//! Writing text with a trained GPT: run the window, sample the last position, slide on.

use dfdx::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::{KvCache, MiniGpt};
use crate::data::Vocab;
use crate::error::{AigcError, Result};
use crate::sample::{Sampling, sample};

/// Continues `prompt` with `n` sampled characters. The same seed gives the same text.
///
/// The model sees at most `BLOCK` characters: a longer prompt is cropped to its last
/// `BLOCK` characters (the returned text still starts with the whole prompt).
///
/// Each new character is read once: the keys and values of the characters before it wait
/// in a [`KvCache`], so a step costs one position's work, not the whole window's. When the
/// window is full, generation starts a new window from the last `BLOCK / 2` characters
/// (re-reading them), because the position embeddings end at `BLOCK`.
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
    let read = |ids: &[usize], cache: &mut KvCache<f32, D>| {
        let logits = model.forward_cached(dev.tensor_from_vec(ids.to_vec(), (1, ids.len())), cache);
        logits.as_vec()[(ids.len() - 1) * V..].to_vec() // the scores for what comes next
    };
    let mut cache = KvCache::default();
    let mut last = read(&ids[ids.len().saturating_sub(BLOCK)..], &mut cache);
    for _ in 0..n {
        let next = sample(&last, vocab.len(), how, &mut rng);
        out.push(vocab.chars[next]);
        ids.push(next);
        last = if cache.len < BLOCK {
            read(&[next], &mut cache) // one more position
        } else {
            cache = KvCache::default(); // full: a new window from the last half
            read(&ids[ids.len() - BLOCK / 2..], &mut cache)
        };
    }
    Ok(out)
}
// ANCHOR_END: generate
