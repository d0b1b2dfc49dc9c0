//! Text as numbers: a character vocabulary, encoding and decoding, and training batches.
//!
//! A *character-level* language model reads and writes one Unicode scalar value (a Rust
//! `char`) at a time. Chinese needs nothing special: 猫 is one `char`, just like `c`.

use std::collections::BTreeMap;
use std::path::Path;

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::tokenizer::{Tokenization, Tokenizer};
use crate::error::{AigcError, Result};

impl From<Vec<char>> for Vocab {
    fn from(chars: Vec<char>) -> Self {
        Vocab::from_chars(chars)
    }
}

impl From<Vocab> for Vec<char> {
    fn from(v: Vocab) -> Self {
        v.chars
    }
}

/// The characters a model knows, each with an index (its *token id*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<char>", into = "Vec<char>")]
pub struct Vocab {
    /// The characters in id order (sorted, so the same text always gives the same ids).
    pub chars: Vec<char>,
    index: BTreeMap<char, usize>,
}

impl Vocab {
    /// The sorted set of characters that occur in `text`.
    ///
    /// ```
    /// let v = aigc::data::Vocab::from_text("猫 cat");
    /// assert_eq!(v.chars, vec![' ', 'a', 'c', 't', '猫']);
    /// ```
    pub fn from_text(text: &str) -> Self {
        let mut chars: Vec<char> = text.chars().collect();
        chars.sort_unstable();
        chars.dedup();
        Vocab::from_chars(chars)
    }

    /// A vocabulary with exactly these characters, in this order.
    pub fn from_chars(chars: Vec<char>) -> Self {
        let index = chars.iter().enumerate().map(|(i, &c)| (c, i)).collect();
        Vocab { chars, index }
    }

    /// Number of characters.
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// `true` for the empty vocabulary.
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// Token ids of `text`; characters the vocabulary lacks are an error that names them.
    ///
    /// ```
    /// let v = aigc::data::Vocab::from_text("the cat");
    /// assert_eq!(v.encode("cat").unwrap(), vec![2, 1, 5]);
    /// let err = v.encode("dog").unwrap_err().to_string();
    /// assert!(err.contains("'d'") && err.contains("'o'") && err.contains("'g'"));
    /// ```
    // ANCHOR: encode
    pub fn encode(&self, text: &str) -> Result<Vec<usize>> {
        let mut unknown: Vec<char> = text
            .chars()
            .filter(|c| !self.index.contains_key(c))
            .collect();
        if !unknown.is_empty() {
            unknown.sort_unstable();
            unknown.dedup();
            let names: Vec<String> = unknown.iter().map(|c| format!("{c:?}")).collect();
            return Err(AigcError::UnknownCharacters(format!(
                "{} not in the model's vocabulary of {} characters; use only characters \
                 that occur in the training text",
                names.join(", "),
                self.len()
            )));
        }
        Ok(text.chars().map(|c| self.index[&c]).collect())
    }

    /// The text of some token ids (ids outside the vocabulary become `�`).
    pub fn decode(&self, ids: &[usize]) -> String {
        ids.iter()
            .map(|&i| *self.chars.get(i).unwrap_or(&'\u{FFFD}'))
            .collect()
    }
    // ANCHOR_END: encode
}

/// Reads a UTF-8 text file; an empty file or invalid UTF-8 is an error with the position.
pub fn read_text(path: impl AsRef<Path>) -> Result<String> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| AigcError::io(path, e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count();
        AigcError::BadText(format!(
            "{}:{line}: not valid UTF-8 at byte {at}; save the file as UTF-8",
            path.display()
        ))
    })?;
    if text.trim().is_empty() {
        return Err(AigcError::BadText(format!(
            "{}: the text is empty; a language model needs text to learn from",
            path.display()
        )));
    }
    Ok(text)
}

/// A text split into training and validation token ids by one tokenizer.
#[derive(Debug, Clone, PartialEq)]
pub struct TextData {
    /// The tokenizer, learned from the whole text.
    pub tokenizer: Tokenizer,
    /// The first part of the text, for training.
    pub train: Vec<usize>,
    /// The last part, never trained on, for measuring the loss honestly.
    pub valid: Vec<usize>,
}

