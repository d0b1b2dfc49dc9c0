//! A typed CSV loader whose errors name the file, the line and the column.
//!
//! Real data is messy: a row with a missing comma, a cell that says `n/a`, a file that is
//! empty. The loader reads every cell as an `f64` and turns each of those cases into an
//! [`AigcError`] that points at the exact place, so a reader can open the file and fix it.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{AigcError, Result};

/// A numeric table: a header of column names and rows of `f64` cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Where the table came from (a path, or a name for embedded data).
    pub source: PathBuf,
    /// The header, one name per column.
    pub columns: Vec<String>,
    /// The data rows; every row has `columns.len()` cells.
    pub rows: Vec<Vec<f64>>,
}

/// Features and a target, split out of a [`Table`]: the input of a regression.
///
/// `x` is stored row-major: row `i` is `x[i * n_features .. (i + 1) * n_features]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Names of the feature columns, in order.
    pub feature_names: Vec<String>,
    /// Name of the target column.
    pub target_name: String,
    /// Feature values, row-major, `len() * n_features()` of them.
    pub x: Vec<f64>,
    /// Target values, one per row.
    pub y: Vec<f64>,
}

impl Table {
    /// Reads a CSV file with a header line; every data cell must be a number.
    ///
    /// ```
    /// # fn main() -> aigc::Result<()> {
    /// let table = aigc::data::Table::from_path("data/winequality-red.csv")?;
    /// assert_eq!(table.rows.len(), 1599);
    /// assert_eq!(table.columns.last().map(String::as_str), Some("quality"));
    /// # Ok(()) }
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<Table> {
        let path = path.as_ref();
        let file = std::fs::File::open(path).map_err(|e| AigcError::io(path, e))?;
        Table::from_reader(path, file)
    }

    /// Reads CSV text from any reader; `source` names it in error messages.
    // ANCHOR: read_csv
    pub fn from_reader(source: impl Into<PathBuf>, reader: impl Read) -> Result<Table> {
        let source = source.into();
        // `flexible` lets us see ragged rows and report them ourselves, with the line number.
        let mut records = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(reader)
            .into_records();

        let columns: Vec<String> = match records.next() {
            Some(header) => header
                .map_err(|e| csv_error(&source, e))?
                .iter()
                .map(|name| name.trim().to_string())
                .collect(),
            None => return Err(AigcError::EmptyCsv { path: source }),
        };

        let mut rows = Vec::new();
        for record in records {
            let record = record.map_err(|e| csv_error(&source, e))?;
            let line = record.position().map_or(0, |p| p.line());
            if record.len() != columns.len() {
                return Err(AigcError::RaggedRow {
                    path: source,
                    line,
                    expected: columns.len(),
                    found: record.len(),
                });
            }
            let row = record
                .iter()
                .enumerate()
                .map(|(col, cell)| parse_cell(cell, &source, line, col, &columns))
                .collect::<Result<Vec<f64>>>()?;
            rows.push(row);
        }
        if rows.is_empty() {
            return Err(AigcError::EmptyCsv { path: source });
        }
        Ok(Table {
            source,
            columns,
            rows,
        })
    }
    // ANCHOR_END: read_csv

    /// Splits the table into features (every other column) and the `target` column.
    ///
    /// ```
    /// # fn main() -> aigc::Result<()> {
    /// let table = aigc::data::Table::from_path("data/winequality-red.csv")?;
    /// let data = table.split_target("quality")?;
    /// assert_eq!(data.n_features(), 11);
    /// assert!(table.split_target("price").is_err());
    /// # Ok(()) }
    /// ```
    pub fn split_target(&self, target: &str) -> Result<Dataset> {
        let t = self
            .columns
            .iter()
            .position(|c| c == target)
            .ok_or_else(|| AigcError::MissingColumn {
                path: self.source.clone(),
                target: target.to_string(),
                available: self.columns.join(", "),
            })?;
        if self.columns.len() < 2 {
            return Err(AigcError::Shape(format!(
                "{}: the table has only the target column {target:?}; a regression needs at least one feature",
                self.source.display()
            )));
        }
        let feature_names = self
            .columns
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != t)
            .map(|(_, c)| c.clone())
            .collect();
        let mut x = Vec::with_capacity(self.rows.len() * (self.columns.len() - 1));
        let mut y = Vec::with_capacity(self.rows.len());
        for row in &self.rows {
            for (i, &v) in row.iter().enumerate() {
                if i == t {
                    y.push(v);
                } else {
                    x.push(v);
                }
            }
        }
        Ok(Dataset {
            feature_names,
            target_name: target.to_string(),
            x,
            y,
        })
    }
}

fn parse_cell(cell: &str, source: &Path, line: u64, col: usize, columns: &[String]) -> Result<f64> {
    let text = cell.trim();
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(AigcError::NotANumber {
            path: source.to_path_buf(),
            line,
            column: col + 1,
            name: columns[col].clone(),
            value: cell.to_string(),
        }),
    }
}

fn csv_error(source: &Path, e: csv::Error) -> AigcError {
    let line = e.position().map_or(0, |p| p.line());
    AigcError::BadCsv {
        path: source.to_path_buf(),
        line,
        message: e.to_string(),
    }
}

impl Dataset {
    /// Number of rows (examples).
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// `true` when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Number of feature columns.
    pub fn n_features(&self) -> usize {
        self.feature_names.len()
    }

    /// The features of row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        let d = self.n_features();
        &self.x[i * d..(i + 1) * d]
    }

    /// A new data set holding the given rows, in the given order (a mini-batch).
    ///
    /// ```
    /// let wine = aigc::data::wine_quality().unwrap();
    /// let batch = wine.select(&[2, 0]);
    /// assert_eq!(batch.row(1), wine.row(0));
    /// ```
    pub fn select(&self, rows: &[usize]) -> Dataset {
        Dataset {
            feature_names: self.feature_names.clone(),
            target_name: self.target_name.clone(),
            x: rows
                .iter()
                .flat_map(|&i| self.row(i).iter().copied())
                .collect(),
            y: rows.iter().map(|&i| self.y[i]).collect(),
        }
    }

    /// Rescales every feature to mean 0 and standard deviation 1.
    ///
    /// Features measured in different units (grams per litre next to a pH) make the loss
    /// surface a long, narrow valley; standardising makes it rounder, so one learning rate
    /// suits every weight. Constant columns are left centred but not scaled.
    ///
    /// ```
    /// let data = aigc::data::wine_quality().unwrap().standardized();
    /// let mean0: f64 = (0..data.len()).map(|i| data.row(i)[0]).sum::<f64>() / data.len() as f64;
    /// assert!(mean0.abs() < 1e-12);
    /// ```
    pub fn standardized(&self) -> Dataset {
        let (n, d) = (self.len(), self.n_features());
        let mut out = self.clone();
        for j in 0..d {
            let mean = (0..n).map(|i| self.x[i * d + j]).sum::<f64>() / n as f64;
            let var = (0..n)
                .map(|i| (self.x[i * d + j] - mean).powi(2))
                .sum::<f64>()
                / n as f64;
            let std = if var > 0.0 { var.sqrt() } else { 1.0 };
            for i in 0..n {
                out.x[i * d + j] = (self.x[i * d + j] - mean) / std;
            }
        }
        out
    }
}
