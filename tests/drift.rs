//! Drift between the book's pages, the README and the repository, caught where a test can:
//! a chapter added to `SUMMARY.md` but missing from the preface's tour, the README's table or
//! the instructor's guide; a notebook or a command that one list names and another forgets;
//! an output folder the FAQ does not mention; a link whose text names one chapter and whose
//! target is another; an exercise whose number in the book differs from its stub's; a
//! chapter without its opening block; a figure without alt text; a symbol of the notation
//! tables with two meanings; stale sentences about chapters "being written".
//!
//! Everything here reads files only; nothing is built or run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn page(file: &str) -> String {
    read(&format!("book/src/{file}"))
}

/// A numbered chapter of `SUMMARY.md`: its number (from the file name), title and file.
#[derive(Debug, Clone)]
struct Chapter {
    number: u32,
    title: String,
    file: String,
}

/// `[text](target)` pairs of a Markdown text (images included, with their `!` dropped).
fn links(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find("](") else { break };
        let label = &after[..close];
        if label.contains('[') {
            rest = &rest[open + 1..];
            continue;
        }
        let target_start = &after[close + 2..];
        let Some(end) = target_start.find(')') else {
            break;
        };
        found.push((label.to_string(), target_start[..end].to_string()));
        rest = &target_start[end..];
    }
    found
}

/// The numbered chapters of `SUMMARY.md` (files named `NN-….md`), in order.
fn chapters() -> Vec<Chapter> {
    let summary = page("SUMMARY.md");
    let mut chapters = Vec::new();
    for (title, file) in links(&summary) {
        let digits: String = file.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.len() == 2 && file[2..].starts_with('-') {
            chapters.push(Chapter {
                number: digits.parse().unwrap(),
                title,
                file,
            });
        }
    }
    assert!(chapters.len() >= 10, "SUMMARY.md lists only {chapters:?}");
    chapters
}

/// The text of a page from the heading `heading` (exact line) to the next heading of the
/// same or a higher level.
fn section(text: &str, heading: &str) -> String {
    let level = heading.chars().take_while(|&c| c == '#').count();
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines() {
        if inside {
            let hashes = line.chars().take_while(|&c| c == '#').count();
            if hashes > 0 && hashes <= level && line[hashes..].starts_with(' ') {
                break;
            }
            out += line;
            out += "\n";
        } else if line.trim_end() == heading {
            inside = true;
        }
    }
    assert!(inside, "no heading `{heading}`");
    out
}

/// The rows of the first Markdown table in `text`, as trimmed cells (header and rule dropped).
fn table_rows(text: &str) -> Vec<Vec<String>> {
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with('|'))
        .take_while(|l| l.trim_start().starts_with('|'))
        .collect();
    lines
        .iter()
        .skip(2)
        .map(|l| {
            let inner = l.trim().trim_start_matches('|').trim_end_matches('|');
            inner.split('|').map(|c| c.trim().to_string()).collect()
        })
        .collect()
}

/// The `code spans` of a text.
fn code_spans(text: &str) -> Vec<String> {
    text.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_string())
        .collect()
}

/// The command path of an `aigc …` command line: its subcommand words, without options and
/// their values (`aigc --device cuda bench` → `bench`, `aigc lstm generate --prompt 猫` →
/// `lstm generate`).
fn command_path(command: &str) -> Option<String> {
    let mut words = command.split_whitespace();
    if words.next() != Some("aigc") {
        return None;
    }
    let mut path = Vec::new();
    let mut skip_value = false;
    for w in words {
        if skip_value {
            skip_value = false;
        } else if w.starts_with("--") {
            skip_value = !w.contains('=') && w != "--help" && w != "--quick" && w != "--resume";
        } else {
            path.push(w);
        }
    }
    Some(path.join(" "))
}

/// The README's table: chapter page → (title, notebooks, command paths).
fn readme_rows() -> BTreeMap<String, (String, Vec<String>, BTreeSet<String>)> {
    let readme = read("README.md");
    let mut rows = BTreeMap::new();
    for cells in table_rows(&readme) {
        assert_eq!(cells.len(), 4, "README table row {cells:?}");
        let page = code_spans(&cells[1]).join("");
        let notebooks = code_spans(&cells[2]);
        let commands = code_spans(&cells[3])
            .iter()
            .filter_map(|c| command_path(c))
            .collect();
        rows.insert(page, (cells[0].clone(), notebooks, commands));
    }
    rows
}

