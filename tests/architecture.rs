//! The crate's shape, checked: dependencies point one way (CLI → chapters → shared
//! modules), a chapter uses only earlier chapters and only for their ideas, the shared
//! modules form no cycle, every chapter module says what it holds, no source file is
//! longer than a newcomer can hold in their head, and no type name means two things.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The chapters' modules and their chapter numbers, in reading order.
const CHAPTERS: [(&str, u32); 8] = [
    ("tensors", 3),
    ("neuron", 4),
    ("mse", 4),
    ("regression", 5),
    ("lstm", 6),
    ("gpt", 7),
    ("gan", 8),
    ("bench", 9),
];

/// The modules every chapter may use; they use no chapter.
const SHARED: [&str; 14] = [
    "checkpoint",
    "data",
    "device",
    "error",
    "kernels",
    "layers",
    "lm",
    "numbers",
    "optim",
    "params",
    "plot",
    "report",
    "sample",
    "train",
];

/// What a chapter may take from an earlier chapter: its ideas (a model, a formula, its
/// settings), never its plumbing (logs, loops, outcomes, checkpoints, batching).
const IDEAS: [(&str, &str, &str); 12] = [
    ("mse", "neuron", "Activation"),
    ("regression", "mse", "mse"),
    ("gpt", "lstm", "Lstm"),
    ("gpt", "lstm", "LstmConfig"),
    ("bench", "regression", "CurveMlp"),
    ("bench", "lstm", "BookLstm"),
    ("bench", "gpt", "BookGpt"),
    ("bench", "gpt", "GptConfig"),
    ("bench", "gan", "DigitsGan"),
    ("bench", "gan", "PlaneGan"),
    ("bench", "gan", "Players"),
    ("bench", "gan", "gan_step"),
];

/// The chapter's own ideas a later chapter may name but need not: the GAN's configuration
/// and noise are used by chapter 9's benchmark too.
const ALSO_IDEAS: [(&str, &str, &str); 2] =
    [("bench", "gan", "GanConfig"), ("bench", "gan", "noise")];

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The top-level module a library file belongs to (`src/gan/run.rs` → `gan`); `None` for
/// the CLI and the exercises.
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()?
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    let name = first.trim_end_matches(".rs").to_string();
    (!["bin", "exercises", "lib"].contains(&name.as_str())).then_some(name)
}

/// Every `crate::<module>` a file names, with the items after it (`crate::lstm::{Lstm,
/// LstmConfig}` gives `lstm` → {Lstm, LstmConfig}; a bare `crate::lstm::x::y` gives `x`).
fn uses(text: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let module: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let after = &rest[module.len()..];
        let items = found.entry(module).or_default();
        if let Some(path) = after.strip_prefix("::") {
            if let Some(group) = path.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let item = item.trim().split("::").next().unwrap_or("").trim();
                    if !item.is_empty() {
                        items.insert(item.to_string());
                    }
                }
            } else {
                let item: String = path
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                items.insert(item);
            }
        }
    }
    found
}

fn chapter(module: &str) -> Option<u32> {
    CHAPTERS.iter().find(|(m, _)| *m == module).map(|(_, n)| *n)
}

#[test]
fn every_library_module_is_a_chapter_or_shared() {
    for file in rust_files(&src()) {
        if let Some(m) = module_of(&file) {
            assert!(
                chapter(&m).is_some() || SHARED.contains(&m.as_str()),
                "{}: module {m} is neither a chapter nor a shared module; add it to one list",
                file.display()
            );
        }
    }
}

