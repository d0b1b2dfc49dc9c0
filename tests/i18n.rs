//! The 简体中文 edition's catalog (`book/po/zh-CN.po`, made by `scripts/i18n.sh merge` from the
//! translators' fragments `book/po/zh-CN/*.po` and the English messages `book/po/messages.pot`):
//! - complete: every message of `messages.pot` is in the catalog, translated (non-empty
//!   msgstr) and not fuzzy (mdbook-gettext shows the English text for both, so a page would be
//!   half English);
//! - faithful to the glossary (`book/src/appendix-glossary.md`): no msgstr uses a rendering
//!   the glossary's "Not used" column lists, and where a msgid has a glossary term its msgstr
//!   has the term's rendering: always for terms of two or more words ("gradient descent",
//!   "loss function"), in at least two thirds of the messages for one-word terms ("gate",
//!   "token": a one-word term can have an everyday sense), except "bias", whose everyday
//!   sense (bias in data, 偏见) chapter 10 discusses as often as the parameter; a translator
//!   comment `# glossary: <English term>` on an entry accepts a justified exception. Fuzzy
//!   entries are left to the first check (mdbook-gettext does not show them);
//! - intact: every `{{#include …}}`, `$…$` math span, inline code span and link target of a
//!   msgid appears unchanged in its msgstr (math, code and links are the same in both editions),
//!   and so does every number of its prose ("1,000" may lose its comma), so the two editions
//!   never disagree on a number; a translator comment `# numbers: <why>` accepts a rewording
//!   ("by a factor of 3 to 10" → 三分之一到十分之一).
//!
//! Every check is a function over the catalog's text, and `planted_mistakes_are_caught` runs
//! each on a temporary copy of the catalog with one bad entry planted, to show it can fail.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (scripts/i18n.sh extract makes messages.pot, scripts/i18n.sh merge makes zh-CN.po)",
            path.display()
        )
    })
}

/// One catalog entry (obsolete `#~` entries are skipped by the parser).
#[derive(Debug, Clone, Default)]
struct Entry {
    msgctxt: Option<String>,
    msgid: String,
    msgstr: String,
    fuzzy: bool,
    /// `#:` source references, e.g. `src/05-gradient-descent.md:12`.
    sources: Vec<String>,
    /// `# ` translator comments.
    comments: Vec<String>,
    /// The entry's first line in the file (1-based), for messages.
    line: usize,
}

impl Entry {
    fn is_header(&self) -> bool {
        self.msgid.is_empty() && self.msgctxt.is_none()
    }
    fn key(&self) -> (Option<String>, String) {
        (self.msgctxt.clone(), self.msgid.clone())
    }
    fn only_from(&self, page: &str) -> bool {
        !self.sources.is_empty() && self.sources.iter().all(|s| s.contains(page))
    }
    fn waived(&self, term: &str) -> bool {
        self.comments.iter().any(|c| {
            c.strip_prefix("glossary:")
                .is_some_and(|t| t.trim().eq_ignore_ascii_case(term))
        })
    }
    fn describe(&self) -> String {
        let id: String = self.msgid.chars().take(70).collect();
        format!("line {}: {id:?}", self.line)
    }
}

/// A PO string literal's content, C escapes resolved.
fn unquote(s: &str, line: usize) -> String {
    let s = s.trim();
    assert!(
        s.len() >= 2 && s.starts_with('"') && s.ends_with('"'),
        "line {line}: not a PO string: {s}"
    );
    let mut out = String::new();
    let mut chars = s[1..s.len() - 1].chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => panic!("line {line}: dangling backslash"),
        }
    }
    out
}

