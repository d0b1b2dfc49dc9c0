//! Data sets the chapters learn from, and the loaders that read them.
//!
//! The bundled data is embedded in the library, so every experiment runs with no files
//! around it; the loaders read the same format from any path a reader passes.

pub mod bpe;
pub mod corpus;
pub mod csv;
pub mod download;
pub mod images;
pub mod mixtures;
pub mod text;
pub mod tokenizer;

pub use self::csv::{Dataset, Table};
pub use self::images::{Images, digits};
pub use self::mixtures::Mixture;
pub use self::text::{Batch, TextData, Vocab, consecutive_batches, random_batch, read_text};
pub use self::tokenizer::{Tokenization, Tokenizer};

use crate::error::Result;

/// The red-wine quality data set (UCI, CC BY 4.0): 1,599 wines, 11 physico-chemical
/// measurements each, and a quality score from 0 to 10 given by tasters.
/// See `data/README.md` for source and licence.
pub const WINE_QUALITY_CSV: &str = include_str!("../../data/winequality-red.csv");

/// Where [`WINE_QUALITY_CSV`] lives in the repository; used in messages.
pub const WINE_QUALITY_PATH: &str = "data/winequality-red.csv";

/// The bundled red-wine data set, split into the 11 features and the `quality` target.
///
/// ```
/// let wine = aigc::data::wine_quality().unwrap();
/// assert_eq!((wine.len(), wine.n_features()), (1599, 11));
/// assert_eq!(wine.target_name, "quality");
/// ```
pub fn wine_quality() -> Result<Dataset> {
    wine_table()?.split_target("quality")
}

/// The bundled red-wine data as a table, before a target column is chosen.
///
/// ```
/// let err = aigc::data::wine_table().unwrap().split_target("price").unwrap_err();
/// assert!(err.to_string().contains("the header has: fixed acidity"));
/// ```
pub fn wine_table() -> Result<Table> {
    Table::from_reader(WINE_QUALITY_PATH, WINE_QUALITY_CSV.as_bytes())
}