#[test]
fn shared_modules_use_no_chapter() {
    let mut problems = Vec::new();
    for file in rust_files(&src()) {
        let Some(m) = module_of(&file) else { continue };
        if !SHARED.contains(&m.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for used in uses(&text).keys() {
            if chapter(used).is_some() {
                problems.push(format!(
                    "{}: shared module {m} uses chapter module {used}",
                    file.display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn chapters_use_only_earlier_chapters_and_only_their_ideas() {
    let mut problems = Vec::new();
    for file in rust_files(&src()) {
        let Some(m) = module_of(&file) else { continue };
        let Some(n) = chapter(&m) else { continue };
        let text = std::fs::read_to_string(&file).unwrap();
        for (used, items) in uses(&text) {
            let Some(k) = chapter(&used) else { continue };
            if used == m {
                continue;
            }
            if k > n {
                problems.push(format!(
                    "{}: chapter {m} ({n}) uses a later chapter, {used} ({k})",
                    file.display()
                ));
                continue;
            }
            for item in items {
                let allowed = IDEAS
                    .iter()
                    .chain(&ALSO_IDEAS)
                    .any(|(a, b, i)| *a == m && *b == used && *i == item);
                if !allowed {
                    problems.push(format!(
                        "{}: chapter {m} uses {used}::{item}; if it is an idea of that chapter, list it in IDEAS; if it is plumbing, move it to a shared module",
                        file.display()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_shared_modules_form_no_cycle() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&src()) {
        let Some(m) = module_of(&file) else { continue };
        if !SHARED.contains(&m.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for used in uses(&text).into_keys() {
            if used != m && SHARED.contains(&used.as_str()) {
                edges.entry(m.clone()).or_default().insert(used);
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut cycle = path[i..].to_vec();
            cycle.push(m.to_string());
            return Some(cycle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for next in edges.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in SHARED {
        if let Some(cycle) = visit(m, &edges, &mut Vec::new(), &mut done) {
            panic!("the shared modules form a cycle: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn the_checker_sees_a_forward_use_and_a_borrowed_plumbing_item() {
    // The rules above would pass vacuously if `uses` found nothing.
    let text =
        "use crate::gpt::{Gpt, GptConfig};\nlet x = crate::train::fit(a);\n// crate::gan::x\n";
    let found = uses(text);
    assert_eq!(
        found["gpt"],
        BTreeSet::from(["Gpt".to_string(), "GptConfig".to_string()])
    );
    assert_eq!(found["train"], BTreeSet::from(["fit".to_string()]));
    assert!(!found.contains_key("gan"), "comments are not uses");
}

#[test]
fn every_chapter_module_says_what_its_files_hold_and_what_it_uses() {
    for (m, _) in CHAPTERS {
        let dir = src().join(m);
        if !dir.is_dir() {
            continue; // a one-file chapter explains itself at its top
        }
        let text = std::fs::read_to_string(dir.join("mod.rs")).unwrap();
        assert!(
            text.contains("| file | concept |"),
            "src/{m}/mod.rs: no table of its files"
        );
        for file in rust_files(&dir) {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if name != "mod.rs" {
                assert!(
                    text.contains(&format!("`{name}`")),
                    "src/{m}/mod.rs: its table lacks {name}"
                );
            }
        }
        assert!(
            text.contains("Shared modules used"),
            "src/{m}/mod.rs: does not name the shared modules it uses"
        );
    }
}

#[test]
fn no_source_file_is_longer_than_400_lines() {
    for file in rust_files(&src()) {
        let lines = std::fs::read_to_string(&file).unwrap().lines().count();
        assert!(
            lines <= 400,
            "{} has {lines} lines: split it by concept",
            file.display()
        );
    }
}

#[test]
fn no_type_name_means_two_things() {
    let mut defined: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&src()) {
        if module_of(&file).is_none() {
            continue;
        }
        for line in std::fs::read_to_string(&file).unwrap().lines() {
            for kind in ["pub struct ", "pub enum ", "pub trait ", "pub type "] {
                if let Some(rest) = line.strip_prefix(kind) {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    defined
                        .entry(name)
                        .or_default()
                        .insert(file.display().to_string());
                }
            }
        }
    }
    // One file may define a name twice under `#[cfg(...)]` (CUDA or not): that is one name.
    let twice: Vec<String> = defined
        .iter()
        .filter(|(_, files)| files.len() > 1)
        .map(|(name, files)| format!("{name}: {files:?}"))
        .collect();
    assert!(
        twice.is_empty(),
        "names defined in several modules:\n{}",
        twice.join("\n")
    );
}
