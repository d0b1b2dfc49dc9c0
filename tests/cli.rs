//! The `aigc` binary: every command runs with no arguments and says what it wrote where,
//! bad input ends with a clear message and a non-zero exit (never a panic), and Ctrl-C
//! stops a run (or the tour) after saving a checkpoint that resumes.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aigc::gpt::Gpt;
use aigc::lm::{TextModel, TextRecord};
use aigc::lstm::Lstm;
use common::{aigc, assert_files, serve_once, stderr, stdout};

/// The `wrote N files to DIR/ in S s:` blocks of a command's stdout: each directory with
/// the files listed under it. Checks that each block lists as many files as it says.
fn wrote_blocks(text: &str) -> Vec<(PathBuf, Vec<PathBuf>)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix("wrote ") else {
            continue;
        };
        let Some((n, rest)) = rest.split_once(" files to ") else {
            continue;
        };
        let n: usize = n.parse().unwrap_or_else(|_| panic!("a count in {line:?}"));
        let (dir, _) = rest
            .rsplit_once("/ in ")
            .unwrap_or_else(|| panic!("a directory and a time in {line:?}"));
        let files: Vec<PathBuf> = lines[i + 1..]
            .iter()
            .take_while(|l| l.starts_with("  "))
            .map(|l| PathBuf::from(l.trim()))
            .collect();
        assert_eq!(files.len(), n, "{line:?} lists {} files", files.len());
        blocks.push((PathBuf::from(dir), files));
    }
    blocks
}

/// Asserts that `text` says it wrote its outputs to `dir`, that it wrote at least
/// `at_least` files, and that every file it lists exists; returns the files.
fn assert_wrote(text: &str, dir: &Path, at_least: usize) -> Vec<PathBuf> {
    let blocks = wrote_blocks(text);
    let (_, files) = blocks
        .into_iter()
        .find(|(d, _)| d == dir)
        .unwrap_or_else(|| panic!("no \"wrote N files to {}/\" in:\n{text}", dir.display()));
    assert!(
        files.len() >= at_least,
        "{} files to {}",
        files.len(),
        dir.display()
    );
    for f in &files {
        assert!(f.is_file(), "{} is listed but missing", f.display());
    }
    files
}

/// A command's `--help` (run without `--out`, as a reader would).
fn help(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_aigc"))
        .args(args)
        .arg("--help")
        .output()
        .expect("the aigc binary runs");
    assert!(o.status.success(), "{args:?} --help: {}", stderr(&o));
    stdout(&o)
}

/// The subcommands a help text lists under `Commands:` (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

/// A running `aigc`, its stdout read line by line; stderr is collected on a thread so
/// that it never fills its pipe; a watchdog kills it if it hangs.
struct Running {
    child: Child,
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
    seen: String,
    stderr: Option<std::thread::JoinHandle<String>>,
    done: Arc<AtomicBool>,
}

impl Running {
    fn spawn(out: &Path, args: &[&str], limit: Duration) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aigc"))
            .args(args)
            .arg("--out")
            .arg(out)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the aigc binary starts");
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut err = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        });
        let done = Arc::new(AtomicBool::new(false));
        let (pid, flag) = (child.id().to_string(), done.clone());
        std::thread::spawn(move || {
            let start = Instant::now();
            while start.elapsed() < limit {
                if flag.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            if !flag.load(Ordering::SeqCst) {
                let _ = Command::new("kill").args(["-KILL", &pid]).status();
            }
        });
        Running {
            child,
            lines,
            seen: String::new(),
            stderr: Some(stderr),
            done,
        }
    }

    /// Reads stdout until a line contains `needle`; false if stdout ended first.
    fn read_until(&mut self, needle: &str) -> bool {
        for line in self.lines.by_ref() {
            let line = line.expect("stdout is UTF-8");
            self.seen.push_str(&line);
            self.seen.push('\n');
            if line.contains(needle) {
                return true;
            }
        }
        false
    }

    /// Sends SIGINT, as Ctrl-C in a terminal does.
    fn interrupt(&self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -INT failed");
    }

    /// Waits for the process to exit by itself: its exit code, all its stdout and stderr.
    fn wait(mut self) -> (Option<i32>, String, String) {
        while self.read_until("\u{0}never printed") {}
        let status = self.child.wait().unwrap();
        self.done.store(true, Ordering::SeqCst);
        let err = self.stderr.take().unwrap().join().unwrap();
        (status.code(), std::mem::take(&mut self.seen), err)
    }
}