/// Parses a PO/POT file: msgctxt, msgid, msgstr (msgstr[0] for plurals), flags, references.
fn parse_po(text: &str) -> Vec<Entry> {
    #[derive(PartialEq)]
    enum Field {
        None,
        Ctxt,
        Id,
        IdPlural,
        Str,
        StrOther,
    }
    let mut entries = Vec::new();
    let mut cur = Entry::default();
    let mut field = Field::None;
    let mut started = false;
    let mut flush = |cur: &mut Entry, started: &mut bool| {
        if *started {
            entries.push(std::mem::take(cur));
        }
        *cur = Entry::default();
        *started = false;
    };
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end();
        if line.starts_with("#~") {
            continue; // obsolete
        }
        // A comment or keyword after a msgstr starts the next entry.
        let new_entry =
            line.starts_with('#') || line.starts_with("msgctxt") || line.starts_with("msgid ");
        if new_entry && matches!(field, Field::Str | Field::StrOther) {
            flush(&mut cur, &mut started);
            field = Field::None;
        }
        if cur.line == 0 && !line.is_empty() {
            cur.line = n;
        }
        if line.is_empty() {
            continue;
        } else if let Some(flags) = line.strip_prefix("#,") {
            cur.fuzzy |= flags.split(',').any(|f| f.trim() == "fuzzy");
        } else if let Some(refs) = line.strip_prefix("#:") {
            cur.sources
                .extend(refs.split_whitespace().map(str::to_string));
        } else if let Some(c) = line.strip_prefix("# ") {
            cur.comments.push(c.trim().to_string());
        } else if line.starts_with('#') {
            // #. extracted comments, #| previous msgid: not needed here.
        } else if let Some(s) = line.strip_prefix("msgctxt ") {
            cur.msgctxt = Some(unquote(s, n));
            field = Field::Ctxt;
        } else if let Some(s) = line.strip_prefix("msgid_plural ") {
            let _ = unquote(s, n);
            field = Field::IdPlural;
        } else if let Some(s) = line.strip_prefix("msgid ") {
            cur.msgid = unquote(s, n);
            started = true;
            field = Field::Id;
        } else if let Some(s) = line
            .strip_prefix("msgstr[0] ")
            .or_else(|| line.strip_prefix("msgstr "))
        {
            cur.msgstr = unquote(s, n);
            field = Field::Str;
        } else if line.starts_with("msgstr[") {
            field = Field::StrOther;
        } else if line.starts_with('"') {
            let s = unquote(line, n);
            match field {
                Field::Ctxt => cur.msgctxt.get_or_insert_with(String::new).push_str(&s),
                Field::Id => cur.msgid.push_str(&s),
                Field::Str => cur.msgstr.push_str(&s),
                Field::IdPlural | Field::StrOther => {}
                Field::None => panic!("line {n}: a string outside any field"),
            }
        } else {
            panic!("line {n}: not PO syntax: {line}");
        }
    }
    flush(&mut cur, &mut started);
    entries
}

/// One glossary row: the English term(s), the rendering(s), the avoided renderings.
#[derive(Debug, Clone)]
struct Term {
    english: String,
    chinese: String,
    avoided: Vec<String>,
}

/// The rows of the glossary's table (English | 简体中文 | Not used).
fn parse_glossary(text: &str) -> Vec<Term> {
    let mut terms = Vec::new();
    let mut in_table = false;
    for line in text.lines() {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if !line.trim_start().starts_with('|') {
            in_table = false;
            continue;
        }
        if cells.first() == Some(&"English") {
            in_table = true;
            continue;
        }
        if !in_table
            || cells
                .iter()
                .all(|c| c.chars().all(|ch| ch == '-' || ch == ':'))
        {
            continue;
        }
        assert_eq!(cells.len(), 3, "glossary row without three cells: {line}");
        let avoided = if cells[2] == "—" || cells[2].is_empty() {
            Vec::new()
        } else {
            cells[2].split('、').map(|s| s.trim().to_string()).collect()
        };
        terms.push(Term {
            english: cells[0].to_string(),
            chinese: cells[1].to_string(),
            avoided,
        });
    }
    terms
}

fn glossary() -> Vec<Term> {
    let terms = parse_glossary(&read(&root().join("book/src/appendix-glossary.md")));
    assert!(
        terms.len() >= 40,
        "only {} glossary rows parsed",
        terms.len()
    );
    terms
}

/// The English words a term is matched by: the term without its parenthesised note
/// ("mean squared error (MSE)" → "mean squared error"); None for list rows
/// ("query, key, value"), which have no single rendering to look for.
fn english_key(term: &Term) -> Option<String> {
    let key = term
        .english
        .split(" (")
        .next()
        .unwrap()
        .trim()
        .to_lowercase();
    (!key.contains(',') && !term.chinese.contains('、')).then_some(key)
}

