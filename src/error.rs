//! One error type for the whole crate.
//!
//! Every way a reader's input can be wrong has its own variant with a message that says
//! what was wrong, where, and what to do about it. The CLI prints these messages and exits
//! with a non-zero status; nothing in the library panics on bad input.

use std::path::PathBuf;

/// Everything that can go wrong when loading data or running a chapter's experiment.
#[derive(Debug, thiserror::Error)]
pub enum AigcError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },

    /// A CSV file has no header line or no data rows.
    #[error("{path}: the file is empty (expected a header line and at least one data row)")]
    EmptyCsv {
        /// The file involved.
        path: PathBuf,
    },

    /// A CSV row has a different number of cells than the header.
    #[error(
        "{path}:{line}: row has {found} cells but the header has {expected} (a missing or extra comma?)"
    )]
    RaggedRow {
        /// The file involved.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// Number of header columns.
        expected: usize,
        /// Number of cells in this row.
        found: usize,
    },

    /// A CSV cell is not a number.
    #[error("{path}:{line}:{column}: cell {value:?} in column {name:?} is not a number")]
    NotANumber {
        /// The file involved.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// 1-based column number.
        column: usize,
        /// The column's header.
        name: String,
        /// The offending text.
        value: String,
    },

    /// The CSV could not be parsed at all (for example invalid UTF-8).
    #[error("{path}:{line}: {message}")]
    BadCsv {
        /// The file involved.
        path: PathBuf,
        /// 1-based line number (0 when unknown).
        line: u64,
        /// What the CSV reader said.
        message: String,
    },

    /// The requested target column is not in the header.
    #[error("{path}: no column named {target:?}; the header has: {available}")]
    MissingColumn {
        /// The file involved.
        path: PathBuf,
        /// The column that was asked for.
        target: String,
        /// The columns that exist, comma-separated.
        available: String,
    },

    /// The data has a shape the model was not built for.
    #[error("{0}")]
    Shape(String),

    /// A hyper-parameter is outside its valid range.
    #[error("invalid {name}: {message}")]
    InvalidHyperParameter {
        /// The parameter's name as the CLI spells it.
        name: &'static str,
        /// What is wrong and what is allowed.
        message: String,
    },

    /// The loss became NaN or infinite: training diverged.
    #[error(
        "training diverged at step {step}: the loss became {} with learning rate {}. {hint}",
        crate::numbers::short(*.loss),
        crate::numbers::short(*.lr)
    )]
    Diverged {
        /// The step (or epoch) at which the loss stopped being finite.
        step: usize,
        /// The non-finite value, printed as `NaN` or `inf`.
        loss: f64,
        /// The learning rate of the run.
        lr: f64,
        /// What to try instead.
        hint: String,
    },

    /// A text (corpus) cannot be used: empty, not UTF-8, or too short.
    #[error("{0}")]
    BadText(String),

    /// Characters that are not in a model's vocabulary.
    #[error("unknown characters: {0}")]
    UnknownCharacters(String),

    /// A checkpoint cannot be used: missing, corrupt, or for another model.
    #[error("{0}")]
    Checkpoint(String),

    /// A device was asked for that this build or this machine does not have.
    #[error("{0}")]
    Device(String),
}

/// The crate's `Result`, with [`AigcError`] as the error.
pub type Result<T, E = AigcError> = std::result::Result<T, E>;

impl AigcError {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        AigcError::Io {
            path: path.into(),
            source,
        }
    }
}
