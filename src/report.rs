//! Where experiments put their results: figures, a JSON of numbers, and Markdown tables.
//!
//! Every chapter ends the same way: its run returns an *outcome* (what happened), from
//! which a [`Report`] is built; the report prints a Markdown [`summary`](Report::summary)
//! and [`write`](Report::write)s its files into an [`OutputDir`]. Every file is written
//! atomically (to a temporary file in the same folder, then renamed), so an interrupted
//! run never leaves a half-written figure or JSON behind.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{AigcError, Result};
use crate::plot::Chart;

/// Writes `bytes` to `path` through a temporary file and a rename.
///
/// ```
/// let dir = std::env::temp_dir().join("aigc-doc-write-atomic");
/// aigc::report::write_atomic(&dir.join("x.txt"), b"hello").unwrap();
/// assert_eq!(std::fs::read(dir.join("x.txt")).unwrap(), b"hello");
/// ```
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).map_err(|e| AigcError::io(dir, e))?;
    }
    let name = path
        .file_name()
        .map_or("out".into(), |n| n.to_string_lossy());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let mut file = std::fs::File::create(&tmp).map_err(|e| AigcError::io(&tmp, e))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(|e| AigcError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| AigcError::io(path, e))
}

/// A folder an experiment writes into; it remembers what was written, for the summary.
#[derive(Debug, Clone)]
pub struct OutputDir {
    /// The folder.
    pub path: PathBuf,
    /// Files written so far, in order.
    pub written: Vec<PathBuf>,
}

impl OutputDir {
    /// Creates the folder (and its parents) if needed.
    pub fn create(path: impl Into<PathBuf>) -> Result<Self> {
        let path = path.into();
        std::fs::create_dir_all(&path).map_err(|e| AigcError::io(&path, e))?;
        Ok(OutputDir {
            path,
            written: Vec::new(),
        })
    }

    /// Writes `value` as pretty-printed JSON to `name`.
    pub fn json<T: Serialize>(&mut self, name: &str, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| AigcError::Shape(format!("cannot serialise {name}: {e}")))?;
        self.bytes(name, (text + "\n").as_bytes())
    }

    /// Writes a chart as SVG to `name`.
    pub fn svg(&mut self, name: &str, chart: &Chart) -> Result<()> {
        self.bytes(name, chart.to_svg()?.as_bytes())
    }

    /// Writes text to `name`.
    pub fn text(&mut self, name: &str, text: &str) -> Result<()> {
        self.bytes(name, text.as_bytes())
    }

    /// Writes raw bytes (a PNG, a GIF) to `name`.
    pub fn bytes(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path.join(name);
        write_atomic(&path, bytes)?;
        self.written.push(path);
        Ok(())
    }
}

/// What every chapter's report does: print a summary, write its files.
pub trait Report {
    /// The results as Markdown: tables a terminal and the book both show.
    fn summary(&self) -> String;
    /// Writes the report's JSON, Markdown and figures into `out`.
    fn write(&self, out: &mut OutputDir) -> Result<()>;
}

/// A small table that prints as Markdown: readable in a terminal and in the book.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MarkdownTable {
    /// Column titles.
    pub headers: Vec<String>,
    /// Rows of cells, already formatted.
    pub rows: Vec<Vec<String>>,
}

impl MarkdownTable {
    /// A table with these column titles and no rows.
    pub fn new(headers: &[&str]) -> Self {
        MarkdownTable {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as GitHub-flavoured Markdown.
    ///
    /// ```
    /// let mut t = aigc::report::MarkdownTable::new(&["a", "b"]);
    /// t.row(vec!["1".into(), "2".into()]);
    /// assert_eq!(t.to_markdown(), "| a | b |\n|---|---|\n| 1 | 2 |\n");
    /// ```
    pub fn to_markdown(&self) -> String {
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        let mut out = line(&self.headers);
        out += &format!("|{}|\n", vec!["---"; self.headers.len()].join("|"));
        for r in &self.rows {
            out += &line(r);
        }
        out
    }
}
