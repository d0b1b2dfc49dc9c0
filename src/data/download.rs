//! Downloading public text for training (Tiny Shakespeare), never committed to the repository.

use std::io::Read;
use std::path::Path;

use crate::error::{AigcError, Result};

/// Where Tiny Shakespeare lives: Andrej Karpathy's char-rnn repository (public-domain plays).
pub const TINY_SHAKESPEARE_URL: &str =
    "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt";

/// The largest download accepted, so a wrong URL cannot fill the disk.
pub const MAX_BYTES: u64 = 50 * 1024 * 1024;

/// Downloads a UTF-8 text from `url` (http or https) to `to`, atomically; returns its size.
///
/// A failed request, an HTTP error status, an empty or non-UTF-8 body are errors that say so.
// ANCHOR: download
pub fn download_text(url: &str, to: &Path) -> Result<usize> {
    let fail = |why: String| AigcError::BadText(format!("download of {url} failed: {why}"));
    let response = ureq::get(url)
        .timeout(std::time::Duration::from_secs(60))
        .call()
        .map_err(|e| fail(e.to_string()))?;
    let mut body = Vec::new();
    response
        .into_reader()
        .take(MAX_BYTES + 1)
        .read_to_end(&mut body)
        .map_err(|e| fail(e.to_string()))?;
    if body.len() as u64 > MAX_BYTES {
        return Err(fail(format!("larger than {MAX_BYTES} bytes")));
    }
    let text = String::from_utf8(body).map_err(|_| fail("the body is not UTF-8 text".into()))?;
    if text.trim().is_empty() {
        return Err(fail("the body is empty".into()));
    }
    crate::report::write_atomic(to, text.as_bytes())?;
    Ok(text.len())
}
// ANCHOR_END: download
