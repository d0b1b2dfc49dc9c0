//! Rules for the notebooks that need no kernel (scripts/run-notebooks.py executes them):
//!
//! - every notebook has a Chinese twin in notebooks/zh-CN/ with exactly its code cells,
//!   cell for cell (only the crate path of `:dep aigc` is one folder deeper), committed
//!   clean and linking back to its chapter;
//! - every notebook and its twin have an executed copy in notebooks/executed/ with the
//!   same cells and sources, and outputs;
//! - every exercise cell holds its stub (`todo!("Exercise …")`) and names its reference
//!   solution, and is followed by a check cell that calls `aigc::exercises::checks`; every
//!   check function is called by some notebook.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn notebooks_in(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ipynb"))
        .collect();
    found.sort();
    found
}

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", path.display()))
}

fn cells(nb: &Value) -> &Vec<Value> {
    nb["cells"].as_array().expect("a notebook has cells")
}

fn source(cell: &Value) -> String {
    match &cell["source"] {
        Value::Array(lines) => lines.iter().filter_map(|l| l.as_str()).collect(),
        other => other.as_str().unwrap_or_default().to_string(),
    }
}

fn code_cells(nb: &Value) -> Vec<&Value> {
    cells(nb)
        .iter()
        .filter(|c| c["cell_type"] == "code")
        .collect()
}

