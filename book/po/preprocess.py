#!/usr/bin/env python3
"""mdBook preprocessors for the two editions (book.toml), one mode each:

  skip-listings  (xgettext only) blanks the inside of every fenced code block before
                 mdbook-xgettext extracts the messages, so no listing becomes a message:
                 mdbook-gettext leaves a code block as it is when the catalog has no message
                 for it, and both editions show the same code and program output. Lines are
                 blanked, not removed, so messages.pot's line numbers stay right.
  mark-generated (xgettext only, before the includes are expanded) puts marker comments
                 around each {{#include generated/…}} (the CLI's tables and lists), and
                 skip-listings then also blanks, between the markers, every table cell and
                 line with a digit: the numbers of the generated tables are program output,
                 shared by both editions and never in the catalog (a regenerated number would
                 otherwise turn its translation fuzzy); their labels without digits
                 ("closed-form MSE", "optimiser") are translated.
  protect-math   (xgettext, and the translated edition before mdbook-gettext) writes each
                 $…$ and $$…$$ span as an inline code span `$…$`. mdbook-gettext rebuilds
                 every paragraph through a Markdown parser and printer, which escapes `_`,
                 `<`, `[` and drops the backslash of `\\,` inside math (the math would no
                 longer be LaTeX); a code span goes through verbatim. Translators see
                 `$\\eta$` and copy it as it is.
                 In the translated edition it also gives every heading the id mdBook gives
                 it in English (`## 转置 {#the-transpose}`): the 132 cross-references of the
                 book (`appendix-math.md#the-transpose`) then land on their section in both
                 editions, and the language switch keeps the section.
  restore-math   (the translated edition, after mdbook-gettext, before mdbook-katex) turns
                 those code spans back into $…$ / $$…$$ for KaTeX.

The English edition (book.language = "en") is left untouched by protect/restore.
"""
import json
import re
import sys

FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})")


def fences(text):
    """Yields (line, inside_fence) for each line, fence lines counting as inside."""
    fence = None
    for line in text.split("\n"):
        m = FENCE.match(line)
        if fence is None:
            if m:
                fence = m.group(1)
                yield line, True, False
            else:
                yield line, False, False
        elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                and line.strip().lstrip(">").strip() == m.group(1):
            fence = None
            yield line, True, False
        else:
            yield line, True, True  # a line of code


GENERATED_START, GENERATED_END = "<!-- aigc:generated -->", "<!-- /aigc:generated -->"


def mark_generated(text):
    out = []
    for line in text.split("\n"):
        if line.startswith("{{#include generated/"):
            out += [GENERATED_START, line, GENERATED_END]
        else:
            out.append(line)
    return "\n".join(out)


def without_numbers(line):
    """A generated line without what has a digit: table cells blanked, other lines emptied."""
    if not re.search(r"\d", line):
        return line
    if line.lstrip().startswith("|"):
        cells = line.strip().strip("|").split("|")
        return "| " + " | ".join("" if re.search(r"\d", c) else c.strip() for c in cells) + " |"
    return ""


def skip_listings(text):
    out, generated = [], False
    for line, _, code in fences(text):
        if line == GENERATED_START or line == GENERATED_END:
            generated = line == GENERATED_START
            out.append("")
        elif code:
            out.append("")
        else:
            out.append(without_numbers(line) if generated else line)
    return "\n".join(out)


HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")


def heading_id(text, used):
    """mdBook 0.5's id for a heading (id_from_content + unique_id of mdbook-html/utils.rs)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link's text
    text = re.sub(r"(?<![\w\\])[*_]+|[*_]+(?![\w])|`", "", text)  # emphasis markers, backticks
    base = "".join(c if c.isalnum() or c in "_-" else "-" if c.isspace() else ""
                   for c in text.strip().lower())
    cand, k = base, 0
    while cand in used:
        k += 1
        cand = f"{base}-{k}"
    used.add(cand)
    return cand


def english_ids(text):
    """Each ATX heading (outside code) gets an explicit {#id}: the id it has in English."""
    out, used = [], set()
    for line, in_fence, _ in fences(text):
        m = None if in_fence else HEADING.match(line)
        if m and "{#" not in line and "$" not in line:
            line = f"{line.rstrip()} {{#{heading_id(m.group(2), used)}}}"
        out.append(line)
    return "\n".join(out)


def protect_math(text):
    """$…$ / $$…$$ outside code → `$…$` / `$$…$$` (newlines inside math become spaces)."""
    # Work paragraph-wise on the prose between fenced blocks.
    out, prose = [], []

    def flush():
        if prose:
            out.append(protect_prose("\n".join(prose)))
            prose.clear()

    for line, in_fence, _ in fences(text):
        if in_fence:
            flush()
            out.append(line)
        else:
            prose.append(line)
    flush()
    return "\n".join(out)


def protect_prose(text):
    res, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:
            res.append(text[i:i + 2])
            i += 2
        elif c == "`":
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            end = text.find("`" * run, i + run)
            while end != -1 and end + run < n and text[end + run] == "`":
                end = text.find("`" * run, end + run + 1)
            if end == -1:
                res.append(text[i:i + run])
                i += run
            else:
                res.append(text[i:end + run])
                i = end + run
        elif c == "$":
            delim = "$$" if text.startswith("$$", i) else "$"
            end = text.find(delim, i + len(delim))
            # inline math stays within a paragraph
            if end == -1 or (delim == "$" and "\n\n" in text[i:end]):
                res.append(c)
                i += 1
                continue
            body = text[i:end + len(delim)]
            res.append("`" + re.sub(r"\s*\n\s*", " ", body) + "`")
            i = end + len(delim)
        else:
            res.append(c)
            i += 1
    return "".join(res)


CODE_MATH = re.compile(r"`(\$\$[^`]*?\$\$|\$[^`$][^`]*?\$)`")


def restore_math(text):
    out = []
    for line, in_fence, _ in fences(text):
        out.append(line if in_fence else CODE_MATH.sub(lambda m: m.group(1), line))
    return "\n".join(out)


def walk(node, change):
    if isinstance(node, dict):
        chapter = node.get("Chapter")
        if isinstance(chapter, dict) and isinstance(chapter.get("content"), str):
            chapter["content"] = change(chapter["content"])
        for value in node.values():
            walk(value, change)
    elif isinstance(node, list):
        for value in node:
            walk(value, change)


MODES = {"mark-generated": mark_generated, "skip-listings": skip_listings, "protect-math": protect_math, "restore-math": restore_math}

if __name__ == "__main__":
    mode = sys.argv[1]
    if len(sys.argv) > 2 and sys.argv[2] == "supports":
        renderer = sys.argv[3]
        ok = renderer == "xgettext" if mode in ("skip-listings", "mark-generated") else \
            renderer != "xgettext" if mode == "restore-math" else True
        sys.exit(0 if ok else 1)
    context, book = json.load(sys.stdin)
    language = (context.get("config", {}).get("book", {}).get("language") or "en")
    if mode in ("skip-listings", "mark-generated") or context.get("renderer") == "xgettext" \
            or language != "en":
        walk(book, MODES[mode])
    if mode == "protect-math" and context.get("renderer") != "xgettext" and language != "en":
        walk(book, english_ids)
    json.dump(book, sys.stdout)