#[test]
fn every_chapter_is_in_the_prefaces_tour_with_its_number_and_title() {
    let tour = section(&page("01-preface.md"), "## What you will build");
    let found = links(&tour);
    let mut missing = Vec::new();
    for ch in chapters().iter().filter(|c| c.number >= 2) {
        let want = format!("Chapter {}, *{}*", ch.number, ch.title);
        if !found
            .iter()
            .any(|(label, target)| label == &want && target == &ch.file)
        {
            missing.push(format!("[{want}]({})", ch.file));
        }
    }
    assert!(
        missing.is_empty(),
        "the preface's tour (## What you will build) lacks:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_chapter_is_in_the_readmes_table_with_its_title() {
    let rows = readme_rows();
    let mut problems = Vec::new();
    for ch in chapters() {
        let key = format!("book/src/{}", ch.file);
        match rows.get(&key) {
            None => problems.push(format!("README's table has no row for {key}")),
            Some((title, _, _)) if title != &ch.title => problems.push(format!(
                "README calls {key} \"{title}\", SUMMARY.md \"{}\"",
                ch.title
            )),
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_notebook_is_named_by_the_readme_the_preface_and_the_instructors_guide() {
    let rows = readme_rows();
    let preface = section(&page("01-preface.md"), "## Three ways into each chapter");
    let guide = page("instructors.md");
    let mut problems = Vec::new();
    let mut count = 0;
    for entry in std::fs::read_dir(root().join("notebooks")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "ipynb") {
            continue;
        }
        count += 1;
        let name = format!("notebooks/{}", path.file_name().unwrap().to_string_lossy());
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let chapter_page = format!("book/src/{stem}.md");
        match rows.get(&chapter_page) {
            Some((_, notebooks, _)) if notebooks.contains(&name) => {}
            _ => problems.push(format!(
                "README's row for {chapter_page} does not name {name}"
            )),
        }
        if !preface.contains(&format!("`{name}`")) {
            problems.push(format!(
                "the preface's *Three ways into each chapter* omits {name}"
            ));
        }
        if !guide.contains(&name) {
            problems.push(format!("the instructor's guide omits {name}"));
        }
    }
    assert!(count >= 6, "found only {count} notebooks");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_prefaces_command_table_lists_the_readmes_commands() {
    let preface = section(&page("01-preface.md"), "## Three ways into each chapter");
    let readme = readme_rows();
    let mut preface_rows = BTreeMap::new();
    for cells in table_rows(&preface) {
        let number: u32 = cells[0]
            .split('.')
            .next()
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("preface command table row {cells:?}"));
        let commands: BTreeSet<String> = code_spans(cells.last().unwrap())
            .iter()
            .filter_map(|c| command_path(c))
            .collect();
        preface_rows.insert(number, commands);
    }
    let mut problems = Vec::new();
    for ch in chapters() {
        let Some((_, _, commands)) = readme.get(&format!("book/src/{}", ch.file)) else {
            continue;
        };
        if commands.is_empty() {
            continue;
        }
        match preface_rows.get(&ch.number) {
            None => problems.push(format!(
                "the preface's command table has no row for chapter {}",
                ch.number
            )),
            Some(p) if p != commands => problems.push(format!(
                "chapter {}: README lists {commands:?}, the preface {p:?}",
                ch.number
            )),
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_faq_names_every_commands_output_folder() {
    let faq = section(&page("appendix-faq.md"), "### Where do the results go?");
    let mut folders = BTreeSet::new();
    for (_, _, commands) in readme_rows().values() {
        for c in commands {
            if let Some(first) = c.split_whitespace().next() {
                folders.insert(first.to_string());
            }
        }
    }
    assert!(folders.len() >= 8, "README's commands: {folders:?}");
    let missing: Vec<_> = folders
        .iter()
        .filter(|f| !faq.contains(&format!("`out/{f}/`")))
        .collect();
    assert!(
        missing.is_empty(),
        "the FAQ's *Where do the results go?* does not name out/<folder>/ for {missing:?}"
    );
}

/// The chapter numbers of the `src/exercises/chNN.rs` files.
fn exercise_chapters() -> BTreeSet<u32> {
    std::fs::read_dir(root().join("src/exercises"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_prefix("ch")?.strip_suffix(".rs")?.parse().ok()
        })
        .collect()
}

#[test]
fn the_preface_names_every_chapter_with_checked_exercises_and_each_is_registered() {
    let preface = section(&page("01-preface.md"), "## How to check your exercises");
    let sentence = preface
        .split(". ")
        .find(|s| s.contains("end with exercises"))
        .expect("a sentence `Chapters …, … and … end with exercises`");
    let named: BTreeSet<u32> = sentence
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    let files = exercise_chapters();
    assert_eq!(
        named, files,
        "the preface names chapters {named:?}, src/exercises/ has {files:?}"
    );
    let modules = read("src/exercises/mod.rs");
    let solutions = read("src/exercises/solutions/mod.rs");
    let tests = read("tests/exercises.rs");
    for n in files {
        let m = format!("pub mod ch{n:02};");
        assert!(modules.contains(&m), "src/exercises/mod.rs lacks `{m}`");
        assert!(
            solutions.contains(&m),
            "src/exercises/solutions/mod.rs lacks `{m}`"
        );
        assert!(
            tests.contains(&format!("mod ch{n:02} {{")),
            "tests/exercises.rs has no `mod ch{n:02}`"
        );
    }
}

#[test]
fn every_checked_exercise_has_the_number_its_page_gives_it() {
    let chapters = chapters();
    let mut problems = Vec::new();
    for n in exercise_chapters() {
        let ch = chapters
            .iter()
            .find(|c| c.number == n)
            .unwrap_or_else(|| panic!("src/exercises/ch{n:02}.rs but no chapter {n}"));
        let text = page(&ch.file);
        let exercises = section(&text, "## Exercises");
        let stubs = read(&format!("src/exercises/ch{n:02}.rs"));
        let mut function = None;
        let mut count = 0;
        for line in stubs.lines() {
            if let Some(rest) = line.trim_start().strip_prefix("pub fn ") {
                function = rest.split(['(', '<']).next().map(str::to_string);
            }
            let Some(rest) = line.trim_start().strip_prefix("\"Exercise ") else {
                continue;
            };
            let label = rest.split(':').next().unwrap();
            let k = label.split('.').nth(1).unwrap();
            let f = function.clone().expect("a stub inside a pub fn");
            count += 1;
            let want = format!("{k}. **");
            let path = format!("`aigc::exercises::ch{n:02}::{f}`");
            let ok = exercises
                .lines()
                .any(|l| l.starts_with(&want) && l.contains(&path));
            if !ok {
                problems.push(format!(
                    "{}: exercise {k} should be `{want}…** ({path})`, the stub's label is \"Exercise {label}\"",
                    ch.file
                ));
            }
        }
        assert!(count > 0, "no exercise labels in ch{n:02}.rs");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn links_that_name_a_chapter_point_at_that_chapter() {
    let chapters = chapters();
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(root().join("book/src")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        for (label, target) in links(&text) {
            let lower = label.to_lowercase();
            let Some(rest) = lower
                .strip_prefix("chapters ")
                .or_else(|| lower.strip_prefix("chapter "))
            else {
                continue;
            };
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            let Ok(n) = digits.parse::<u32>() else {
                continue;
            };
            let file = target.split('#').next().unwrap();
            match chapters.iter().find(|c| c.number == n) {
                Some(c) if c.file == file => {}
                _ => problems.push(format!("{name}: [{label}]({target}) is not chapter {n}")),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_page_says_that_a_written_chapter_is_still_to_come() {
    let stale = [
        "being written",
        "will take their places",
        "about to build",
        "are about to",
        "as you will do",
    ];
    // Pages after the last model chapter may not look forward to "later" chapters.
    let forward = ["later in the book", "a later chapter", "later chapters"];
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(root().join("book/src")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap().replace('\n', " ");
        let lower = text.to_lowercase();
        for phrase in stale {
            if lower.contains(phrase) {
                problems.push(format!("{name}: \"{phrase}\""));
            }
        }
        let number: u32 = name[..2].parse().unwrap_or(99);
        if number >= 9 {
            for phrase in forward {
                if lower.contains(phrase) {
                    problems.push(format!("{name}: \"{phrase}\" (nothing comes later)"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_chapter_opens_with_objectives_prerequisites_and_time() {
    let mut problems = Vec::new();
    for ch in chapters().iter().filter(|c| c.number >= 2) {
        let text = page(&ch.file);
        // The block comes before the first section of the chapter.
        let opening: String = text
            .lines()
            .skip(1)
            .take_while(|l| !l.starts_with("## "))
            .collect::<Vec<_>>()
            .join("\n");
        for label in ["> **Objectives.**", "> **Prerequisites.**", "> **Time.**"] {
            if !opening.lines().any(|l| l.starts_with(label)) {
                problems.push(format!(
                    "{}: no `{label}` line before the first ##",
                    ch.file
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_instructors_guide_schedules_every_chapter_and_is_in_the_summary() {
    let summary = page("SUMMARY.md");
    assert!(
        links(&summary).iter().any(|(_, t)| t == "instructors.md"),
        "SUMMARY.md must link instructors.md"
    );
    let syllabus = section(&page("instructors.md"), "## A twelve-week syllabus");
    let linked: BTreeSet<String> = links(&syllabus)
        .into_iter()
        .map(|(_, t)| t.split('#').next().unwrap().to_string())
        .collect();
    let missing: Vec<_> = chapters()
        .into_iter()
        .filter(|c| c.number >= 2 && !linked.contains(&c.file))
        .map(|c| c.file)
        .collect();
    assert!(missing.is_empty(), "the syllabus does not link {missing:?}");
    for n in exercise_chapters() {
        assert!(
            syllabus.contains(&format!("ch{n:02}")),
            "the syllabus does not assign the checked exercises of chapter {n} (ch{n:02})"
        );
    }
}

#[test]
fn every_figure_is_shown_with_alt_text_and_describes_itself() {
    let mut shown = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("book/src")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("![") {
            let after = &rest[i + 2..];
            let Some(close) = after.find("](") else { break };
            let alt = after[..close].trim().to_string();
            let target_start = &after[close + 2..];
            let end = target_start.find(')').unwrap_or(target_start.len());
            let target = &target_start[..end];
            if let Some(name) = target.strip_prefix("figures/") {
                shown.insert(name.to_string(), alt);
            }
            rest = &target_start[end..];
        }
    }
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(root().join("book/src/figures")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match shown.get(&name) {
            None => problems.push(format!("figures/{name} is shown by no page")),
            Some(alt) if alt.len() < 20 => {
                problems.push(format!("figures/{name}: alt text \"{alt}\" is too short"))
            }
            Some(_) => {}
        }
        if name.ends_with(".svg") {
            let svg = std::fs::read_to_string(&path).unwrap();
            for tag in ["<title", "<desc", "role=\"img\""] {
                if !svg.contains(tag) {
                    problems.push(format!("figures/{name} has no {tag}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn katex_stylesheet_and_fonts_are_in_the_repository() {
    // `mdbook serve book` on a fresh clone needs them (book.toml's additional-css).
    let toml = read("book/book.toml");
    let css_line = toml
        .lines()
        .find(|l| l.starts_with("additional-css"))
        .expect("additional-css in book.toml");
    for css in css_line.split('"').skip(1).step_by(2) {
        assert!(
            root().join("book").join(css).is_file(),
            "book/{css} (book.toml's additional-css) is not in the repository"
        );
    }
    let katex = read("book/katex/katex.min.css");
    let mut fonts = 0;
    for url in katex.split("url(").skip(1) {
        let file = url.split(')').next().unwrap();
        if file.ends_with(".woff2") {
            fonts += 1;
            assert!(
                root().join("book/src/katex").join(file).is_file(),
                "book/src/katex/{file}, which katex.min.css loads, is missing"
            );
        }
    }
    assert!(fonts >= 20, "katex.min.css names only {fonts} WOFF2 fonts");
    let ignore = read(".gitignore");
    assert!(
        !ignore
            .lines()
            .any(|l| !l.starts_with('#') && l.contains("katex")),
        ".gitignore must not ignore the committed KaTeX files"
    );
}

/// The symbols of a notation table: the first cell of every row, as written.
fn symbols(table: &[Vec<String>]) -> Vec<String> {
    table.iter().map(|r| r[0].clone()).collect()
}

#[test]
fn no_symbol_of_the_notation_tables_has_two_meanings() {
    let math = page("appendix-math.md");
    let notation = section(&math, "## Notation");
    let global = table_rows(&section(&notation, "### Symbols of the whole book"));
    assert!(
        global.len() >= 20,
        "the book-wide table has {} rows",
        global.len()
    );
    let global_symbols = symbols(&global);
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for s in &global_symbols {
        if !seen.insert(s.clone()) {
            problems.push(format!("book-wide table: {s} twice"));
        }
    }
    let per_chapter = section(&notation, "### Symbols of one chapter");
    let mut tables = 0;
    for block in per_chapter.split("\n#### ").skip(1) {
        tables += 1;
        let heading = block.lines().next().unwrap().to_string();
        let mut local = BTreeSet::new();
        for s in symbols(&table_rows(block)) {
            if global_symbols.contains(&s) {
                problems.push(format!("{heading}: {s} is already a book-wide symbol"));
            }
            if !local.insert(s.clone()) {
                problems.push(format!("{heading}: {s} twice"));
            }
        }
    }
    assert!(tables >= 8, "found {tables} per-chapter tables");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
