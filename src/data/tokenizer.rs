//! Three ways to turn text into token ids: characters, UTF-8 bytes, and subwords (BPE).
//!
//! A model only ever sees ids. Which pieces of text they stand for decides how long a
//! sentence is in tokens, how large the output layer is, and what a mistake looks like:
//! a character model can misspell, a byte model can even write half a Chinese character.

use serde::{Deserialize, Serialize};

use super::bpe::Bpe;
use super::text::Vocab;
use crate::error::Result;

/// Which tokenizer a run learns from its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Tokenization {
    /// One token per character (a Rust `char`): the vocabulary is the text's own.
    #[default]
    Chars,
    /// One token per UTF-8 byte: 256 tokens cover any text; a Chinese character is 3.
    Bytes,
    /// Byte-pair encoding over characters, with this many merges.
    Bpe {
        /// Merges learned from the training text (new tokens beyond the characters).
        merges: usize,
    },
}

/// A tokenizer learned from a text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Tokenizer {
    /// One token per character.
    Chars(Vocab),
    /// One token per UTF-8 byte.
    Bytes,
    /// Subwords.
    Bpe(Bpe),
}

impl Tokenizer {
    /// The tokenizer `kind` learned from `text`: a character vocabulary, or BPE merges.
    ///
    /// ```
    /// use aigc::data::{Tokenization, Tokenizer};
    /// let text = "明月几时有\n明月照我还\n";
    /// let chars = Tokenizer::learn(Tokenization::Chars, text);
    /// let bytes = Tokenizer::learn(Tokenization::Bytes, text);
    /// let bpe = Tokenizer::learn(Tokenization::Bpe { merges: 1 }, text);
    /// let line = "明月几时有";
    /// assert_eq!(chars.encode(line).unwrap().len(), 5);
    /// assert_eq!(bytes.encode(line).unwrap().len(), 15); // three bytes per character
    /// assert_eq!(bpe.encode(line).unwrap().len(), 4); // 明月 became one token
    /// ```
    pub fn learn(kind: Tokenization, text: &str) -> Self {
        match kind {
            Tokenization::Chars => Tokenizer::Chars(Vocab::from_text(text)),
            Tokenization::Bytes => Tokenizer::Bytes,
            Tokenization::Bpe { merges } => Tokenizer::Bpe(Bpe::train(text, merges)),
        }
    }

    /// Which kind of tokenizer this is.
    pub fn kind(&self) -> Tokenization {
        match self {
            Tokenizer::Chars(_) => Tokenization::Chars,
            Tokenizer::Bytes => Tokenization::Bytes,
            Tokenizer::Bpe(b) => Tokenization::Bpe {
                merges: b.merges.len(),
            },
        }
    }

    /// How many different tokens there are: the model's vocabulary size V.
    pub fn len(&self) -> usize {
        match self {
            Tokenizer::Chars(v) => v.len(),
            Tokenizer::Bytes => 256,
            Tokenizer::Bpe(b) => b.len(),
        }
    }

    /// `true` for a tokenizer with no tokens.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The token ids of `text`; a character the tokenizer has never seen is an error that
    /// names it (bytes know every text).
    pub fn encode(&self, text: &str) -> Result<Vec<usize>> {
        match self {
            Tokenizer::Chars(v) => v.encode(text),
            Tokenizer::Bytes => Ok(text.bytes().map(usize::from).collect()),
            Tokenizer::Bpe(b) => b.encode(text),
        }
    }

    /// The text of some token ids; bytes that are not valid UTF-8 become `�`.
    pub fn decode(&self, ids: &[usize]) -> String {
        match self {
            Tokenizer::Chars(v) => v.decode(ids),
            Tokenizer::Bytes => {
                let bytes: Vec<u8> = ids.iter().map(|&i| i.min(255) as u8).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            }
            Tokenizer::Bpe(b) => b.decode(ids),
        }
    }

    /// One token's text, for labels (a byte shows as `<e7>` unless it is ASCII).
    pub fn token(&self, id: usize) -> String {
        match self {
            Tokenizer::Bytes if id >= 128 => format!("<{id:02x}>"),
            _ => self.decode(&[id]),
        }
    }
}
