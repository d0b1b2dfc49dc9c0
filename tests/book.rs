//! The book's own rules, checked on every test run:
//! - every `{{#include file:anchor}}` points at an existing file and a non-empty anchor
//!   (mdBook only logs a missing file and silently includes nothing for a missing anchor);
//! - no Rust listing is pasted: every ```rust block is an include of tested code;
//! - every image a page shows exists;
//! - the numbers and tables under `book/src/generated/` are what the code produces today
//!   (regenerate them with `cargo run --release -- --out book/src/generated`);
//! - notebooks are committed clean (no outputs) and link back to their chapter.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn markdown_pages() -> Vec<PathBuf> {
    let mut pages = Vec::new();
    let mut stack = vec![root().join("book/src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md")
                && !path.starts_with(root().join("book/src/generated"))
            {
                pages.push(path);
            }
        }
    }
    pages.sort();
    assert!(pages.len() >= 5, "found only {pages:?}");
    pages
}

/// `{{#include path}}` / `{{#include path:anchor}}` / `{{#rustdoc_include …}}` in a line.
fn includes(line: &str) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find("{{#") {
        let Some(end) = rest[start..].find("}}") else {
            break;
        };
        let inner = &rest[start + 3..start + end];
        rest = &rest[start + end + 2..];
        let mut words = inner.split_whitespace();
        let (Some(kind), Some(target)) = (words.next(), words.next()) else {
            continue;
        };
        if kind != "include" && kind != "rustdoc_include" {
            continue;
        }
        let (file, anchor) = match target.split_once(':') {
            Some((f, a)) => (f.to_string(), Some(a.to_string())),
            None => (target.to_string(), None),
        };
        found.push((file, anchor));
    }
    found
}

/// `true` when `line` holds `MARKER name` with `name` not followed by more name characters
/// (so anchor `gd` does not match `ANCHOR: gd_loss`), as mdBook reads anchors.
fn has_marker(line: &str, marker: &str, name: &str) -> bool {
    let needle = format!("{marker} {name}");
    line.match_indices(&needle).any(|(i, _)| {
        let next = line[i + needle.len()..].chars().next();
        !next.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
    })
}

fn anchor_body(text: &str, anchor: &str) -> Option<String> {
    // Line-number ranges such as `:10:20` are not anchors.
    if anchor.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return Some("range".into());
    }
    let mut inside = false;
    let mut body = String::new();
    for line in text.lines() {
        if inside && has_marker(line, "ANCHOR_END:", anchor) {
            return Some(body);
        }
        if inside && !line.contains("ANCHOR") {
            body += line;
            body += "\n";
        }
        if has_marker(line, "ANCHOR:", anchor) {
            inside = true;
        }
    }
    None
}