fn tags(cell: &Value) -> Vec<String> {
    cell["metadata"]["tags"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|t| t.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn english() -> Vec<PathBuf> {
    let found = notebooks_in(&root().join("notebooks"));
    assert!(found.len() >= 7, "a notebook per chapter 3–9: {found:?}");
    found
}

const DEP_EN: &str = r#":dep aigc = { path = ".." }"#;
const DEP_ZH: &str = r#":dep aigc = { path = "../.." }"#;

#[test]
fn every_notebook_has_a_chinese_twin_with_the_same_code_cells() {
    for en_path in english() {
        let name = en_path.file_name().unwrap();
        let zh_path = root().join("notebooks/zh-CN").join(name);
        assert!(zh_path.is_file(), "{} has no zh-CN twin", en_path.display());
        let (en, zh) = (read(&en_path), read(&zh_path));
        assert_eq!(en["metadata"]["kernelspec"], zh["metadata"]["kernelspec"]);
        let (a, b) = (code_cells(&en), code_cells(&zh));
        assert_eq!(
            a.len(),
            b.len(),
            "{}: code cells of the English and Chinese notebooks",
            zh_path.display()
        );
        for (i, (a, b)) in a.iter().zip(&b).enumerate() {
            assert_eq!(
                source(a).replace(DEP_EN, DEP_ZH),
                source(b),
                "{} code cell {i} differs from the English notebook's",
                zh_path.display()
            );
            assert_eq!(
                a["metadata"],
                b["metadata"],
                "{} code cell {i}",
                zh_path.display()
            );
        }
        // Clean, and linking back to the chapter (one folder deeper).
        for (i, cell) in cells(&zh).iter().enumerate() {
            assert!(
                cell.get("outputs")
                    .and_then(|o| o.as_array())
                    .is_none_or(|o| o.is_empty()),
                "{} cell {i} has saved outputs",
                zh_path.display()
            );
        }
        let stem = en_path.file_stem().unwrap().to_string_lossy().into_owned();
        let link = format!("../../book/src/{stem}.md");
        assert!(
            source(&cells(&zh)[0]).contains(&link),
            "{} must link to {link} first",
            zh_path.display()
        );
        // Chinese prose: the markdown is not the English one.
        let prose = |nb: &Value| -> String {
            cells(nb)
                .iter()
                .filter(|c| c["cell_type"] == "markdown")
                .map(source)
                .collect()
        };
        let han = prose(&zh)
            .chars()
            .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
            .count();
        assert!(
            han > 200,
            "{}: {han} Chinese characters of prose",
            zh_path.display()
        );
    }
}

#[test]
fn the_chinese_notebooks_run_with_the_same_kernel_settings() {
    // evcxr reads evcxr.toml from the kernel's folder: a panic must fail its cell there too.
    let en = std::fs::read_to_string(root().join("notebooks/evcxr.toml")).unwrap();
    let zh = std::fs::read_to_string(root().join("notebooks/zh-CN/evcxr.toml")).unwrap();
    assert_eq!(
        en, zh,
        "notebooks/zh-CN/evcxr.toml must be notebooks/evcxr.toml"
    );
    assert!(en.contains("preserve_vars_on_panic = false"));
}

#[test]
fn every_notebook_has_an_executed_copy_with_its_cells_and_outputs() {
    for en_path in english() {
        let name = en_path.file_name().unwrap();
        for (src, executed) in [
            (
                en_path.clone(),
                root().join("notebooks/executed").join(name),
            ),
            (
                root().join("notebooks/zh-CN").join(name),
                root().join("notebooks/executed/zh-CN").join(name),
            ),
        ] {
            assert!(
                executed.is_file(),
                "{} is missing: run `python3 scripts/run-notebooks.py --write-executed`",
                executed.display()
            );
            let (a, b) = (read(&src), read(&executed));
            assert_eq!(
                cells(&a).len(),
                cells(&b).len(),
                "{}: cells differ from {} (regenerate it)",
                executed.display(),
                src.display()
            );
            for (i, (x, y)) in cells(&a).iter().zip(cells(&b)).enumerate() {
                assert_eq!(
                    (&x["cell_type"], source(x)),
                    (&y["cell_type"], source(y)),
                    "{} cell {i} differs from {}: run `python3 scripts/run-notebooks.py \
                     --write-executed`",
                    executed.display(),
                    src.display()
                );
            }
            let with_output = code_cells(&b)
                .iter()
                .filter(|c| c["outputs"].as_array().is_some_and(|o| !o.is_empty()))
                .count();
            assert!(
                with_output * 2 >= code_cells(&b).len(),
                "{}: only {with_output} code cells have outputs",
                executed.display()
            );
        }
    }
}

#[test]
fn every_exercise_cell_holds_its_stub_and_is_checked_by_the_library() {
    let mut called = String::new();
    let mut exercises = 0;
    for path in english() {
        let nb = read(&path);
        let code = code_cells(&nb);
        for (i, cell) in code.iter().enumerate() {
            let text = source(cell);
            if tags(cell).iter().any(|t| t == "check") {
                called += &text;
            }
            if !tags(cell).iter().any(|t| t == "exercise") {
                continue;
            }
            exercises += 1;
            let spec = cell["metadata"]["exercise"]
                .as_str()
                .unwrap_or_else(|| panic!("{} code cell {i}: no `exercise`", path.display()));
            let (chapter, function) = spec.split_once("::").expect("chNN::function");
            let stubs = std::fs::read_to_string(root().join(format!("src/exercises/{chapter}.rs")))
                .unwrap();
            assert!(
                stubs.contains(&format!("pub fn {function}")),
                "{spec}: no such exercise"
            );
            assert!(
                text.contains(&format!("fn {function}")) && text.contains("todo!(\"Exercise"),
                "{} code cell {i}: the stub of {spec}, with its todo!",
                path.display()
            );
            let next = code.get(i + 1).map(|c| (tags(c), source(c)));
            assert!(
                next.as_ref()
                    .is_some_and(|(t, s)| t.iter().any(|t| t == "check")
                        && s.contains(&format!("checks::{chapter}"))
                        && s.contains(function)),
                "{} code cell {i}: {spec} must be followed by a check cell calling \
                 aigc::exercises::checks::{chapter}",
                path.display()
            );
        }
    }
    assert!(exercises >= 15, "{exercises} exercises in the notebooks");
    // Every check the library offers is used by a notebook.
    for entry in std::fs::read_dir(root().join("src/exercises/checks")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("pub fn ") {
                let name = rest.split('(').next().unwrap();
                assert!(
                    called.contains(name),
                    "{name} ({}) is called by no notebook's check cell",
                    path.display()
                );
            }
        }
    }
}
