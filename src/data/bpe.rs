//! Byte-pair encoding (BPE) over characters: subword tokens learned from a text.
//!
//! Start with one token per character. Count every pair of neighbouring tokens in the
//! text; the most frequent pair becomes a new token, and every occurrence of it is
//! replaced. Repeat `merges` times. Frequent words and phrases end up as single tokens
//! ("the", " and", "明月"), rare ones stay spelled out. This is the algorithm of GPT-2's
//! tokenizer (which starts from bytes instead of characters) and of SentencePiece's BPE
//! mode (which, like this one, starts from characters — the natural unit of Chinese).
//!
//! Pairs never cross a line break (a line break is always a token of its own) nor the
//! start of a word: a space begins a new piece, as in GPT-2, so " the" can become one
//! token but "e t" cannot.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{AigcError, Result};

/// A learned byte-pair encoding: the characters it starts from and its merges in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bpe {
    /// Tokens 0 … n − 1: the text's characters, sorted.
    pub alphabet: Vec<char>,
    /// Merge k makes token n + k from the pair (left, right).
    pub merges: Vec<(usize, usize)>,
}

/// The pieces merges stay inside: lines, and within a line, words with their leading space.
///
/// ```
/// assert_eq!(aigc::data::bpe::pieces("the cat\n猫。"), vec!["the", " cat", "\n", "猫。"]);
/// ```
pub fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let split = c == '\n' || c == ' ' || text[start..i].ends_with('\n');
        if i > start && split {
            out.push(&text[start..i]);
            start = i;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

impl Bpe {
    /// Learns `merges` merges from `text` (fewer if the text runs out of pairs).
    ///
    /// ```
    /// let bpe = aigc::data::bpe::Bpe::train("abab abab", 2);
    /// assert_eq!(bpe.token(bpe.len() - 1), "abab"); // "ab" first, then "ab"+"ab"
    /// ```
    // ANCHOR: train
    pub fn train(text: &str, merges: usize) -> Bpe {
        let mut alphabet: Vec<char> = text.chars().collect();
        alphabet.sort_unstable();
        alphabet.dedup();
        let id = |c: char| alphabet.binary_search(&c).unwrap_or(0);
        // Each distinct piece once, with how often it occurs: the counts do the rest.
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for piece in pieces(text) {
            *counts.entry(piece).or_default() += 1;
        }
        let mut words: Vec<(Vec<usize>, usize)> = counts
            .into_iter()
            .map(|(p, n)| (p.chars().map(id).collect(), n))
            .collect();
        let mut bpe = Bpe {
            alphabet: alphabet.clone(),
            merges: Vec::new(),
        };
        for _ in 0..merges {
            let Some(pair) = most_frequent_pair(&words) else {
                break; // every piece is a single token
            };
            let new = bpe.len();
            for (word, _) in &mut words {
                merge(word, pair, new);
            }
            bpe.merges.push(pair);
        }
        bpe
    }
    // ANCHOR_END: train

    /// How many tokens there are: the characters and one per merge.
    pub fn len(&self) -> usize {
        self.alphabet.len() + self.merges.len()
    }

    /// `true` for an encoding with no tokens at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text of token `id`.
    pub fn token(&self, id: usize) -> String {
        match id.checked_sub(self.alphabet.len()) {
            None => self
                .alphabet
                .get(id)
                .map_or("\u{FFFD}".into(), |c| c.to_string()),
            Some(k) => match self.merges.get(k) {
                Some(&(a, b)) => self.token(a) + &self.token(b),
                None => "\u{FFFD}".into(),
            },
        }
    }

    /// The token ids of `text`: each piece spelled in characters, then the learned merges
    /// applied in the order they were learned. A character outside the alphabet is an
    /// error that names it.
    // ANCHOR: encode
    pub fn encode(&self, text: &str) -> Result<Vec<usize>> {
        let rank: HashMap<(usize, usize), usize> = self
            .merges
            .iter()
            .enumerate()
            .map(|(k, &p)| (p, k))
            .collect();
        let mut ids = Vec::new();
        for piece in pieces(text) {
            let mut word = piece
                .chars()
                .map(|c| {
                    self.alphabet
                        .binary_search(&c)
                        .map_err(|_| unknown(c, self))
                })
                .collect::<Result<Vec<usize>>>()?;
            // The earliest-learned merge that applies, again and again.
            while let Some((k, pair)) = word
                .windows(2)
                .filter_map(|w| rank.get(&(w[0], w[1])).map(|&k| (k, (w[0], w[1]))))
                .min()
            {
                merge(&mut word, pair, self.alphabet.len() + k);
            }
            ids.extend(word);
        }
        Ok(ids)
    }
    // ANCHOR_END: encode

    /// The text of some token ids.
    pub fn decode(&self, ids: &[usize]) -> String {
        ids.iter().map(|&i| self.token(i)).collect()
    }
}

/// The pair of neighbouring tokens that occurs most often, counting each piece as often
/// as it occurs; on a tie, the pair with the smaller ids (the rule of Hugging Face's
/// `tokenizers`, so both learn the same merges).
fn most_frequent_pair(words: &[(Vec<usize>, usize)]) -> Option<(usize, usize)> {
    let mut counts: HashMap<(usize, usize), usize> = HashMap::new();
    for (word, n) in words {
        for w in word.windows(2) {
            *counts.entry((w[0], w[1])).or_default() += n;
        }
    }
    counts
        .into_iter()
        .max_by(|(p, a), (q, b)| a.cmp(b).then(q.cmp(p)))
        .map(|(pair, _)| pair)
}

/// Replaces every occurrence of `pair` in `word`, left to right, by `new`.
fn merge(word: &mut Vec<usize>, pair: (usize, usize), new: usize) {
    let mut out = Vec::with_capacity(word.len());
    let mut i = 0;
    while i < word.len() {
        if i + 1 < word.len() && (word[i], word[i + 1]) == pair {
            out.push(new);
            i += 2;
        } else {
            out.push(word[i]);
            i += 1;
        }
    }
    *word = out;
}

fn unknown(c: char, bpe: &Bpe) -> AigcError {
    AigcError::UnknownCharacters(format!(
        "{c:?} not among the {} characters this encoding was learned from",
        bpe.alphabet.len()
    ))
}