#[test]
fn every_include_and_anchor_exists_and_is_not_empty() {
    let mut problems = Vec::new();
    let mut count = 0;
    for page in markdown_pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for (n, line) in text.lines().enumerate() {
            for (file, anchor) in includes(line) {
                count += 1;
                let target = page.parent().unwrap().join(&file);
                let Ok(source) = std::fs::read_to_string(&target) else {
                    problems.push(format!("{}:{}: missing file {file}", page.display(), n + 1));
                    continue;
                };
                if let Some(a) = anchor {
                    match anchor_body(&source, &a) {
                        None => problems.push(format!(
                            "{}:{}: no anchor {a} in {file}",
                            page.display(),
                            n + 1
                        )),
                        Some(b) if b.trim().is_empty() => problems.push(format!(
                            "{}:{}: anchor {a} in {file} is empty",
                            page.display(),
                            n + 1
                        )),
                        Some(_) => {}
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        count > 10,
        "expected the chapters to include code, found {count} includes"
    );
}

#[test]
fn rust_listings_are_included_never_pasted() {
    let mut problems = Vec::new();
    for page in markdown_pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let mut fence: Option<(usize, bool, bool)> = None; // (start line, is rust, has include)
        for (n, line) in text.lines().enumerate() {
            let t = line.trim_start();
            if let Some(info) = t.strip_prefix("```") {
                match fence.take() {
                    None => fence = Some((n + 1, info.split(',').next() == Some("rust"), false)),
                    Some((start, true, false)) => {
                        problems.push(format!("{}:{start}: pasted Rust listing", page.display()))
                    }
                    Some(_) => {}
                }
            } else if let Some((_, _, has)) = fence.as_mut() {
                *has |= line.contains("{{#include") || line.contains("{{#rustdoc_include");
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_image_exists() {
    let mut problems = Vec::new();
    for page in markdown_pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let end = after.find(')').unwrap_or(after.len());
            let target = &after[..end];
            let is_image = rest[..i]
                .rfind("![")
                .is_some_and(|j| !rest[j..i].contains(']'));
            if is_image && !target.starts_with("http") {
                let path = page
                    .parent()
                    .unwrap()
                    .join(target.split('#').next().unwrap());
                if !path.is_file() {
                    problems.push(format!("{}: missing image {target}", page.display()));
                }
            }
            rest = &after[end.min(after.len())..];
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn numbers_close(
    path: &str,
    a: &serde_json::Value,
    b: &serde_json::Value,
    problems: &mut Vec<String>,
) {
    use serde_json::Value::*;
    match (a, b) {
        (Number(x), Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            // Generous enough for another CPU's float rounding, tight enough to catch any
            // change of behaviour.
            if (x - y).abs() > 1e-3 * x.abs().max(y.abs()) + 1e-4 {
                problems.push(format!("{path}: book says {x}, code now gives {y}"));
            }
        }
        (Array(xs), Array(ys)) if xs.len() == ys.len() => {
            for (i, (x, y)) in xs.iter().zip(ys).enumerate() {
                numbers_close(&format!("{path}[{i}]"), x, y, problems);
            }
        }
        (Object(xs), Object(ys)) if xs.len() == ys.len() => {
            for (k, x) in xs {
                match ys.get(k) {
                    Some(y) => numbers_close(&format!("{path}.{k}"), x, y, problems),
                    None => problems.push(format!("{path}.{k}: no longer produced")),
                }
            }
        }
        _ if a == b => {}
        _ => problems.push(format!("{path}: book has {a}, code now gives {b}")),
    }
}

#[test]
fn the_books_numbers_are_what_the_code_produces() {
    let tmp = tempfile::tempdir().unwrap();
    for chapter in ["tensors", "mse", "regression", "mlp"] {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_aigc"))
            .args([chapter, "--out"])
            .arg(tmp.path())
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "aigc {chapter}");
    }
    let committed = root().join("book/src/generated");
    let mut problems = Vec::new();
    let mut checked = 0;
    for chapter in ["tensors", "mse", "regression", "mlp"] {
        let name = format!("{chapter}/{chapter}.json");
        let read = |dir: &Path| -> serde_json::Value {
            let text = std::fs::read_to_string(dir.join(&name))
                .unwrap_or_else(|e| panic!("{}: {e}", dir.join(&name).display()));
            serde_json::from_str(&text).unwrap()
        };
        numbers_close(&name, &read(&committed), &read(tmp.path()), &mut problems);
        checked += 1;
    }
    assert_eq!(checked, 4);
    assert!(
        problems.is_empty(),
        "the book's generated numbers are stale; run `cargo run --release -- --out book/src/generated`:\n{}",
        problems.join("\n")
    );
}

#[test]
fn notebooks_are_clean_and_link_back_to_their_chapter() {
    let dir = root().join("notebooks");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "ipynb") {
            continue;
        }
        count += 1;
        let nb: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", path.display()));
        assert_eq!(
            nb["metadata"]["kernelspec"]["name"],
            "rust",
            "{}",
            path.display()
        );
        let cells = nb["cells"].as_array().unwrap();
        for (i, cell) in cells.iter().enumerate() {
            if let Some(outputs) = cell.get("outputs") {
                assert!(
                    outputs.as_array().is_none_or(|o| o.is_empty()),
                    "{} cell {i} has saved outputs: clear them before committing",
                    path.display()
                );
            }
        }
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let first: String = match &cells[0]["source"] {
            serde_json::Value::Array(lines) => lines.iter().filter_map(|l| l.as_str()).collect(),
            other => other.as_str().unwrap_or_default().to_string(),
        };
        let chapter = format!("../book/src/{stem}.md");
        assert!(
            first.contains(&chapter),
            "{} must link to {chapter} first",
            path.display()
        );
        assert!(
            root().join("book/src").join(format!("{stem}.md")).is_file(),
            "{chapter} missing"
        );
        let all = serde_json::to_string(cells).unwrap();
        assert!(
            all.contains(r#":dep aigc = { path = \"..\" }"#),
            "{} must use the crate",
            path.display()
        );
    }
    assert!(count >= 3, "expected a notebook per chapter, found {count}");
}

#[test]
fn chapter_5s_sentences_about_the_bowl_match_its_numbers() {
    let path = root().join("book/src/generated/regression/regression.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let steps: Vec<u64> = json["bowl_steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r[2].as_u64()
                .expect("every optimiser reaches 10⁻³ within 100 steps")
        })
        .collect();
    let (sgd, momentum, adam) = (steps[0], steps[1], steps[2]);
    // "… makes it [Adam] the slowest of the three to settle."
    assert!(
        adam > momentum && adam > sgd,
        "Adam {adam}, momentum {momentum}, SGD {sgd}"
    );
}

/// A committed JSON file of the book's generated numbers.
fn generated(path: &str) -> serde_json::Value {
    let path = root().join("book/src/generated").join(path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn chapter_6s_sentences_match_its_numbers() {
    for (name, lo, hi) in [("lstm/lstm.json", -0.01, 0.01), ("gpt/gpt.json", 0.0, 0.1)] {
        let j = generated(name);
        // LSTM: "before training is the uniform guess, within a hundredth of a nat";
        // GPT (chapter 7): "a few hundredths of a nat above it".
        let gap = f(&j["first_valid_loss"]) - f(&j["uniform_loss"]);
        assert!(
            gap > lo && gap < hi,
            "{name}: before training − ln V = {gap}"
        );
        let grammar = j["grammar"].as_array().unwrap();
        let row = |t: f64| {
            let r = grammar
                .iter()
                .find(|r| (f(&r["temperature"]) - t).abs() < 1e-6)
                .unwrap();
            let n = f(&r["lines"]);
            (f(&r["well_formed"]) / n, f(&r["distinct"]) / n)
        };
        let (greedy, cool, warm, hot) = (row(0.0), row(0.5), row(0.8), row(1.2));
        // "Greedy decoding writes only well-formed lines, but a handful of them over and over."
        assert!(
            greedy.0 > 0.99 && greedy.1 < 0.1,
            "{name}: greedy {greedy:?}"
        );
        // "From τ = 0.5 on almost every line is different, and the higher τ, the less often
        // a line is well-formed."
        assert!(
            cool.0 >= warm.0 && warm.0 > hot.0,
            "{name}: well-formed shares"
        );
        assert!(
            [cool.1, warm.1, hot.1].iter().all(|d| *d > 0.9),
            "{name}: distinct shares"
        );
        // "At 0.8 … still keeps the grammar in the great majority of its lines."
        assert!(warm.0 > 0.9, "{name}: τ = 0.8 keeps {}", warm.0);
    }
    // "The 猫 samples begin with a Chinese sentence about the cat, well-formed up to τ = 0.8."
    let lstm = generated("lstm/lstm.json");
    for s in lstm["samples"].as_array().unwrap() {
        let t = f(&s["temperature"]);
        if s["prompt"] != "猫" || t > 0.8 {
            continue;
        }
        let first = s["text"].as_str().unwrap().lines().next().unwrap();
        let (good, all) = aigc::data::corpus::well_formed_lines(&format!("x\n{first}\ny"));
        assert_eq!((good, all), (1, 1), "τ = {t}: {first}");
        assert!(first.starts_with('猫') && first.ends_with('。'), "{first}");
    }

    // "At every evaluation … the two are within 0.03 nats per character of each other."
    let parity = generated("lstm/parity.json");
    let rows = parity["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "steps 0, 200, 500 and 1,000");
    for r in rows {
        let gap = (f(&r["aigc"]) - f(&r["pytorch"])).abs();
        assert!(gap < 0.03, "step {}: {gap}", r["step"]);
    }

    // The Tang poems: "per second, the GPT learns faster; the LSTM ends lower".
    let compare = generated("tang/gpt/compare.json");
    let line = |m: &str| -> Vec<(f64, f64)> {
        compare[m]["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (f(&p[0]), f(&p[1])))
            .collect()
    };
    let (lstm_t, gpt_t) = (line("lstm"), line("gpt"));
    let (gpt_end, lstm_end) = (*gpt_t.last().unwrap(), *lstm_t.last().unwrap());
    let lstm_then = lstm_t.iter().rev().find(|p| p.0 <= gpt_end.0).unwrap().1;
    assert!(
        lstm_then > gpt_end.1,
        "LSTM {lstm_then} at the GPT's end {gpt_end:?}"
    );
    assert!(lstm_end.1 < gpt_end.1 && lstm_end.0 > 2.0 * gpt_end.0);
    let chars = |m: &str| f(&compare[m]["steps"]) * f(&compare[m]["chars_per_step"]);
    assert!(
        chars("lstm") > 3.0 * chars("gpt"),
        "more than three times as much text"
    );
    // "At τ = 0.5 practically every couplet the LSTM writes has that shape, from each of
    // the three prompts … the GPT keeps the form less often."
    let form = |model: &str, prompt: &str, t: f64| -> f64 {
        let j = generated(&format!("tang/{model}/{model}.json"));
        let s = j["samples"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["prompt"] == prompt && (f(&s["temperature"]) - t).abs() < 1e-6)
            .unwrap_or_else(|| panic!("no {model} sample for {prompt} at {t}"))
            .clone();
        let text = s["text"].as_str().unwrap();
        let parts: Vec<&str> = text.split(['。', '\n']).collect();
        let couplets: Vec<&str> = parts[1..parts.len() - 1] // the ends may be cut off
            .iter()
            .copied()
            .filter(|c| !c.is_empty())
            .collect();
        let regular = couplets
            .iter()
            .filter(|c| {
                let halves: Vec<usize> = c.split('，').map(|h| h.chars().count()).collect();
                halves == [5, 5] || halves == [7, 7]
            })
            .count();
        regular as f64 / couplets.len() as f64
    };
    for prompt in ["春", "月", "猫"] {
        let (lstm, gpt) = (form("lstm", prompt, 0.5), form("gpt", prompt, 0.5));
        assert!(lstm > 0.9, "{prompt}: LSTM couplets in form {lstm}");
        assert!(gpt < lstm, "{prompt}: GPT {gpt} vs LSTM {lstm}");
    }
    // "At τ = 0 the LSTM repeats one couplet over and over."
    let tang = generated("tang/lstm/lstm.json");
    let greedy = tang["samples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["prompt"] == "猫" && f(&s["temperature"]) == 0.0)
        .unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    let lines: Vec<&str> = greedy.lines().collect();
    let distinct: std::collections::BTreeSet<&str> = lines.iter().copied().collect();
    assert!(
        distinct.len() * 3 < lines.len(),
        "{} of {}",
        distinct.len(),
        lines.len()
    );

    // The tokenizer table's list.
    let rows = generated("lstm/tokenizers.json")["rows"]
        .as_array()
        .unwrap()
        .clone();
    let get = |lang: &str, tok: &str| {
        rows.iter()
            .find(|r| {
                r["corpus"].as_str().unwrap().starts_with(lang)
                    && r["tokenizer"].as_str().unwrap().starts_with(tok)
            })
            .unwrap_or_else(|| panic!("no row {lang} {tok}"))
            .clone()
    };
    let loss = |r: &serde_json::Value| f(&r["loss_per_char"]);
    let (en_c, en_b, en_p) = (
        get("English", "characters"),
        get("English", "UTF-8"),
        get("English", "BPE"),
    );
    let (zh_c, zh_b, zh_p) = (
        get("Chinese", "characters"),
        get("Chinese", "UTF-8"),
        get("Chinese", "BPE"),
    );
    // "On English, BPE makes a token more than two characters long … the lowest loss per
    // character of the three. Bytes come last."
    assert!(f(&en_p["chars_per_token"]) > 2.0);
    assert!(loss(&en_p) < loss(&en_c) && loss(&en_c) < loss(&en_b));
    // "On Chinese, bytes triple the length of every line … by far the lowest share of
    // character pairs … its loss per character is the worst."
    let ratio = f(&zh_b["tokens_per_line"]) / f(&zh_c["tokens_per_line"]);
    assert!((ratio - 3.0).abs() < 0.05, "bytes per character {ratio}");
    let known = |r: &serde_json::Value| f(&r["known_fraction"]);
    assert!(known(&zh_b) < 0.5 * known(&zh_c).min(known(&zh_p)));
    assert!(loss(&zh_b) > loss(&zh_c).max(loss(&zh_p)));
    // "A thousand merges barely shorten Chinese lines … After 300 steps, characters are
    // ahead of BPE on Chinese."
    assert!(f(&zh_p["chars_per_token"]) < 1.5);
    assert!(loss(&zh_c) < loss(&zh_p));
    assert_eq!(
        generated("lstm/tokenizers.json")["steps"],
        300,
        "the page says 300 steps"
    );
}

#[test]
fn chapter_9s_sentences_match_its_numbers() {
    let path = root().join("book/src/generated/bench/bench-vs-pytorch.md");
    let text = std::fs::read_to_string(path).unwrap();
    let rows: Vec<Vec<String>> = text
        .lines()
        .filter(|l| l.starts_with("| ") && !l.contains("workload") && !l.contains("---"))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 5, "LSTM twice, GPT, two GANs");
    let ms = |cell: &str| -> f64 { cell.parse().unwrap_or_else(|_| panic!("{cell}")) };
    let speedup = |name: &str| -> f64 {
        let r = rows.iter().find(|r| r[0].contains(name)).unwrap();
        ms(&r[3]) / ms(&r[2]) // before ÷ now
    };
    // "Every workload got faster: the GPT step about twice as fast, the LSTM and the digits
    // GAN by a third or more."
    for r in &rows {
        assert!(ms(&r[2]) < ms(&r[3]), "{}: not faster than before", r[0]);
    }
    assert!(speedup("mini-GPT") > 1.7, "GPT {}", speedup("mini-GPT"));
    assert!(speedup("nn.LSTM") > 1.3 && speedup("digits") > 1.3);
    // "This crate is still slower on every workload of this machine, and furthest behind on
    // the LSTM."
    let ratio = |r: &Vec<String>| ms(r[4].trim_end_matches('×'));
    assert!(rows.iter().all(|r| ratio(r) < 1.0));
    let lstm = rows.iter().find(|r| r[0].contains("nn.LSTM")).unwrap();
    assert!(rows.iter().all(|r| ratio(lstm) <= ratio(r)));
}

#[test]
fn chapter_7s_shakespeare_run_ends_near_nanogpts_loss() {
    // "The book's GPT ends within a few hundredths of a nat of nanoGPT's 1.88."
    let j = generated("gpt/shakespeare/gpt.json");
    let last = f(&j["final_valid_loss"]);
    assert!((last - 1.88).abs() < 0.05, "{last}");
    assert_eq!(j["steps"], 2000);
}