impl Drop for Running {
    /// A test that failed half-way does not leave its `aigc` running.
    fn drop(&mut self) {
        if !self.done.swap(true, Ordering::SeqCst) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The number in "interrupted at step N:".
fn interrupted_step(text: &str) -> usize {
    let (_, rest) = text
        .split_once("interrupted at step ")
        .unwrap_or_else(|| panic!("no \"interrupted at step\" in:\n{text}"));
    rest.split(':').next().unwrap().parse().unwrap()
}

/// The first 3,000-odd characters of the bundled corpus (whole lines), written to `dir`:
/// the text models train and evaluate on it in a fraction of the bundled corpus's time,
/// and its vocabulary has the characters of the prompts below.
fn small_text(dir: &Path) -> PathBuf {
    let text = aigc::data::corpus::ANIMALS;
    let end = text[..3000].rfind('\n').unwrap() + 1;
    let path = dir.join("small.txt");
    std::fs::write(&path, &text[..end]).unwrap();
    path
}

fn json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

// ---------------------------------------------------------------------------------------
// The tour

#[test]
fn the_quick_tour_runs_every_chapter_and_writes_every_file() {
    // `aigc` alone runs the same tour with the full training; this is the only test that
    // runs the whole tour to its end (it takes most of a minute in a debug build).
    let tmp = tempfile::tempdir().unwrap();
    let o = aigc(tmp.path(), &["tour", "--quick"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for heading in [
        "Chapter 3",
        "Chapter 4",
        "Chapter 5: gradient descent",
        "Chapter 5: an MLP",
        "Chapter 6: a character-level LSTM",
        "Chapter 7: a character-level GPT",
        "Chapter 8: a GAN on the ring",
        "Chapter 8: a GAN on handwritten digits",
    ] {
        assert!(text.contains(heading), "missing {heading} in:\n{text}");
    }
    assert!(text.contains("Tour finished"), "{text}");
    assert!(!text.contains("NaN"), "no NaN in any table:\n{text}");
    let folder = |sub: &str| tmp.path().join(sub);
    assert_files(&folder("tensors"), &["tensors.json", "tensors.md"]);
    assert_files(
        &folder("mse"),
        &[
            "mse.json",
            "mse.md",
            "mse-curve.svg",
            "activations.svg",
            "mse-vs-nll.svg",
        ],
    );
    assert_files(
        &folder("regression"),
        &[
            "regression.json",
            "regression.md",
            "gd-loss.svg",
            "lr-sweep.svg",
            "optimisers.svg",
        ],
    );
    assert_files(
        &folder("mlp"),
        &["mlp.json", "mlp.md", "mlp-fit.svg", "mlp-loss.svg"],
    );
    assert_files(
        &folder("lstm"),
        &["lstm.json", "lstm.md", "lstm-loss.svg", "lstm.ckpt"],
    );
    assert_files(
        &folder("gpt"),
        &[
            "gpt.json",
            "gpt.md",
            "gpt-loss.svg",
            "gpt-attention.svg",
            "gpt.ckpt",
        ],
    );
    assert_files(
        &folder("gan"),
        &[
            "ring.json",
            "ring.gif",
            "ring.ckpt",
            "digits.json",
            "digits.png",
            "digits.ckpt",
        ],
    );
    // Every chapter says where its files went, and lists only files that exist.
    for sub in ["tensors", "mse", "regression", "mlp", "lstm", "gpt"] {
        assert_wrote(&text, &folder(sub), 2);
    }
    let gan = wrote_blocks(&text)
        .into_iter()
        .filter(|(d, _)| d == &folder("gan"))
        .count();
    assert_eq!(
        gan, 2,
        "the ring and the digits each say where they wrote:\n{text}"
    );
    // No temporary files are left behind by the atomic writes.
    for sub in ["tensors", "mse", "regression", "mlp", "lstm", "gpt", "gan"] {
        for entry in std::fs::read_dir(folder(sub)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(!name.ends_with(".tmp"), "leftover {sub}/{name}");
        }
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_the_tours_second_model_saves_it_and_stops_the_tour() {
    let tmp = tempfile::tempdir().unwrap();
    let mut run = Running::spawn(tmp.path(), &["tour", "--quick"], Duration::from_secs(300));
    // The LSTM is the tour's first model, the GPT its second: interrupt the GPT.
    let reached = run.read_until("Chapter 7: a character-level GPT");
    assert!(reached, "the tour never reached the GPT:\n{}", run.seen);
    run.interrupt();
    let (code, text, err) = run.wait();
    assert_eq!(code, Some(130), "exit status after Ctrl-C\n{text}\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    let step = interrupted_step(&text);
    assert!(
        step < 30,
        "the GPT's quick run is 30 steps; stopped at {step}"
    );
    assert!(text.contains("aigc gpt train --resume"), "{text}");
    assert!(
        !text.contains("Chapter 8"),
        "the tour went on after Ctrl-C:\n{text}"
    );
    assert!(!text.contains("Tour finished"), "{text}");
    // The first model finished; the second saved its checkpoint and no report.
    assert!(tmp.path().join("lstm/lstm.json").is_file());
    assert!(
        !tmp.path().join("gpt/gpt.json").exists(),
        "an interrupted run has no report"
    );
    assert!(!tmp.path().join("gan").exists(), "no GAN was started");
    let ckpt = tmp.path().join("gpt/gpt.ckpt");
    let saved = aigc::checkpoint::open::<TextRecord<Gpt>>(&ckpt, Gpt::NAME)
        .unwrap_or_else(|e| panic!("{}: {e}", ckpt.display()));
    assert_eq!(
        saved.run.log.step, step,
        "the checkpoint is the step it reported"
    );
    assert_eq!(saved.run.config.steps, 30, "the quick tour's GPT settings");
}

// ---------------------------------------------------------------------------------------
// Chapters 3–5

#[test]
fn regression_prints_the_table_and_says_where_the_files_went() {
    let tmp = tempfile::tempdir().unwrap();
    let o = aigc(tmp.path(), &["regression"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("| closed-form MSE | 0.41677 |"), "{text}");
    assert!(text.contains("diverged at epoch"), "{text}");
    assert_wrote(&text, &tmp.path().join("regression"), 5);
    let json = json(&tmp.path().join("regression/regression.json"));
    assert!(json["gd_gap_percent"].as_f64().unwrap() < 0.1);
}

#[test]
fn each_subcommand_runs_alone_and_says_where_its_files_went() {
    for cmd in ["tensors", "mse", "mlp"] {
        let tmp = tempfile::tempdir().unwrap();
        let o = aigc(tmp.path(), &[cmd]);
        assert!(o.status.success(), "{cmd}: {}", stderr(&o));
        let files = assert_wrote(&stdout(&o), &tmp.path().join(cmd), 2);
        let json = tmp.path().join(cmd).join(format!("{cmd}.json"));
        assert!(files.contains(&json), "{cmd}: {files:?}");
        // It lists every file it wrote.
        let on_disk = std::fs::read_dir(tmp.path().join(cmd)).unwrap().count();
        assert_eq!(on_disk, files.len(), "{cmd}: {files:?}");
    }
}

#[test]
fn invalid_learning_rate_and_epochs_are_rejected_by_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    for (args, expected) in [
        (
            vec!["regression", "--lr", "0"],
            "must be a positive number, got 0",
        ),
        (
            vec!["regression", "--lr", "-1"],
            "must be a positive number, got -1",
        ),
        (
            vec!["regression", "--lr", "fast"],
            "\"fast\" is not a number",
        ),
        (
            vec!["regression", "--epochs", "0"],
            "must be at least 1, got 0",
        ),
        (vec!["mlp", "--steps", "0"], "must be at least 1, got 0"),
        (vec!["mlp", "--lr", "inf"], "must be a positive number"),
    ] {
        let o = aigc(tmp.path(), &args);
        assert!(!o.status.success(), "{args:?} should fail");
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn diverging_learning_rate_stops_with_a_message_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let o = aigc(tmp.path(), &["regression", "--lr", "3"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.starts_with("error: training diverged at step"), "{err}");
    assert!(err.contains("with learning rate 3."), "{err}");
    assert!(err.contains("try --lr"), "{err}");
    assert!(!stdout(&o).contains("NaN"), "no NaN table printed");
    assert!(
        !tmp.path().join("regression/regression.json").exists(),
        "no results written"
    );
}

#[test]
fn malformed_csv_reports_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("bad.csv");
    let run = |body: &str| {
        std::fs::write(&csv, body).unwrap();
        let o = aigc(tmp.path(), &["regression", "--data", csv.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{body:?}");
        stderr(&o)
    };
    let err = run("a,b,quality\n1,2,5\n3,oops,6\n");
    let expected = format!(
        "error: {}:3:2: cell \"oops\" in column \"b\" is not a number",
        csv.display()
    );
    assert!(err.contains(&expected), "{err}");
    let err = run("a,b,quality\n1,2,5\n3,6\n");
    assert!(
        err.contains("bad.csv:3: row has 2 cells but the header has 3"),
        "{err}"
    );
    let err = run("");
    assert!(err.contains("the file is empty"), "{err}");
    let err = run("a,b,score\n1,2,5\n");
    assert!(
        err.contains("no column named \"quality\"; the header has: a, b, score"),
        "{err}"
    );
}

#[test]
fn an_unknown_target_on_the_bundled_data_lists_the_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let o = aigc(tmp.path(), &["regression", "--target", "nosuchcol"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("no column named \"nosuchcol\""), "{err}");
    assert!(
        err.contains("the header has: fixed acidity, volatile acidity"),
        "{err}"
    );
    assert!(err.contains("alcohol, quality"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!tmp.path().join("regression").exists(), "nothing written");
}

#[test]
fn another_csv_with_another_width_still_runs_the_hand_written_parts() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("line.csv");
    let rows: String = (0..50).map(|i| format!("{i},{}\n", 2 * i + 1)).collect();
    std::fs::write(&csv, format!("x,y\n{rows}")).unwrap();
    let o = aigc(
        tmp.path(),
        &[
            "regression",
            "--data",
            csv.to_str().unwrap(),
            "--target",
            "y",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("50 × 1"), "{}", stdout(&o));
    assert_wrote(&stdout(&o), &tmp.path().join("regression"), 2);
}

#[test]
fn asking_for_cuda_in_a_cpu_build_explains_how_to_rebuild() {
    if aigc::device::CUDA_COMPILED {
        return; // this test is about the CPU-only build
    }
    let tmp = tempfile::tempdir().unwrap();
    let o = aigc(tmp.path(), &["--device", "cuda", "tensors"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cargo build --release --features cuda"),
        "{}",
        stderr(&o)
    );
    // `auto` falls back to the CPU.
    let o = aigc(tmp.path(), &["--device", "auto", "tensors"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------------
// Help

#[test]
fn help_shows_the_defaults_as_written_in_every_subcommand() {
    let lstm = help(&["lstm", "train"]);
    assert!(lstm.contains("[default: 0.002]"), "{lstm}");
    assert!(lstm.contains("[default: 0.0002]"), "{lstm}");
    let gpt = help(&["gpt", "train"]);
    assert!(gpt.contains("[default: 0.001]"), "{gpt}");
    assert!(
        gpt.contains("[default: 1000]"),
        "the GPT's own steps: {gpt}"
    );
    // The digits have their own book settings, not the 2-D mixtures'.
    let digits = help(&["gan", "digits"]);
    assert!(digits.contains("[default: 30000]"), "{digits}");
    assert!(digits.contains("[default: 0.0002]"), "{digits}");
    assert!(digits.contains("[default: constant]"), "{digits}");
    // Walk every subcommand's help: no default is shown as f32 widened to f64.
    let mut todo: Vec<Vec<String>> = vec![vec![]];
    let mut seen = 0;
    while let Some(path) = todo.pop() {
        let args: Vec<&str> = path.iter().map(String::as_str).collect();
        let text = help(&args);
        seen += 1;
        assert!(!text.contains("0.0020000000949949026"), "{args:?}:\n{text}");
        for value in text.split("[default: ").skip(1) {
            let value = value.split(']').next().unwrap();
            if value.parse::<f64>().is_ok()
                && let Some((_, decimals)) = value.split_once('.')
            {
                assert!(
                    decimals.len() <= 6,
                    "{args:?} shows the default {value}:\n{text}"
                );
            }
        }
        for sub in subcommands(&text) {
            let mut next = path.clone();
            next.push(sub);
            todo.push(next);
        }
    }
    // aigc, its 9 commands, lstm's 5, gpt's 4 and gan's 4.
    assert!(seen >= 23, "walked {seen} help texts");
}

// ---------------------------------------------------------------------------------------
// Chapters 6 and 7: the text models

#[test]
fn lstm_generate_without_a_checkpoint_says_how_to_make_one() {
    let tmp = tempfile::tempdir().unwrap();
    let o = aigc(tmp.path(), &["lstm", "generate"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("train one first with `aigc lstm train`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn lstm_train_generate_and_bad_prompts() {
    let tmp = tempfile::tempdir().unwrap();
    let small = small_text(tmp.path());
    let small = small.to_str().unwrap();
    let o = aigc(
        tmp.path(),
        &[
            "lstm",
            "train",
            "--text",
            small,
            "--steps",
            "4",
            "--eval-every",
            "2",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let ckpt = tmp.path().join("lstm/lstm.ckpt");
    let files = assert_wrote(&stdout(&o), &tmp.path().join("lstm"), 4);
    assert!(files.contains(&ckpt), "the checkpoint is listed: {files:?}");
    let generate = |args: &[&str]| {
        let mut all = vec!["lstm", "generate"];
        all.extend_from_slice(args);
        aigc(tmp.path(), &all)
    };
    let o = generate(&["--prompt", "The cat", "--chars", "20"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("The cat"), "{}", stdout(&o));
    let o = generate(&["--prompt", "狐狸"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("unknown characters: '狐', '狸'"),
        "{}",
        stderr(&o)
    );
    let o = generate(&["--top-k", "0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("invalid top-k"), "{}", stderr(&o));

    // Temperature 0 is greedy: the seed no longer matters (at 1 it does).
    let text = |args: &[&str]| {
        let o = generate(args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        stdout(&o)
    };
    let greedy = ["--temperature", "0", "--chars", "40", "--seed"];
    let a = text(&[&greedy[..], &["1"]].concat());
    let b = text(&[&greedy[..], &["2"]].concat());
    assert_eq!(a, b, "greedy decoding does not depend on the seed");
    assert!(a.starts_with("猫"), "{a}");
    let sampled = ["--temperature", "1", "--chars", "40", "--seed"];
    let c = text(&[&sampled[..], &["1"]].concat());
    let d = text(&[&sampled[..], &["2"]].concat());
    assert_ne!(c, d, "sampling at temperature 1 depends on the seed");
    for t in ["-1", "-0.5"] {
        let o = generate(&["--temperature", t]);
        assert_eq!(o.status.code(), Some(2), "--temperature {t}");
        assert!(
            stderr(&o).contains("must be zero or a positive number"),
            "{}",
            stderr(&o)
        );
    }
    // An empty prompt starts a line; in the middle of a line it has nothing to go on.
    let empty = text(&["--prompt", "", "--chars", "20"]);
    let empty = empty.strip_suffix('\n').unwrap_or(&empty);
    assert_eq!(empty.chars().count(), 20, "{empty:?}");
    let o = generate(&["--mid-line", "--prompt", ""]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("invalid prompt"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    let o = generate(&["--mid-line", "--prompt", "The", "--chars", "5"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // A resumed run keeps its settings: another learning rate is an error, not ignored.
    let before = std::fs::read(&ckpt).unwrap();
    let o = aigc(
        tmp.path(),
        &[
            "lstm", "train", "--text", small, "--resume", "--steps", "6", "--lr", "0.01",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    // Only --lr is named: --text, --steps, --resume (and the global --out) are allowed.
    assert!(err.starts_with("error: --lr would be ignored"), "{err}");
    assert!(
        !stdout(&o).contains("Chapter 6"),
        "nothing trained: {}",
        stdout(&o)
    );
    assert_eq!(
        std::fs::read(&ckpt).unwrap(),
        before,
        "checkpoint untouched"
    );
    assert_eq!(json(&tmp.path().join("lstm/lstm.json"))["steps"], 4);

    // Resuming with a larger step budget continues the same run.
    let o = aigc(
        tmp.path(),
        &["lstm", "train", "--text", small, "--steps", "6", "--resume"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("(resuming)"), "{}", stdout(&o));
    assert_eq!(json(&tmp.path().join("lstm/lstm.json"))["steps"], 6);
    let saved = aigc::checkpoint::open::<TextRecord<Lstm>>(&ckpt, Lstm::NAME).unwrap();
    assert_eq!(saved.run.log.step, 6);
    let o = aigc(tmp.path(), &["lstm", "eval", "--text", small]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("nats/char"), "{}", stdout(&o));
    // On another text (the bundled corpus has more characters) it says so.
    let o = aigc(tmp.path(), &["lstm", "eval"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("another vocabulary"), "{}", stderr(&o));
    assert_eq!(saved.run.config.eval_every, 2, "the first run's settings");
}

#[test]
fn a_resumed_run_refuses_flags_it_would_ignore_before_training() {
    let tmp = tempfile::tempdir().unwrap();
    for (args, flag) in [
        (vec!["lstm", "train", "--resume", "--lr", "0.01"], "--lr"),
        (vec!["gpt", "train", "--resume", "--batch", "4"], "--batch"),
        (vec!["gan", "ring", "--resume", "--pack", "1"], "--pack"),
        (
            vec!["gan", "digits", "--resume", "--noise-dim", "8"],
            "--noise-dim",
        ),
    ] {
        let o = aigc(tmp.path(), &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = stderr(&o);
        assert!(
            err.contains(&format!("{flag} would be ignored")),
            "{args:?}: {err}"
        );
        assert!(err.contains("without --resume"), "{args:?}: {err}");
        assert!(stdout(&o).is_empty(), "{args:?} printed {}", stdout(&o));
    }
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "nothing written: {left:?}");
}

#[test]
fn lstm_train_rejects_unusable_texts() {
    let tmp = tempfile::tempdir().unwrap();
    let short = tmp.path().join("short.txt");
    std::fs::write(&short, "猫喜欢鱼。\n").unwrap();
    let o = aigc(
        tmp.path(),
        &["lstm", "train", "--text", short.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("too short"), "{}", stderr(&o));
    let o = aigc(tmp.path(), &["lstm", "train", "--text", "no/such.txt"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no/such.txt"), "{}", stderr(&o));
    let o = aigc(
        tmp.path(),
        &["lstm", "train", "--resume", "--checkpoint", "none.ckpt"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("none.ckpt"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn ctrl_c_saves_a_checkpoint_that_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let small = small_text(tmp.path());
    let small = small.to_str().unwrap();
    let args = [
        "lstm",
        "train",
        "--text",
        small,
        "--steps",
        "30",
        "--eval-every",
        "2",
    ];
    let mut run = Running::spawn(tmp.path(), &args, Duration::from_secs(120));
    assert!(run.read_until("checkpoint"), "{}", run.seen);
    // Wait for the first checkpoint (step 2), so that training has started.
    let ckpt = tmp.path().join("lstm/lstm.ckpt");
    let start = Instant::now();
    while !ckpt.exists() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(ckpt.exists(), "no checkpoint appeared");
    run.interrupt();
    let (code, text, err) = run.wait();
    assert_eq!(code, Some(130), "exit status after Ctrl-C\n{text}\n{err}");
    let step = interrupted_step(&text);
    assert!((2..30).contains(&step), "stopped at step {step}");
    assert!(text.contains("aigc lstm train --resume"), "{text}");
    assert!(
        !tmp.path().join("lstm/lstm.json").exists(),
        "no report when interrupted"
    );
    let saved = aigc::checkpoint::open::<TextRecord<Lstm>>(&ckpt, Lstm::NAME).unwrap();
    assert_eq!(
        saved.run.log.step, step,
        "the checkpoint is the step it reported"
    );
    // The checkpoint resumes: the run finishes its 30 steps. (`--steps 30` is needed:
    // without it the resumed run would go on to the default 1,200.)
    let o = aigc(
        tmp.path(),
        &[
            "lstm", "train", "--text", small, "--steps", "30", "--resume",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("(resuming)"), "{}", stdout(&o));
    assert_eq!(json(&tmp.path().join("lstm/lstm.json"))["steps"], 30);
    let saved = aigc::checkpoint::open::<TextRecord<Lstm>>(&ckpt, Lstm::NAME).unwrap();
    assert_eq!(saved.run.log.step, 30);
    let evals: Vec<usize> = saved.run.log.evals.iter().map(|m| m.step).collect();
    assert!(
        evals.contains(&step),
        "the interrupted step was measured: {evals:?}"
    );
    assert!(
        evals.windows(2).all(|w| w[0] < w[1]),
        "one log, in order: {evals:?}"
    );
}

#[test]
fn gpt_train_generate_resume_and_bad_prompts() {
    let tmp = tempfile::tempdir().unwrap();
    let small = small_text(tmp.path());
    let small = small.to_str().unwrap();
    let o = aigc(
        tmp.path(),
        &[
            "gpt",
            "train",
            "--text",
            small,
            "--steps",
            "4",
            "--eval-every",
            "2",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let gpt = tmp.path().join("gpt");
    assert_files(
        &gpt,
        &[
            "gpt.json",
            "gpt.md",
            "gpt-loss.svg",
            "gpt-attention.svg",
            "gpt.ckpt",
        ],
    );
    assert_wrote(&stdout(&o), &gpt, 5);
    let svg = std::fs::read_to_string(gpt.join("gpt-attention.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains(", head "));
    let o = aigc(
        tmp.path(),
        &["gpt", "generate", "--prompt", "The cat", "--chars", "20"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("The cat"), "{}", stdout(&o));
    let long = "The cat sleeps. ".repeat(8); // longer than the 64-character context
    let o = aigc(
        tmp.path(),
        &["gpt", "generate", "--prompt", &long, "--chars", "5"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = aigc(
        tmp.path(),
        &["gpt", "generate", "--temperature", "0", "--chars", "10"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = aigc(tmp.path(), &["gpt", "generate", "--prompt", "狐狸"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("unknown characters: '狐', '狸'"),
        "{}",
        stderr(&o)
    );
    let o = aigc(tmp.path(), &["gpt", "train", "--seq", "65"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("context of 64"), "{}", stderr(&o));
    // An LSTM checkpoint is not a GPT checkpoint.
    let o = aigc(
        tmp.path(),
        &[
            "lstm",
            "train",
            "--text",
            small,
            "--steps",
            "2",
            "--eval-every",
            "2",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let lstm_ckpt = tmp.path().join("lstm/lstm.ckpt");
    let o = aigc(
        tmp.path(),
        &[
            "gpt",
            "generate",
            "--checkpoint",
            lstm_ckpt.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not a \"MiniGpt"), "{}", stderr(&o));
    // Resuming with a larger step budget continues the same run.
    let o = aigc(
        tmp.path(),
        &["gpt", "train", "--text", small, "--steps", "6", "--resume"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(json(&gpt.join("gpt.json"))["steps"], 6);
    let saved =
        aigc::checkpoint::open::<TextRecord<Gpt>>(&gpt.join("gpt.ckpt"), Gpt::NAME).unwrap();
    assert_eq!(saved.run.log.step, 6);
    assert_eq!(saved.run.config.batch, 12, "the GPT's own default batch");
}

// ---------------------------------------------------------------------------------------
// Chapter 8, the downloads

#[test]
fn gan_commands_say_where_their_files_went() {
    // Shortened runs (their defaults take minutes); each lists the files it wrote.
    let tmp = tempfile::tempdir().unwrap();
    let gan = tmp.path().join("gan");
    for (args, file) in [
        (
            vec!["gan", "ring", "--steps", "20", "--eval-every", "10"],
            "ring.ckpt",
        ),
        (
            vec!["gan", "grid", "--steps", "20", "--eval-every", "10"],
            "grid.ckpt",
        ),
        (
            vec!["gan", "digits", "--steps", "10", "--eval-every", "5"],
            "digits.ckpt",
        ),
        (
            vec!["gan", "collapse", "--steps", "20", "--seeds", "1"],
            "collapse.json",
        ),
    ] {
        let o = aigc(tmp.path(), &args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let files = assert_wrote(&stdout(&o), &gan, 2);
        assert!(files.contains(&gan.join(file)), "{args:?}: {files:?}");
    }
}

#[test]
fn lstm_download_saves_the_text_and_says_how_to_train_on_it() {
    let tmp = tempfile::tempdir().unwrap();
    let body = "First Citizen:\nBefore we proceed any further, hear me speak.\n".repeat(40);
    let url = serve_once("200 OK", "tiny.txt", body.clone().into_bytes());
    let to = tmp.path().join("tiny.txt");
    let o = aigc(
        tmp.path(),
        &[
            "lstm",
            "download",
            "--url",
            &url,
            "--to",
            to.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&to).unwrap(), body);
    assert!(
        stdout(&o).contains(&format!("aigc lstm train --text {}", to.display())),
        "{}",
        stdout(&o)
    );
    let url = serve_once("404 Not Found", "missing.txt", b"no".to_vec());
    let missing = tmp.path().join("missing.txt");
    let o = aigc(
        tmp.path(),
        &[
            "lstm",
            "download",
            "--url",
            &url,
            "--to",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("404"), "{}", stderr(&o));
    assert!(!missing.exists(), "nothing saved from a failed download");
}
