//! Writing text with a trained GPT: run the window, sample the last position, slide on.

use dfdx::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::{KvCache, MiniGpt};
use crate::data::Tokenizer;
use crate::error::Result;
use crate::lm::prompt_ids;
use crate::sample::{Sampling, sample};

/// Continues `prompt` with `n` tokens drawn as `how` says. The same seed gives the
/// same text; at temperature 0 the seed does not matter (greedy decoding).
///
/// The model sees at most `BLOCK` characters: a longer prompt is cropped to its last
/// `BLOCK` characters (the returned text still starts with the whole prompt). Unless
/// `how.from_line_start` is off, a line break is read before the prompt.
///
/// Each new character is read once: the keys and values of the characters before it wait
/// in a [`KvCache`], so a step costs one position's work, not the whole window's. When the
/// window is full, generation starts a new window from the last `BLOCK / 2` characters
/// (re-reading them), because the position embeddings end at `BLOCK`.
// ANCHOR: generate
pub fn generate<
    const C: usize,
    const FF: usize,
    const NH: usize,
    const L: usize,
    const BLOCK: usize,
    D: Device<f32>,
>(
    model: &MiniGpt<C, FF, NH, L, BLOCK, f32, D>,
    tokenizer: &Tokenizer,
    prompt: &str,
    n: usize,
    how: &Sampling,
    seed: u64,
) -> Result<String> {
    how.validate()?;
    let mut ids = prompt_ids(tokenizer, prompt, how.from_line_start)?;
    let dev = model.wte.weight.device();
    let v = tokenizer.len();
    let mut new = Vec::with_capacity(n);
    let mut rng = StdRng::seed_from_u64(seed);
    let read = |ids: &[usize], cache: &mut KvCache<f32, D>| {
        let logits = model.forward_cached(dev.tensor_from_vec(ids.to_vec(), (1, ids.len())), cache);
        logits.as_vec()[(ids.len() - 1) * v..].to_vec() // the scores for what comes next
    };
    let mut cache = KvCache::default();
    let mut last = read(&ids[ids.len().saturating_sub(BLOCK)..], &mut cache);
    for _ in 0..n {
        let next = sample(&last, how, &mut rng);
        new.push(next);
        ids.push(next);
        last = if cache.len < BLOCK {
            read(&[next], &mut cache) // one more position
        } else {
            cache = KvCache::default(); // full: a new window from the last half
            read(&ids[ids.len() - BLOCK / 2..], &mut cache)
        };
    }
    Ok(prompt.to_string() + &tokenizer.decode(&new)) // decoded at the end: a byte
    // model's character may take several tokens
}
// ANCHOR_END: generate