/// The prose of a message: inline code, math, link targets and HTML tags removed.
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let skip_to = match c {
            '`' => rest[1..].find('`').map(|i| i + 2),
            '$' => rest[1..].find('$').map(|i| i + 2),
            '<' => rest.find('>').map(|i| i + 1),
            ']' if rest.starts_with("](") => rest.find(')').map(|i| i + 1),
            _ => None,
        };
        match skip_to {
            Some(n) => {
                out.push(' ');
                rest = &rest[n..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// Whether `text` has `words` as whole words (any case, any run of spaces or line breaks
/// between them, an optional plural "s"/"es" at the end).
fn has_words(text: &str, words: &str) -> bool {
    let norm = |s: &str| -> Vec<char> {
        let mut v = Vec::new();
        for c in s.to_lowercase().chars() {
            let c = if c.is_whitespace() { ' ' } else { c };
            if !(c == ' ' && v.last() == Some(&' ')) {
                v.push(c);
            }
        }
        v
    };
    let (t, w) = (norm(text), norm(words));
    let word_char = |c: char| c.is_alphanumeric() || c == '_';
    (0..t.len()).any(|i| {
        if t.len() - i < w.len() || t[i..i + w.len()] != w[..] || (i > 0 && word_char(t[i - 1])) {
            return false;
        }
        let end = i + w.len();
        let after = |k: usize| t.get(k).is_none_or(|&c| !word_char(c));
        after(end)
            || (t.get(end) == Some(&'s') && after(end + 1))
            || (t.get(end) == Some(&'e') && t.get(end + 1) == Some(&'s') && after(end + 2))
    })
}

/// The spans of a msgid that must reach its msgstr unchanged.
fn protected_spans(msgid: &str) -> Vec<String> {
    let mut spans = Vec::new();
    let mut rest = msgid;
    while let Some(i) = rest.find("{{#") {
        let end = rest[i..].find("}}").map_or(rest.len(), |e| i + e + 2);
        spans.push(rest[i..end].to_string());
        rest = &rest[end..];
    }
    for delim in ['`', '$'] {
        let parts: Vec<&str> = msgid.split(delim).collect();
        // Only balanced delimiters: a lone `$` (a price, a shell prompt) is prose.
        if parts.len() >= 3 && parts.len() % 2 == 1 {
            for (k, p) in parts.iter().enumerate() {
                if k % 2 == 1 && !p.is_empty() && !(delim == '$' && p.starts_with('$')) {
                    spans.push(format!("{delim}{p}{delim}"));
                }
            }
        }
    }
    let mut rest = msgid;
    while let Some(i) = rest.find("](") {
        let end = rest[i..].find(')').map_or(rest.len(), |e| i + e + 1);
        spans.push(rest[i + 1..end].to_string());
        rest = &rest[end..];
    }
    spans
}

// ---- the checks: each returns its findings, one line each, empty when all is well ----

/// Messages of the template missing from the catalog, untranslated or fuzzy.
fn check_complete(pot: &[Entry], catalog: &[Entry]) -> Vec<String> {
    let by_key: BTreeMap<_, _> = catalog.iter().map(|e| (e.key(), e)).collect();
    let mut found = Vec::new();
    for m in pot.iter().filter(|e| !e.is_header()) {
        match by_key.get(&m.key()) {
            None => found.push(format!(
                "not in zh-CN.po (run scripts/i18n.sh merge): {}",
                m.describe()
            )),
            Some(e) if e.fuzzy => found.push(format!("fuzzy: {}", e.describe())),
            Some(e) if e.msgstr.trim().is_empty() => {
                found.push(format!("untranslated: {}", e.describe()))
            }
            Some(_) => {}
        }
    }
    for e in catalog.iter().filter(|e| !e.is_header()) {
        if e.fuzzy && !pot.iter().any(|m| m.key() == e.key()) {
            found.push(format!("fuzzy: {}", e.describe()));
        }
    }
    found
}

/// Renderings the glossary says this edition does not use.
fn check_avoided(catalog: &[Entry], terms: &[Term]) -> Vec<String> {
    let mut found = Vec::new();
    for e in shown(catalog) {
        for t in terms {
            for bad in &t.avoided {
                // The glossary's own "Not used" cells name them on purpose.
                if e.msgstr.contains(bad.as_str()) && !e.msgid.contains(bad.as_str()) {
                    found.push(format!(
                        "{bad} (glossary: {} = {}): {}",
                        t.english,
                        t.chinese,
                        e.describe()
                    ));
                }
            }
        }
    }
    found
}

/// One-word terms whose everyday sense the book uses as well: not checked for their rendering.
const EVERYDAY_SENSE: &[&str] = &["bias"];

/// The entries whose msgstr the Chinese edition shows (not the header, translated, not fuzzy).
fn shown(catalog: &[Entry]) -> impl Iterator<Item = &Entry> {
    catalog
        .iter()
        .filter(|e| !e.is_header() && !e.fuzzy && !e.msgstr.is_empty())
}

/// Glossary terms whose rendering is missing where the English term is: every message for
/// a multi-word term, more than a third of them for a one-word term.
fn check_terms(catalog: &[Entry], terms: &[Term]) -> Vec<String> {
    let mut found = Vec::new();
    for t in terms {
        let Some(key) = english_key(t) else { continue };
        if EVERYDAY_SENSE.contains(&key.as_str()) {
            continue;
        }
        let multi_word = key.contains(' ') || key.contains('-');
        let (mut with, mut without) = (0usize, Vec::new());
        for e in shown(catalog) {
            // The glossary page itself keeps the English column in English.
            if e.only_from("appendix-glossary.md") || !has_words(&prose(&e.msgid), &key) {
                continue;
            }
            if e.msgstr.contains(t.chinese.as_str()) || e.waived(&key) || e.waived(&t.english) {
                with += 1;
            } else {
                without.push(e);
            }
        }
        let total = with + without.len();
        let fails = if multi_word {
            !without.is_empty()
        } else {
            total >= 3 && without.len() * 3 > total
        };
        if fails {
            let rule = if multi_word {
                "every message"
            } else {
                "two thirds of the messages"
            };
            for e in without {
                found.push(format!(
                    "{key:?} without {} ({} of {total} messages; rule: {rule}): {}",
                    t.chinese,
                    total - with,
                    e.describe()
                ));
            }
        }
    }
    found
}

/// The numbers of a text's prose (digits with `.` or `,` inside), commas dropped. Numbers a
/// translation writes its own way are left out: magnitudes ("7 billion" is 70 亿) and
/// dimensions ("2-D" is 二维).
fn numbers(text: &str) -> Vec<String> {
    const OWN_WAY: &[&str] = &[
        " thousand",
        " million",
        " billion",
        " trillion",
        "-thousand",
        "-million",
        "-billion",
        "-trillion",
        "-D",
    ];
    let text = prose(text);
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let inside = (c == '.' || c == ',')
            && !cur.is_empty()
            && chars.get(k + 1).is_some_and(|&(_, d)| d.is_ascii_digit());
        if c.is_ascii_digit() || inside {
            if c != ',' {
                cur.push(c);
            }
        } else if !cur.is_empty() {
            let n = std::mem::take(&mut cur);
            if !OWN_WAY.iter().any(|w| text[i..].starts_with(w)) {
                out.push(n);
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Includes, math, inline code, link targets and numbers changed or lost in translation.
fn check_intact(catalog: &[Entry]) -> Vec<String> {
    let mut found = Vec::new();
    for e in shown(catalog) {
        for span in protected_spans(&e.msgid) {
            if !e.msgstr.contains(&span) {
                found.push(format!("{span:?} not in the msgstr: {}", e.describe()));
            }
        }
        if e.comments.iter().any(|c| c.starts_with("numbers:")) {
            continue;
        }
        let have = numbers(&e.msgstr);
        for n in numbers(&e.msgid) {
            if !have.contains(&n) {
                found.push(format!("number {n} not in the msgstr: {}", e.describe()));
            }
        }
    }
    found
}

fn catalog_path() -> PathBuf {
    root().join("book/po/zh-CN.po")
}

fn load(path: &Path) -> Vec<Entry> {
    parse_po(&read(path))
}

fn assert_none(what: &str, found: Vec<String>) {
    let n = found.len();
    let shown: Vec<_> = found.into_iter().take(40).collect();
    assert!(
        n == 0,
        "{n} {what} in book/po/zh-CN.po (showing {}):\n  {}",
        shown.len(),
        shown.join("\n  ")
    );
}

#[test]
fn every_message_is_translated_and_none_is_fuzzy() {
    let pot = load(&root().join("book/po/messages.pot"));
    assert!(
        pot.len() > 100,
        "messages.pot has only {} entries",
        pot.len()
    );
    assert_none(
        "untranslated, fuzzy or missing messages",
        check_complete(&pot, &load(&catalog_path())),
    );
}

#[test]
fn no_avoided_rendering_from_the_glossary() {
    assert_none(
        "avoided renderings",
        check_avoided(&load(&catalog_path()), &glossary()),
    );
}

#[test]
fn glossary_terms_keep_their_rendering() {
    assert_none(
        "messages without their glossary rendering",
        check_terms(&load(&catalog_path()), &glossary()),
    );
}

#[test]
fn includes_math_code_and_links_survive_translation() {
    assert_none("damaged spans", check_intact(&load(&catalog_path())));
}

#[test]
fn the_parsers_read_what_they_should() {
    let po = "# header\nmsgid \"\"\nmsgstr \"\"\n\"Language: zh_CN\\n\"\n\n\
              # glossary: gate\n#: src/a.md:1 src/b.md:2\n#, fuzzy\nmsgid \"\"\n\"two \"\n\"lines\"\nmsgstr \"两行\"\n\n\
              #~ msgid \"old\"\n#~ msgstr \"旧\"\n\nmsgctxt \"c\"\nmsgid \"say \\\"hi\\\"\"\nmsgstr \"\"\n";
    let entries = parse_po(po);
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert!(entries[0].is_header());
    assert_eq!(entries[1].msgid, "two lines");
    assert_eq!(entries[1].msgstr, "两行");
    assert!(entries[1].fuzzy && entries[1].waived("gate"));
    assert_eq!(entries[1].sources, ["src/a.md:1", "src/b.md:2"]);
    assert_eq!(entries[2].msgctxt.as_deref(), Some("c"));
    assert_eq!(entries[2].msgid, "say \"hi\"");

    let terms = glossary();
    let gd = terms
        .iter()
        .find(|t| t.english == "gradient descent")
        .expect("gradient descent row");
    assert_eq!(
        (gd.chinese.as_str(), gd.avoided.as_slice()),
        ("梯度下降", &["梯度递减".to_string()][..])
    );
    let loss = terms
        .iter()
        .find(|t| t.english == "loss function")
        .expect("loss function row");
    assert_eq!(loss.avoided, ["代价函数", "成本函数"]);
    assert!(
        terms
            .iter()
            .any(|t| t.english == "tensor" && t.avoided.is_empty())
    );
    assert_eq!(english_key(&terms[0]).as_deref(), Some("generative ai"));

    assert!(has_words(
        "Stochastic  gradient\ndescent works",
        "gradient descent"
    ));
    assert!(has_words("two loss functions", "loss function"));
    assert!(has_words("the gates", "gate") && has_words("two batches", "batch")); // plurals
    assert!(!has_words("delegate", "gate") && !has_words("gateway", "gate"));
    assert!(has_words(
        &prose("see `x` then [batch](05-x.md#batch)"),
        "batch"
    ));
    assert!(!has_words(&prose("run `aigc --batch 8`"), "batch"));
    assert_eq!(
        protected_spans(
            "A $\\eta$ and `lr` in [the chapter](05-gradient-descent.md#a) {{#include x.rs:y}}"
        ),
        [
            "{{#include x.rs:y}}",
            "`lr`",
            "$\\eta$",
            "(05-gradient-descent.md#a)"
        ]
    );
    assert!(protected_spans("costs $5 or more").is_empty());
    assert_eq!(
        numbers("1,000 epochs at η = 0.1 in `x2` (chapter 5), see [it](05-a.md#a1)."),
        ["1000", "0.1", "5"]
    );
    assert!(numbers("7 billion parameters, 2-D samples").is_empty());
}

/// Plants one mistake at a time into a temporary copy of the catalog and checks that the
/// check meant for it reports it (and that the unchanged copy's findings do not already).
#[test]
fn planted_mistakes_are_caught() {
    let real = std::fs::read_to_string(catalog_path()).unwrap_or_else(|_| {
        "msgid \"\"\nmsgstr \"Language: zh_CN\\n\"\n".to_string() // no catalog yet: plant into an empty one
    });
    let terms = glossary();
    let dir = tempfile::tempdir().unwrap();
    let plant = |extra: &str| -> Vec<Entry> {
        let path = dir.path().join("zh-CN.po");
        std::fs::write(&path, format!("{real}\n{extra}")).unwrap();
        load(&path)
    };
    let planted_id = "A planted message about the learning rate of gradient descent.";
    let pot = parse_po(&format!(
        "msgid \"\"\nmsgstr \"\"\n\nmsgid \"{planted_id}\"\nmsgstr \"\"\n"
    ));
    let only_planted = |found: Vec<String>| -> Vec<String> {
        found
            .into_iter()
            .filter(|f| f.contains("A planted message"))
            .collect()
    };

    let good = format!(
        "#: src/05-gradient-descent.md:1\nmsgid \"{planted_id}\"\nmsgstr \"关于梯度下降的学习率的一条消息。\"\n"
    );
    let c = plant(&good);
    assert!(only_planted(check_complete(&pot, &c)).is_empty());
    assert!(only_planted(check_avoided(&c, &terms)).is_empty());
    assert!(only_planted(check_terms(&c, &terms)).is_empty());
    assert!(only_planted(check_intact(&c)).is_empty());

    let untranslated = plant(&format!("msgid \"{planted_id}\"\nmsgstr \"\"\n"));
    assert!(
        only_planted(check_complete(&pot, &untranslated))
            .iter()
            .any(|f| f.starts_with("untranslated"))
    );
    let fuzzy = plant(&format!(
        "#, fuzzy\nmsgid \"{planted_id}\"\nmsgstr \"关于梯度下降的学习率的一条消息。\"\n"
    ));
    assert!(
        only_planted(check_complete(&pot, &fuzzy))
            .iter()
            .any(|f| f.starts_with("fuzzy"))
    );
    let missing = plant("");
    assert!(
        check_complete(&pot, &missing)
            .iter()
            .any(|f| f.contains("not in zh-CN.po") && f.contains("A planted"))
    );

    let avoided = plant(&format!(
        "msgid \"{planted_id}\"\nmsgstr \"关于梯度递减的学习速率的一条消息。\"\n"
    ));
    let found = only_planted(check_avoided(&avoided, &terms));
    assert!(
        found.iter().any(|f| f.starts_with("梯度递减"))
            && found.iter().any(|f| f.starts_with("学习速率")),
        "{found:?}"
    );

    let wrong_term = plant(&format!(
        "#: src/05-gradient-descent.md:1\nmsgid \"{planted_id}\"\nmsgstr \"关于梯度法的学习率的一条消息。\"\n"
    ));
    let found = only_planted(check_terms(&wrong_term, &terms));
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("\"gradient descent\" without 梯度下降")),
        "{found:?}"
    );
    let waived = plant(&format!(
        "# glossary: gradient descent\nmsgid \"{planted_id}\"\nmsgstr \"关于梯度法的学习率的一条消息。\"\n"
    ));
    assert!(only_planted(check_terms(&waived, &terms)).is_empty());

    let damaged = plant(
        "msgid \"A planted message: $\\\\eta$ in `lr`, see [it](05-gradient-descent.md).\"\nmsgstr \"一条消息：$η$ 在 `学习率` 中，见[此](05-梯度下降.md)。\"\n",
    );
    let found = only_planted(check_intact(&damaged));
    assert_eq!(found.len(), 3, "{found:?}");
    let number = "msgid \"A planted message: 1,000 epochs at 0.1.\"\n";
    let found = only_planted(check_intact(&plant(&format!(
        "{number}msgstr \"一条消息：100 轮，0.1。\"\n"
    ))));
    assert!(
        found.len() == 1 && found[0].starts_with("number 1000"),
        "{found:?}"
    );
    let reworded = format!("# numbers: 一千\n{number}msgstr \"一条消息：一千轮，0.1。\"\n");
    assert!(only_planted(check_intact(&plant(&reworded))).is_empty());
    let same = format!("{number}msgstr \"一条消息：1000 轮，0.1。\"\n");
    assert!(only_planted(check_intact(&plant(&same))).is_empty());
}
