//! The `aigc` binary: every command runs with no arguments and writes what it says, and
//! bad input ends with a clear message and a non-zero exit, never a panic.

use std::path::Path;
use std::process::{Command, Output};

fn aigc(out: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aigc"))
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("the aigc binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_files(dir: &Path, names: &[&str]) {
    for name in names {
        let path = dir.join(name);
        let meta =
            std::fs::metadata(&path).unwrap_or_else(|_| panic!("{} missing", path.display()));
        assert!(meta.len() > 100, "{} is suspiciously small", path.display());
    }
}

#[test]
fn the_quick_tour_runs_every_chapter_and_writes_every_file() {
    // `aigc` alone runs the same tour with the LSTM's full training.
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
    assert!(text.contains("Tour finished"));
    assert!(!text.contains("NaN"), "no NaN in any table:\n{text}");
    assert_files(&tmp.path().join("tensors"), &["tensors.json", "tensors.md"]);
    assert_files(
        &tmp.path().join("mse"),
        &[
            "mse.json",
            "mse.md",
            "mse-curve.svg",
            "activations.svg",
            "mse-vs-nll.svg",
        ],
    );
    assert_files(
        &tmp.path().join("regression"),
        &[
            "regression.json",
            "regression.md",
            "gd-loss.svg",
            "lr-sweep.svg",
            "optimisers.svg",
        ],
    );
    assert_files(
        &tmp.path().join("mlp"),
        &["mlp.json", "mlp.md", "mlp-fit.svg", "mlp-loss.svg"],
    );
    assert_files(
        &tmp.path().join("lstm"),
        &["lstm.json", "lstm.md", "lstm-loss.svg", "lstm.ckpt"],
    );
    assert_files(
        &tmp.path().join("gpt"),
        &[
            "gpt.json",
            "gpt.md",
            "gpt-loss.svg",
            "gpt-attention.svg",
            "gpt.ckpt",
        ],
    );
    assert_files(
        &tmp.path().join("gan"),
        &[
            "ring.json",
            "ring.gif",
            "ring.ckpt",
            "digits.json",
            "digits.png",
            "digits.ckpt",
        ],
    );
    // No temporary files are left behind by the atomic writes.
    for sub in ["tensors", "mse", "regression", "mlp", "lstm", "gpt", "gan"] {
        for entry in std::fs::read_dir(tmp.path().join(sub)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            assert!(!name.ends_with(".tmp"), "leftover {name}");
        }
    }
}

#[test]
fn regression_prints_the_table_and_says_where_the_files_went() {
    let tmp = tempfile::tempdir().unwrap();
    let o = aigc(tmp.path(), &["regression"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("| closed-form MSE | 0.41677 |"), "{text}");
    assert!(text.contains("diverged at epoch"), "{text}");
    assert!(
        text.contains(&format!("to {}", tmp.path().join("regression").display())),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("regression/regression.json")).unwrap(),
    )
    .unwrap();
    assert!(json["gd_gap_percent"].as_f64().unwrap() < 0.1);
}

#[test]
fn each_subcommand_runs_alone() {
    for cmd in ["tensors", "mse", "mlp"] {
        let tmp = tempfile::tempdir().unwrap();
        let o = aigc(tmp.path(), &[cmd]);
        assert!(o.status.success(), "{cmd}: {}", stderr(&o));
        assert!(
            tmp.path().join(cmd).join(format!("{cmd}.json")).is_file(),
            "{cmd}"
        );
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
    std::fs::write(&csv, "a,b,quality\n1,2,5\n3,oops,6\n").unwrap();
    let o = aigc(tmp.path(), &["regression", "--data", csv.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let expected = format!(
        "error: {}:3:2: cell \"oops\" in column \"b\" is not a number",
        csv.display()
    );
    assert!(stderr(&o).contains(&expected), "{}", stderr(&o));

    std::fs::write(&csv, "a,b,quality\n1,2,5\n3,6\n").unwrap();
    let o = aigc(tmp.path(), &["regression", "--data", csv.to_str().unwrap()]);
    assert!(
        stderr(&o).contains("bad.csv:3: row has 2 cells but the header has 3"),
        "{}",
        stderr(&o)
    );

    std::fs::write(&csv, "").unwrap();
    let o = aigc(tmp.path(), &["regression", "--data", csv.to_str().unwrap()]);
    assert!(stderr(&o).contains("the file is empty"), "{}", stderr(&o));

    std::fs::write(&csv, "a,b,score\n1,2,5\n").unwrap();
    let o = aigc(tmp.path(), &["regression", "--data", csv.to_str().unwrap()]);
    assert!(stderr(&o).contains("no column named \"quality\"; the header has: a, b, score"));
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
    let o = aigc(
        tmp.path(),
        &["lstm", "train", "--steps", "4", "--eval-every", "2"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(tmp.path().join("lstm/lstm.ckpt").is_file());
    let o = aigc(
        tmp.path(),
        &["lstm", "generate", "--prompt", "The cat", "--chars", "20"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("The cat"), "{}", stdout(&o));
    let o = aigc(tmp.path(), &["lstm", "generate", "--prompt", "狐狸"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("unknown characters: '狐', '狸'"),
        "{}",
        stderr(&o)
    );
    let o = aigc(tmp.path(), &["lstm", "generate", "--temperature", "0"]);
    assert!(stderr(&o).contains("invalid temperature"), "{}", stderr(&o));
    let o = aigc(tmp.path(), &["lstm", "generate", "--top-k", "0"]);
    assert!(stderr(&o).contains("invalid top-k"), "{}", stderr(&o));
    // Resuming with a larger step budget continues the same run.
    let o = aigc(
        tmp.path(),
        &[
            "lstm",
            "train",
            "--steps",
            "6",
            "--eval-every",
            "2",
            "--resume",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("lstm/lstm.json")).unwrap())
            .unwrap();
    assert_eq!(json["steps"], 6);
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
    assert!(stderr(&o).contains("no/such.txt"), "{}", stderr(&o));
    let o = aigc(
        tmp.path(),
        &["lstm", "train", "--resume", "--checkpoint", "none.ckpt"],
    );
    assert!(stderr(&o).contains("none.ckpt"), "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn ctrl_c_saves_a_checkpoint_that_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_aigc"))
        .args([
            "lstm",
            "train",
            "--steps",
            "100000",
            "--eval-every",
            "2",
            "--out",
        ])
        .arg(tmp.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let ckpt = tmp.path().join("lstm/lstm.ckpt");
    let start = std::time::Instant::now();
    while !ckpt.exists() && start.elapsed().as_secs() < 120 {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(ckpt.exists(), "no checkpoint appeared");
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("interrupted at step"), "{text}");
    assert!(text.contains("--resume"), "{text}");
    let (_, meta): (aigc::checkpoint::Tensors, aigc::lstm::CheckpointMeta) =
        aigc::checkpoint::load(&ckpt).unwrap();
    assert!(meta.log.step >= 2);
}

#[test]
fn gpt_train_generate_resume_and_bad_prompts() {
    let tmp = tempfile::tempdir().unwrap();
    let o = aigc(
        tmp.path(),
        &[
            "gpt",
            "train",
            "--steps",
            "4",
            "--eval-every",
            "2",
            "--eval-batches",
            "2",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_files(
        &tmp.path().join("gpt"),
        &[
            "gpt.json",
            "gpt.md",
            "gpt-loss.svg",
            "gpt-attention.svg",
            "gpt.ckpt",
        ],
    );
    let svg = std::fs::read_to_string(tmp.path().join("gpt/gpt-attention.svg")).unwrap();
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
        &["lstm", "train", "--steps", "2", "--eval-every", "2"],
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
        &[
            "gpt",
            "train",
            "--steps",
            "6",
            "--eval-every",
            "2",
            "--eval-batches",
            "2",
            "--resume",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("gpt/gpt.json")).unwrap())
            .unwrap();
    assert_eq!(json["steps"], 6);
}
