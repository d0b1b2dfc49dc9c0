//! Chapter 8's images: the handwritten digits (8 × 8 pixels, 1,797 images).
//!
//! The file is the UCI "Optical Recognition of Handwritten Digits" test set as scikit-learn
//! ships it (`sklearn/datasets/data/digits.csv.gz`, CC BY 4.0; see `data/README.md`): one
//! image per line, 64 pixel counts 0–16 (row by row) and then the digit's label 0–9, with no
//! header. The loader checks every line and says which one is wrong.

use std::path::Path;

use crate::error::{AigcError, Result};

/// The bundled digits file, embedded in the library.
pub const DIGITS_CSV: &str = include_str!("../../data/digits.csv");

/// Where [`DIGITS_CSV`] lives in the repository; used in messages.
pub const DIGITS_PATH: &str = "data/digits.csv";

/// Pixels per image (8 × 8).
pub const PIXELS: usize = 64;

/// The largest pixel count in the file (each pixel counts ink in a 4 × 4 block).
pub const MAX_PIXEL: u32 = 16;

/// Images with labels; pixels scaled to [−1, 1] (0 ↦ −1, 16 ↦ 1), row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Images {
    /// All pixels, image after image: `PIXELS` numbers per image.
    pub pixels: Vec<f32>,
    /// One label per image.
    pub labels: Vec<usize>,
}

impl Images {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// `true` when there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The pixels of image `i`.
    pub fn image(&self, i: usize) -> &[f32] {
        &self.pixels[i * PIXELS..(i + 1) * PIXELS]
    }

    /// Parses the digits format; `path` is only used in messages.
    ///
    /// ```
    /// use aigc::data::Images;
    /// let row = format!("{},3", vec!["16"; 64].join(","));
    /// let one = Images::parse("x.csv", &row).unwrap();
    /// assert_eq!((one.len(), one.labels[0], one.pixels[0]), (1, 3, 1.0));
    /// let err = Images::parse("x.csv", "1,2,3").unwrap_err().to_string();
    /// assert!(err.starts_with("x.csv:1:"), "{err}");
    /// ```
    pub fn parse(path: impl AsRef<Path>, text: &str) -> Result<Images> {
        let path = path.as_ref();
        let bad = |line: usize, message: String| AigcError::BadCsv {
            path: path.to_path_buf(),
            line: line as u64,
            message,
        };
        let mut images = Images {
            pixels: Vec::new(),
            labels: Vec::new(),
        };
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            if line.trim().is_empty() {
                continue;
            }
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            if cells.len() != PIXELS + 1 {
                return Err(bad(
                    n,
                    format!(
                        "expected {PIXELS} pixels and a label ({} cells), found {} cells",
                        PIXELS + 1,
                        cells.len()
                    ),
                ));
            }
            for (col, cell) in cells[..PIXELS].iter().enumerate() {
                match cell.parse::<u32>() {
                    Ok(v) if v <= MAX_PIXEL => images
                        .pixels
                        .push(v as f32 / (MAX_PIXEL as f32 / 2.0) - 1.0),
                    _ => {
                        return Err(bad(
                            n,
                            format!(
                                "pixel {} is {cell:?}; pixels are whole numbers from 0 to {MAX_PIXEL}",
                                col + 1
                            ),
                        ));
                    }
                }
            }
            match cells[PIXELS].parse::<usize>() {
                Ok(label) if label <= 9 => images.labels.push(label),
                _ => {
                    return Err(bad(
                        n,
                        format!("label is {:?}; labels are digits 0 to 9", cells[PIXELS]),
                    ));
                }
            }
        }
        if images.is_empty() {
            return Err(AigcError::BadCsv {
                path: path.to_path_buf(),
                line: 0,
                message: "no images in the file".into(),
            });
        }
        Ok(images)
    }

    /// Reads a digits file from disk.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Images> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| AigcError::io(path, e))?;
        Images::parse(path, &text)
    }
}

/// The bundled digits: 1,797 images of 8 × 8 pixels with labels.
///
/// ```
/// let d = aigc::data::digits().unwrap();
/// assert_eq!((d.len(), d.pixels.len()), (1797, 1797 * 64));
/// assert!(d.pixels.iter().all(|p| (-1.0..=1.0).contains(p)));
/// ```
pub fn digits() -> Result<Images> {
    Images::parse(DIGITS_PATH, DIGITS_CSV)
}
