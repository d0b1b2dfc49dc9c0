//! Downloading public text for training (Tiny Shakespeare, Tang poems), never committed
//! to the repository.

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
    let text = fetch_text(url)?;
    crate::report::write_atomic(to, text.as_bytes())?;
    Ok(text.len())
}
// ANCHOR_END: download

/// The body of `url` as text; a failed request, an HTTP error status, an empty or
/// non-UTF-8 body are errors that name the URL and the reason.
fn fetch_text(url: &str) -> Result<String> {
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
    Ok(text)
}

/// Where the Tang poems live: the `全唐诗` folder of the chinese-poetry collection on
/// GitHub (MIT licence; the poems themselves are public domain), as files
/// `poet.tang.0.json`, `poet.tang.1000.json`, … of about 1,000 poems each.
pub const TANG_URL: &str = "https://raw.githubusercontent.com/chinese-poetry/chinese-poetry/master/%E5%85%A8%E5%94%90%E8%AF%97";

/// How many characters of poems the Tang corpus keeps (then the file being read ends).
pub const TANG_CHARS: usize = 1_000_000;

/// The most files the collection has (`poet.tang.0.json` … `poet.tang.57000.json`).
const TANG_FILES: usize = 58;

/// The poems of one file of the collection, one per line: each poem's `paragraphs` joined;
/// a poem with a lost (`□`) or annotated (`{`) character is left out.
///
/// ```
/// let json = r#"[{"paragraphs": ["床前明月光，", "疑是地上霜。"]}, {"paragraphs": ["□□"]}]"#;
/// let poems = aigc::data::download::tang_poems(json).unwrap();
/// assert_eq!(poems, vec!["床前明月光，疑是地上霜。".to_string()]);
/// ```
pub fn tang_poems(json: &str) -> Result<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct Poem {
        paragraphs: Vec<String>,
    }
    let poems: Vec<Poem> = serde_json::from_str(json)
        .map_err(|e| AigcError::BadText(format!("not a file of the collection: {e}")))?;
    Ok(poems
        .into_iter()
        .map(|p| p.paragraphs.concat())
        .filter(|p| !p.is_empty() && !p.contains('□') && !p.contains('{'))
        .collect())
}

/// Traditional characters turned into simplified ones (貓 → 猫, 東 → 东), with the
/// OpenCC tables of the `fast2s` crate.
///
/// ```
/// assert_eq!(aigc::data::download::simplified("貓在東邊"), "猫在东边");
/// ```
pub fn simplified(text: &str) -> String {
    fast2s::convert(text)
}

/// What [`download_tang`] fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TangCorpus {
    /// Files read.
    pub files: usize,
    /// Poems kept (one per line).
    pub poems: usize,
    /// Characters written, line breaks included.
    pub chars: usize,
}

/// Downloads files of the Tang poems from `base` (normally [`TANG_URL`]) until at least
/// `chars` characters of poems are read, and writes them to `to`, one poem per line;
/// with `simplify`, in simplified characters.
// ANCHOR: download_tang
pub fn download_tang(base: &str, to: &Path, chars: usize, simplify: bool) -> Result<TangCorpus> {
    let mut text = String::new();
    let (mut files, mut poems, mut count) = (0, 0, 0);
    while count < chars && files < TANG_FILES {
        let url = format!("{base}/poet.tang.{}.json", files * 1000);
        for poem in tang_poems(&fetch_text(&url)?)? {
            count += poem.chars().count() + 1;
            text += &poem;
            text.push('\n');
            poems += 1;
        }
        files += 1;
    }
    let text = if simplify { simplified(&text) } else { text };
    crate::report::write_atomic(to, text.as_bytes())?;
    Ok(TangCorpus {
        files,
        poems,
        chars: text.chars().count(),
    })
}
// ANCHOR_END: download_tang