impl TextData {
    /// Learns the tokenizer `kind` from `text` and splits the text by position: the last
    /// `valid_fraction` of its characters is the validation part.
    ///
    /// Both parts must hold at least one window of `window` tokens (a training sequence
    /// plus its next token); otherwise the text is too short.
    ///
    /// ```
    /// use aigc::data::{TextData, Tokenization};
    /// let d = TextData::split("abcdefghij", 0.2, 2, Tokenization::Chars).unwrap();
    /// assert_eq!((d.train.len(), d.valid.len()), (8, 2));
    /// ```
    pub fn split(
        text: &str,
        valid_fraction: f64,
        window: usize,
        kind: Tokenization,
    ) -> Result<TextData> {
        let chars = text.chars().count();
        let n_valid = ((chars as f64) * valid_fraction).round() as usize;
        let cut = text
            .char_indices()
            .nth(chars.saturating_sub(n_valid))
            .map_or(text.len(), |(i, _)| i);
        let tokenizer = Tokenizer::learn(kind, text);
        let train = tokenizer.encode(&text[..cut])?;
        let valid = tokenizer.encode(&text[cut..])?;
        if train.len() < window || valid.len() < window {
            return Err(AigcError::BadText(format!(
                "the text has {chars} characters: too short for windows of {window} tokens in \
                 both the training part and the {:.0}% validation part (needs at least {})",
                100.0 * valid_fraction,
                ((window as f64) / valid_fraction.clamp(1e-9, 0.5)).ceil() as usize
            )));
        }
        Ok(TextData {
            tokenizer,
            train,
            valid,
        })
    }

    /// [`TextData::split`] for training: an empty text, or a text too short for one
    /// window in each part, is an error that says what to do.
    pub fn for_training(
        text: &str,
        valid_fraction: f64,
        window: usize,
        kind: Tokenization,
    ) -> Result<TextData> {
        if text.trim().is_empty() {
            return Err(AigcError::BadText(
                "the text is empty; a language model needs text to learn from".into(),
            ));
        }
        TextData::split(text, valid_fraction, window, kind)
    }
}

/// A batch of next-token examples: `batch` windows of `seq` token ids and, for each
/// position, the id that follows it. Both are row-major, `batch * seq` ids each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The windows the model reads.
    pub inputs: Vec<usize>,
    /// The same windows shifted by one: what the model should predict at each position.
    pub targets: Vec<usize>,
    /// Windows in the batch.
    pub batch: usize,
    /// Positions per window.
    pub seq: usize,
}

/// `batch` random windows of `seq` tokens and, for each position, the token that follows
/// it: the input and the target of next-token prediction.
// ANCHOR: batch
pub fn random_batch(tokens: &[usize], batch: usize, seq: usize, rng: &mut impl Rng) -> Batch {
    let mut inputs = Vec::with_capacity(batch * seq);
    let mut targets = Vec::with_capacity(batch * seq);
    for _ in 0..batch {
        let start = rng.gen_range(0..=tokens.len() - seq - 1);
        inputs.extend_from_slice(&tokens[start..start + seq]);
        targets.extend_from_slice(&tokens[start + 1..start + seq + 1]); // shifted by one
    }
    Batch {
        inputs,
        targets,
        batch,
        seq,
    }
}
// ANCHOR_END: batch

/// Every window of `seq` tokens laid end to end over `tokens` (the last, shorter one
/// dropped), `batch` windows at a time: the whole held-out text, each token predicted
/// once. Every implementation that reads the same text this way measures the same loss.
///
/// ```
/// let tokens: Vec<usize> = (0..10).collect();
/// let batches = aigc::data::consecutive_batches(&tokens, 2, 3);
/// assert_eq!(batches.len(), 2); // windows 0..3, 3..6 | 6..9
/// assert_eq!(batches[0].inputs, vec![0, 1, 2, 3, 4, 5]);
/// assert_eq!(batches[1].targets, vec![7, 8, 9]);
/// ```
pub fn consecutive_batches(tokens: &[usize], batch: usize, seq: usize) -> Vec<Batch> {
    let windows = tokens.len().saturating_sub(1) / seq.max(1);
    let starts: Vec<usize> = (0..windows).map(|w| w * seq).collect();
    starts
        .chunks(batch.max(1))
        .map(|chunk| Batch {
            inputs: chunk
                .iter()
                .flat_map(|&s| tokens[s..s + seq].to_vec())
                .collect(),
            targets: chunk
                .iter()
                .flat_map(|&s| tokens[s + 1..s + seq + 1].to_vec())
                .collect(),
            batch: chunk.len(),
            seq,
        })
        .collect()
}
