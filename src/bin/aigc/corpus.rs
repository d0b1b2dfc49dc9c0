//! `aigc lstm download`, `simplify` and `tokenizers`: the texts chapter 6 trains on, and
//! what reading them as characters, bytes or subwords does.

use std::path::PathBuf;
use std::time::Instant;

use aigc::train::Finish;
use clap::Args;

use super::{Ctx, Interrupted, at_least_one, heading, say};

/// A public text `aigc lstm download` can fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Download {
    /// Tiny Shakespeare, char-rnn's text (public-domain plays).
    Shakespeare,
    /// Tang poems from the chinese-poetry collection (public domain), one per line.
    Tang,
}

#[derive(Debug, Args)]
pub(crate) struct DownloadArgs {
    /// Which text.
    #[arg(long, value_enum, default_value_t = Download::Shakespeare)]
    corpus: Download,
    /// Where to fetch it from [default: its public address].
    #[arg(long)]
    url: Option<String>,
    /// Where to save it [default: data/downloads/<corpus>.txt; that folder is ignored by
    /// git: never commit downloads].
    #[arg(long)]
    to: Option<PathBuf>,
    /// Tang poems: how many characters of poems to keep.
    #[arg(long, default_value_t = aigc::data::download::TANG_CHARS)]
    chars: usize,
    /// Tang poems: keep the collection's traditional characters.
    #[arg(long)]
    traditional: bool,
}

#[derive(Debug, Args)]
pub(crate) struct TokenizersArgs {
    /// An English text [default: the English lines of the bundled corpus].
    #[arg(long)]
    english: Option<PathBuf>,
    /// A Chinese text [default: the Chinese lines of the bundled corpus].
    #[arg(long)]
    chinese: Option<PathBuf>,
    /// Training steps of every run.
    #[arg(long, default_value_t = aigc::lstm::TokenizersConfig::default().lstm.steps, value_parser = at_least_one)]
    steps: usize,
    /// Merges of the BPE tokenizer.
    #[arg(long, default_value_t = aigc::lstm::TokenizersConfig::default().merges)]
    merges: usize,
}

impl std::fmt::Display for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if *self == Download::Tang {
            "tang"
        } else {
            "shakespeare"
        })
    }
}

pub(super) fn download(args: &DownloadArgs) -> anyhow::Result<()> {
    use aigc::data::download::{TANG_URL, TINY_SHAKESPEARE_URL, download_tang, download_text};
    let to = args
        .to
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("data/downloads/{}.txt", args.corpus)));
    match args.corpus {
        Download::Shakespeare => {
            let url = args.url.as_deref().unwrap_or(TINY_SHAKESPEARE_URL);
            say!("downloading {url} …");
            let n = download_text(url, &to)?;
            say!("saved {n} bytes to {}", to.display());
        }
        Download::Tang => {
            let url = args.url.as_deref().unwrap_or(TANG_URL);
            say!("downloading Tang poems from {url} …");
            let c = download_tang(url, &to, args.chars, !args.traditional)?;
            say!(
                "saved {} poems ({} characters, from {} files{}) to {}",
                c.poems,
                c.chars,
                c.files,
                if args.traditional {
                    ""
                } else {
                    ", in simplified characters"
                },
                to.display()
            );
        }
    }
    say!("train on it with `aigc lstm train --text {}`", to.display());
    Ok(())
}

pub(super) fn tokenizers(ctx: &Ctx, args: &TokenizersArgs) -> anyhow::Result<()> {
    heading("Chapter 6: characters, bytes or subwords")?;
    let start = Instant::now();
    let bundled = aigc::data::corpus::ANIMALS;
    let en: String = bundled
        .lines()
        .filter(|l| l.is_ascii())
        .map(|l| format!("{l}\n"))
        .collect();
    let zh: String = bundled
        .lines()
        .filter(|l| !l.is_ascii())
        .map(|l| format!("{l}\n"))
        .collect();
    let read =
        |p: &Option<PathBuf>, fallback: String, what: &str| -> aigc::Result<(String, String)> {
            Ok(match p {
                Some(p) => (
                    aigc::data::read_text(p)?,
                    format!("{what}: {}", p.display()),
                ),
                None => (fallback, format!("{what}: bundled corpus")),
            })
        };
    let (en, en_name) = read(&args.english, en, "English")?;
    let (zh, zh_name) = read(&args.chinese, zh, "Chinese")?;
    let cfg = aigc::lstm::TokenizersConfig {
        lstm: aigc::lstm::LstmConfig {
            steps: args.steps,
            eval_every: (args.steps / 3).max(1),
            ..aigc::lstm::TokenizersConfig::default().lstm
        },
        merges: args.merges,
    };
    let corpora = [
        aigc::lstm::Corpus {
            name: &en_name,
            text: &en,
        },
        aigc::lstm::Corpus {
            name: &zh_name,
            text: &zh,
        },
    ];
    say!("{} runs of {} steps each", 6, cfg.lstm.steps);
    let report = aigc::on_device!(ctx.device, 0, |dev| {
        aigc::lstm::compare_tokenizers(&dev, &corpora, &cfg, ctx.stop())?
    });
    if report.finish == Finish::Interrupted {
        say!(
            "\ninterrupted after {} runs; nothing was written",
            report.rows.len()
        );
        return Err(Interrupted.into());
    }
    super::report(ctx, "lstm", &report, start)
}
