#!/usr/bin/env python3
"""Execute the book's Jupyter notebooks headless with the evcxr Rust kernel, and check them.

Usage:
    python3 scripts/run-notebooks.py                    # what CI runs (see below)
    python3 scripts/run-notebooks.py notebooks/04-mse.ipynb ...
    python3 scripts/run-notebooks.py --write-executed   # regenerate notebooks/executed/
    python3 scripts/run-notebooks.py --unsolved notebooks/04-mse.ipynb
    python3 scripts/run-notebooks.py --zh               # also execute every zh-CN notebook

Layout:
    notebooks/NN-name.ipynb            the sources (committed without outputs)
    notebooks/zh-CN/NN-name.ipynb      the same notebooks with Chinese prose; their code cells
                                       are the English ones, cell for cell
    notebooks/executed/...             executed copies with their outputs (committed), for
                                       reading without running anything
    notebooks/.executed/               scratch: the last run's copies and kernel logs (--unsolved: in unsolved/)

What the default run does (CI):
  1. checks that every zh-CN notebook has exactly the English notebook's code cells (same
     sources, same tags; only the crate path of `:dep aigc` is one folder deeper);
  2. executes every English notebook in a fresh `rust` kernel (evcxr_jupyter; register it
     once with `evcxr_jupyter --install`), with each exercise cell (tag `exercise`) replaced
     by the chapter's reference solution from src/exercises/solutions/, so that every check
     cell (tag `check`) must pass;
  3. compares each executed notebook with its committed copy in notebooks/executed/: the
     same cells, the same sources, and the same text outputs once timings, paths and the
     tiny differences the checks print (1.1e-8) are normalised; in cells tagged `timing`
     the lines that report a time are left out; figures are compared by their kind. A
     difference fails: run `--write-executed` and commit the result;
  4. executes one zh-CN notebook (ZH_EXECUTED) and compares it the same way with its
     executed copy: with step 1 this shows the Chinese notebooks run and print what the
     English ones print. `--zh` executes all of them.

The executed copies keep the exercise cells' stubs (what a reader sees), with the outputs of
the run against the reference solutions. The zh-CN executed copies are the zh-CN sources
with the outputs of the English run, cell for cell (their code is the same).

`--unsolved` runs notebooks the way a reader first does, with the stubs: it passes when
every check cell fails with the stub's "not yet implemented: Exercise …" message and every
other cell passes.

A notebook fails when
  - a cell errors (compile error, panic, timeout, dead kernel), or
  - a cell writes anything to stderr, unless the cell has the tag `allow-stderr`
    (evcxr only *prints* the error of a top-level `?`, so this is how it gets caught; the
    message can arrive after the cell has finished, see LateStderr), or
  - any output contains "panicked", or
  - an evcxr display marker (EVCXR_BEGIN_CONTENT / EVCXR_END_CONTENT) leaked into an output:
    the figure was printed as text instead of drawn (this happens when the last expression
    of a cell moves a variable defined in that cell; borrow or clone it instead).

Each kernel runs in the notebook's folder (so `:dep aigc = { path = ".." }` finds the crate
and `evcxr.toml` there is read: a panic fails its cell, evcxr's compile cache is on), and
all kernels share one evcxr work folder (EVCXR_TMPDIR, default target/evcxr), so the
crate and its dependencies are built once for every notebook of a run and kept for the next
run. `--cold` gives every kernel an empty work folder and an empty evcxr cache, to measure a
first run.

Writing cells for evcxr (each found the hard way while writing these notebooks):
  - a variable lives on after its cell with a concrete type: an integer literal that
    nothing in its own cell pins down becomes i32 (`let (lr, epochs): (f64, usize) = …`);
  - a closure cannot be kept past its cell: use a `fn`, or keep the closure inside a block;
  - a cell whose last expression is a block (`for …`, `if …`) shows `()`: end it with `;`;
  - a `backward()` through weights made in an earlier cell failed with an index error in
    dfdx's kernels: build what one backward pass touches in the cell that runs it (or
    inside a function called there);
  - an exercise cell is tagged `exercise`, with metadata `exercise: chNN::function`, and
    holds the stub of src/exercises/chNN.rs; its check cell (tag `check`) must not use
    variables of earlier cells, because after an unsolved check panics they are gone.

The kernel's own output (evcxr's "Compiling …" lines) goes to
notebooks/.executed/<name>.kernel.log. One line per notebook (time to the first output and
in all), then `N passed, N failed`; exit status 1 if any failed.
Needs only Python 3 with nbclient and nbformat.
"""

import argparse
import copy
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import nbformat.v4
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
ZH = NOTEBOOKS / "zh-CN"
EXECUTED = NOTEBOOKS / "executed"
SCRATCH = NOTEBOOKS / ".executed"
SOLUTIONS = REPO / "src" / "exercises" / "solutions"
# The zh-CN notebook that the default run executes (the others are checked cell for cell).
ZH_EXECUTED = "04-mse.ipynb"

KERNEL = "rust"
# The first `:dep aigc` cell of a notebook compiles dfdx and the crate (minutes on a cold
# machine); later cells take seconds.
CELL_TIMEOUT_S = 1200
STARTUP_TIMEOUT_S = 120
ALLOW_STDERR_TAG = "allow-stderr"
EXERCISE_TAG = "exercise"
CHECK_TAG = "check"
TIMING_TAG = "timing"
UNSOLVED_MESSAGE = "not yet implemented: Exercise"
DISPLAY_MARKERS = ("EVCXR_BEGIN_CONTENT", "EVCXR_END_CONTENT")
DEP_EN = ':dep aigc = { path = ".." }'
DEP_ZH = ':dep aigc = { path = "../.." }'


# ---------------------------------------------------------------------------------------
# Outputs


def output_texts(output):
    """Every piece of text an output carries: stream text, rich data, error fields."""
    kind = output.get("output_type")
    if kind == "stream":
        yield output.get("text", "")
    elif kind in ("display_data", "execute_result"):
        for value in output.get("data", {}).values():
            if isinstance(value, str):
                yield value
            elif isinstance(value, list):
                yield "".join(str(v) for v in value)
    elif kind == "error":
        yield output.get("ename", "")
        yield output.get("evalue", "")
        yield "\n".join(output.get("traceback", []))


def one_line(text, limit=200):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def first_lines(text, n=3):
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    shown = " / ".join(lines[:n])
    if len(lines) > n:
        shown += f" / … ({len(lines) - n} more lines)"
    return one_line(shown, 400)


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def cell_problems(index, cell):
    """Problems found in the outputs of one executed code cell, as readable strings."""
    problems = []
    where = f"cell {index}"
    outputs = cell.get("outputs", [])
    for output in outputs:
        if output.get("output_type") == "error":
            problems.append(
                f"{where}: error: {one_line(output.get('ename', ''))}: "
                f"{one_line(output.get('evalue', ''))}"
            )
    stderr = "".join(
        o.get("text", "")
        for o in outputs
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    )
    texts = [text for o in outputs for text in output_texts(o)]
    if any("panicked" in text for text in texts):
        problems.append(f"{where}: an output says 'panicked'")
    if stderr.strip() and ALLOW_STDERR_TAG not in tags(cell):
        problems.append(f"{where}: wrote to stderr: {first_lines(stderr)}")
    if any(marker in text for text in texts for marker in DISPLAY_MARKERS):
        problems.append(f"{where}: a figure was shown as text (evcxr display markers in the output)")
    return problems


def check_outputs(nb, unsolved=False):
    """Problems in an executed notebook. With `unsolved`, check cells must fail clearly."""
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        found = cell_problems(index, cell)
        if unsolved and CHECK_TAG in tags(cell):
            texts = " ".join(t for o in cell.get("outputs", []) for t in output_texts(o))
            if UNSOLVED_MESSAGE not in texts:
                problems.append(
                    f"cell {index}: a check cell must fail with '{UNSOLVED_MESSAGE} …' "
                    f"while its exercise is unsolved; it did not"
                    + (f" ({found[0]})" if found else "")
                )
        else:
            problems.extend(found)
    return problems


# ---------------------------------------------------------------------------------------
# Exercises: the stub a reader fills in, the reference solution CI runs instead


def rust_items(text):
    """Top-level items of a Rust file: (kind, name, source with its doc comments)."""
    items, lines, i = [], text.splitlines(keepends=True), 0
    pending = []  # doc comments and attributes before an item
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped or (stripped.startswith("//") and not stripped.startswith("///")):
            pending = [] if not stripped else pending
            i += 1
            continue
        if stripped.startswith("///") or stripped.startswith("#["):
            pending.append(line)
            i += 1
            continue
        start, depth, body = i, 0, []
        while i < len(lines):
            code = strip_strings(lines[i])
            body.append(lines[i])
            depth += code.count("{") - code.count("}")
            i += 1
            if depth == 0 and ("}" in code or code.rstrip().endswith(";")):
                break
        source = "".join(pending + body)
        pending = []
        m = re.match(r"(?:pub(?:\([^)]*\))?\s+)?(fn|use|const|static|struct|enum|type|impl|mod)\b\s*([A-Za-z_0-9]*)", lines[start].strip())
        kind, name = (m.group(1), m.group(2)) if m else ("other", "")
        items.append((kind, name, source))
    return items


def strip_strings(line):
    """The line without string and char literals and without a trailing // comment."""
    line = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line)
    line = re.sub(r"'(?:[^'\\]|\\.)'", "''", line)
    return line.split("//")[0]


def use_names(source):
    """The names a `use` item brings into scope."""
    inner = source.split("use", 1)[1].rstrip().rstrip(";")
    names = []
    for part in re.split(r"[{},]", inner):
        part = part.strip()
        if not part:
            continue
        last = part.split(" as ")[-1].split("::")[-1].strip()
        if last and last != "self" and last != "*":
            names.append(last)
    return names


def pruned_use(source, code):
    """A `use` item with only the names `code` uses (None when it uses none of them), so
    that the swapped-in cell compiles without unused-import warnings."""
    used = lambda n: re.search(rf"\b{re.escape(n)}\b", code) is not None
    text = " ".join(source.split())
    m = re.fullmatch(r"(pub\s+)?use ([\w:]+)::\{([^{}]*)\};", text)
    if m:
        keep = [p.strip() for p in m.group(3).split(",") if p.strip() and used(use_names(f"use {p};")[0])]
        if not keep:
            return None
        return f"use {m.group(2)}::{{{', '.join(keep)}}};" if len(keep) > 1 else f"use {m.group(2)}::{keep[0]};"
    return text if any(used(n) for n in use_names(source)) else None


def solution_source(spec):
    """The reference solution of `chNN::function`, as a cell: its `use` lines, the
    function, and the private helpers it calls, from src/exercises/solutions/chNN.rs."""
    chapter, name = spec.split("::")
    path = SOLUTIONS / f"{chapter}.rs"
    if not path.is_file():
        raise RuntimeError(f"{path.relative_to(REPO)} is missing (a student pack?)")
    items = rust_items(path.read_text())
    by_name = {n: s for k, n, s in items if k not in ("use", "impl", "other") and n}
    if name not in by_name:
        raise RuntimeError(f"no `{name}` in {path.relative_to(REPO)}")
    chosen, todo = [], [name]
    while todo:
        current = todo.pop()
        if current in chosen:
            continue
        chosen.append(current)
        for other, source in by_name.items():
            if other not in chosen and re.search(rf"\b{re.escape(other)}\b", by_name[current]):
                todo.append(other)
    code = "".join(by_name[n] + "\n" for n in reversed(chosen))
    uses = []
    for kind, _, source in items:
        if kind == "use":
            used = pruned_use(source, code)
            if used:
                uses.append(used.replace("crate::", "aigc::"))
    header = f"// The reference solution (src/exercises/solutions/{chapter}.rs), swapped in by the runner.\n"
    return header + "".join(u + "\n" for u in uses) + "\n" + code.rstrip() + "\n"


def fn_signature(source, name):
    """`fn name(…) -> …` of a function in a cell or file, whitespace-normalised, no `pub`."""
    m = re.search(rf"(?:pub\s+)?fn\s+{re.escape(name)}\b(.*?)\{{", source, re.S)
    return None if not m else " ".join(f"fn {name}{m.group(1)}".split())


def swap_in_solutions(nb):
    """Replaces every exercise cell's stub with its reference solution (in place)."""
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or EXERCISE_TAG not in tags(cell):
            continue
        spec = cell.metadata.get("exercise")
        if not spec:
            problems.append(f"cell {index}: an exercise cell needs metadata `exercise: chNN::function`")
            continue
        try:
            solution = solution_source(spec)
        except RuntimeError as e:
            problems.append(f"cell {index}: {e}")
            continue
        name = spec.split("::")[1]
        if fn_signature(cell.source, name) != fn_signature(solution, name):
            problems.append(
                f"cell {index}: the stub's signature `{fn_signature(cell.source, name)}` differs "
                f"from the solution's `{fn_signature(solution, name)}`"
            )
        cell.source = solution
    return problems


# ---------------------------------------------------------------------------------------
# The zh-CN notebooks: the same code cells


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def zh_source_of(path):
    return ZH / path.name


def zh_matches(en_nb, zh_nb):
    """Problems that make a zh-CN notebook's code differ from its English notebook's."""
    en, zh = code_cells(en_nb), code_cells(zh_nb)
    problems = []
    if len(en) != len(zh):
        problems.append(f"{len(zh)} code cells, the English notebook has {len(en)}")
    for i, (a, b) in enumerate(zip(en, zh)):
        if a.source.replace(DEP_EN, DEP_ZH) != b.source:
            problems.append(f"code cell {i} differs from the English one")
        if tags(a) != tags(b) or a.metadata.get("exercise") != b.metadata.get("exercise"):
            problems.append(f"code cell {i}: tags or exercise differ from the English one")
    if zh_nb.metadata.get("kernelspec") != en_nb.metadata.get("kernelspec"):
        problems.append("kernelspec differs")
    return problems


def graft_outputs(en_executed, zh_nb):
    """The zh-CN notebook with the English executed copy's outputs, cell for cell."""
    out = copy.deepcopy(zh_nb)
    for src, dst in zip(code_cells(en_executed), code_cells(out)):
        dst.outputs = copy.deepcopy(src.get("outputs", []))
        dst.execution_count = src.get("execution_count")
    return out


# ---------------------------------------------------------------------------------------
# Comparing an executed notebook with its committed copy

TIMING = re.compile(
    r"\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?\s*(?:ms|µs|us|ns|s|min|steps/s|steps per second|GFLOP/s|×)(?![\w/])"
)


# Differences printed by the checks (1.1e-8, 0.0e0): their exact value depends on the
# machine's libm and summation order; each cell asserts that it is small.
TINY = re.compile(r"\b\d(?:\.\d+)?e(?:-\d+|0)\b")


def normalise_text(text):
    text = text.replace(str(REPO), "<repo>")
    text = re.sub(r"/tmp/[\w./-]+", "<tmp>", text)
    text = TINY.sub("<small>", text)
    return TIMING.sub("<time>", text)


def comparable(nb):
    """What must not change between two runs of a notebook: per cell, its kind, source
    and outputs (text normalised; figures by kind; `timing` cells by kinds only)."""
    rows = []
    for cell in nb.cells:
        row = [cell.cell_type, cell.source, tags(cell)]
        if cell.cell_type == "code":
            outs = []
            for o in cell.get("outputs", []):
                kind = o.get("output_type")
                if kind == "stream":
                    text = o.get("text", "")
                    if TIMING_TAG in tags(cell):  # lines that report a time are left out
                        text = "".join(l for l in text.splitlines(True) if not TIMING.search(l))
                    outs.append((kind, o.get("name"), normalise_text(text)))
                elif kind in ("display_data", "execute_result"):
                    data = o.get("data", {})
                    outs.append((kind, sorted(data), normalise_text(str(data.get("text/plain", "")))))
                else:
                    outs.append((kind, o.get("ename"), normalise_text(str(o.get("evalue")))))
            row.append(outs)
        rows.append(row)
    return rows


def differences(new, old):
    """Readable differences between two executed notebooks (empty when they agree)."""
    a, b = comparable(new), comparable(old)
    if len(a) != len(b):
        return [f"{len(a)} cells, the committed copy has {len(b)}"]
    found = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x[:3] != y[:3]:
            found.append(f"cell {i}: source or tags differ from the committed copy")
        elif x[3:] != y[3:]:
            found.append(f"cell {i}: outputs differ from the committed copy: {diff_hint(x[3:], y[3:])}")
    return found


def diff_hint(x, y):
    def flat(outs):
        return "\n".join(str(part) for o in (outs[0] if outs else []) for part in o[2:3])

    for la, lb in zip(flat(x).splitlines() + ["<end>"], flat(y).splitlines() + ["<end>"]):
        if la != lb:
            return f"now {one_line(la, 120)!r}, committed {one_line(lb, 120)!r}"
    return "different kinds of output"


def clean_for_commit(nb):
    """An executed notebook as committed: no per-run timestamps."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    return nb


# ---------------------------------------------------------------------------------------
# Running one notebook


class LateStderr:
    """Catches stderr that evcxr sends after its cell has already finished.

    evcxr forwards the kernel subprocess's stderr on a separate thread, so a message such as
    the error printed by a top-level `?` can reach Jupyter just after the cell's "idle"
    status. nbclient then reads it while waiting for the next cell and drops it, because it
    belongs to another request; the cell would pass. This wraps the kernel client to keep
    such messages, keyed by the cell that sent the request, and a final sentinel cell makes
    sure output of the last real cell is read before the kernel shuts down.
    """

    def __init__(self):
        self.current = None  # msg_id of the request nbclient is waiting for
        self.current_cell = None
        self.cell_of = {}  # msg_id -> cell index
        self.late = []  # (cell index or None, text)

    def on_cell_execute(self, cell, cell_index, **_):
        self.current_cell = cell_index

    def on_notebook_start(self, client):
        kc = client.kc
        execute, get_msg = kc.execute, kc.iopub_channel.get_msg

        def execute_and_remember(*args, **kwargs):
            msg_id = execute(*args, **kwargs)
            self.current = msg_id
            self.cell_of[msg_id] = self.current_cell
            return msg_id

        async def get_msg_and_keep_late_stderr(*args, **kwargs):
            msg = get_msg(*args, **kwargs)
            if hasattr(msg, "__await__"):
                msg = await msg
            parent = msg.get("parent_header", {}).get("msg_id")
            content = msg.get("content", {})
            if (
                msg.get("msg_type") == "stream"
                and content.get("name") == "stderr"
                and parent != self.current
            ):
                self.late.append((self.cell_of.get(parent), content.get("text", "")))
            return msg

        kc.execute = execute_and_remember
        kc.iopub_channel.get_msg = get_msg_and_keep_late_stderr


# Runs after the last cell so that stderr the kernel sends late is still read (see LateStderr).
SENTINEL_SOURCE = "std::thread::sleep(std::time::Duration::from_millis(200));"


def kernel_env(cold_dir):
    """The kernels' environment: one evcxr work folder (EVCXR_TMPDIR) for every kernel of
    the run, so that the `:dep` build (dfdx, the crate) is done once and reused by every
    later notebook; kernels run one at a time, so they never share it concurrently."""
    env = dict(os.environ)
    if cold_dir is not None:
        env["EVCXR_TMPDIR"] = str(cold_dir / "evcxr")
        env["XDG_CACHE_HOME"] = str(cold_dir / "cache")  # evcxr's `:cache` lives there
    else:
        env["EVCXR_TMPDIR"] = os.environ.get("EVCXR_TMPDIR", str(REPO / "target" / "evcxr"))
    Path(env["EVCXR_TMPDIR"]).mkdir(parents=True, exist_ok=True)
    return env


def execute(nb, folder, log_name, unsolved, cold_dir):
    """Executes `nb` in place; returns (seconds, seconds to the first output, problems)."""
    real_cells = len(nb.cells)
    nb.cells.append(nbformat.v4.new_code_cell(SENTINEL_SOURCE))
    late = LateStderr()
    first_output = []
    start = time.monotonic()

    def on_cell_executed(cell, cell_index, **_):
        if not first_output and cell.get("outputs") and cell_index < real_cells:
            first_output.append(time.monotonic() - start)

    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT_S,
        startup_timeout=STARTUP_TIMEOUT_S,
        allow_errors=unsolved,
        coalesce_streams=True,
        resources={"metadata": {"path": str(folder)}},
        on_cell_execute=late.on_cell_execute,
        on_cell_executed=on_cell_executed,
    )
    client.on_notebook_start = lambda notebook: late.on_notebook_start(client)
    problems = []
    SCRATCH.mkdir(parents=True, exist_ok=True)
    log_path = SCRATCH / (log_name + ".kernel.log")
    try:
        with open(log_path, "wb") as log:
            # Extra arguments reach the kernel's Popen: keep its compile chatter in a file.
            client.execute(stdout=log, stderr=log, env=kernel_env(cold_dir))
    except CellTimeoutError as e:
        problems.append(f"a cell ran past {CELL_TIMEOUT_S} s: {one_line(e)}")
    except DeadKernelError as e:
        problems.append(f"the kernel died: {one_line(e)}")
    except CellExecutionError:
        pass  # the error output is in the notebook; check_outputs reports it
    except Exception as e:  # no kernel, kernel failed to start, …
        hint = ""
        if "No such kernel" in str(e):
            hint = " (install it with `evcxr_jupyter --install`)"
        problems.append(f"{type(e).__name__}: {one_line(e)}{hint}")
    seconds = time.monotonic() - start

    sentinel = nb.cells.pop()
    for output in sentinel.get("outputs", []):
        problems.extend(f"output after the last cell: {one_line(t)}" for t in output_texts(output))
    for index, text in late.late:
        if index is not None and index < real_cells:
            # Put it where it belongs, so the executed copy shows it and the checks see it.
            nb.cells[index].setdefault("outputs", []).append(
                nbformat.v4.new_output("stream", name="stderr", text=text)
            )
        else:
            problems.append(f"stderr after the last cell: {one_line(text)}")
    problems = check_outputs(nb, unsolved) + problems
    if problems:
        problems.append(f"kernel log: {log_path.relative_to(REPO)}")
    return seconds, (first_output[0] if first_output else None), problems


def run_notebook(path, args, cold_dir):
    """Executes one notebook and checks it; returns (ok, summary, problems)."""
    zh = path.parent == ZH
    source = nbformat.read(path, as_version=4)
    nb = copy.deepcopy(source)
    problems = [] if args.unsolved else swap_in_solutions(nb)
    seconds, first, run_problems = execute(
        nb, path.parent, ("zh-CN-" if zh else "") + path.stem, args.unsolved, cold_dir
    )
    problems += run_problems
    # What a reader sees: the stubs, with the outputs of the run.
    for cell, original in zip(nb.cells, source.cells):
        cell.source = original.source
    nb = clean_for_commit(nb)
    # The stubs' run (its check cells fail on purpose) goes beside, not over, the solved one.
    scratch = SCRATCH / ("unsolved" if args.unsolved else "") / ("zh-CN" if zh else "") / path.name
    scratch.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, scratch)

    committed = EXECUTED / ("zh-CN" if zh else "") / path.name
    if not args.unsolved and not problems:
        if args.write_executed and not zh:
            committed.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, committed)
            zh_path = zh_source_of(path)
            if zh_path.is_file():
                zh_copy = EXECUTED / "zh-CN" / path.name
                zh_copy.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(graft_outputs(nb, nbformat.read(zh_path, as_version=4)), zh_copy)
        elif not committed.is_file():
            problems.append(
                f"no executed copy {committed.relative_to(REPO)}: "
                "run `python3 scripts/run-notebooks.py --write-executed` and commit it"
            )
        else:
            found = differences(nb, nbformat.read(committed, as_version=4))
            if found:
                found.append(
                    f"the committed {committed.relative_to(REPO)} is stale: regenerate it with "
                    "`python3 scripts/run-notebooks.py --write-executed` (then commit it)"
                )
            problems += found
    first_text = f"first output {first:.1f} s, " if first is not None else ""
    return not problems, f"{first_text}{seconds:.1f} s", problems


def english_notebooks():
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def check_zh_cells():
    """Problems with the zh-CN notebooks' code cells (cheap: nothing is executed)."""
    problems = []
    zh_names = {p.name for p in ZH.glob("*.ipynb")}
    for en in english_notebooks():
        zh = ZH / en.name
        if not zh.is_file():
            problems.append(f"{zh.relative_to(REPO)}: missing (every notebook has a zh-CN twin)")
            continue
        zh_names.discard(en.name)
        for p in zh_matches(nbformat.read(en, as_version=4), nbformat.read(zh, as_version=4)):
            problems.append(f"{zh.relative_to(REPO)}: {p}")
    for name in sorted(zh_names):
        problems.append(f"notebooks/zh-CN/{name}: no English notebook of that name")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to run (default: every notebooks/*.ipynb and "
                        f"notebooks/zh-CN/{ZH_EXECUTED})")
    parser.add_argument("--write-executed", action="store_true",
                        help="write notebooks/executed/ (and its zh-CN/) instead of comparing")
    parser.add_argument("--unsolved", action="store_true",
                        help="keep the exercise stubs; every check cell must then fail clearly")
    parser.add_argument("--zh", action="store_true", help="also execute every zh-CN notebook")
    parser.add_argument("--cold", action="store_true",
                        help="an empty cargo target and evcxr cache for each kernel (timing)")
    args = parser.parse_args()

    failed = passed = 0
    total_start = time.monotonic()
    if not args.notebooks:
        problems = check_zh_cells()
        if problems:
            failed += 1
            print("FAIL zh-CN notebooks: code cells must be the English ones", flush=True)
            for p in problems:
                print(f"     {p}", flush=True)
        else:
            passed += 1
            print(f"ok   notebooks/zh-CN/*.ipynb: the English notebooks' code cells, cell for cell", flush=True)
    paths = sorted(args.notebooks) if args.notebooks else english_notebooks()
    if not args.notebooks and not args.write_executed and not args.unsolved:
        paths += sorted(ZH.glob("*.ipynb")) if args.zh else [ZH / ZH_EXECUTED]
    if not paths:
        print(f"no notebooks found in {NOTEBOOKS}")
        print("0 passed, 0 failed")
        return 1

    for path in paths:
        path = path.resolve()
        try:
            shown = path.relative_to(REPO)
        except ValueError:
            shown = path
        if not path.is_file():
            failed += 1
            print(f"FAIL {shown}: no such file", flush=True)
            continue
        if args.write_executed and path.parent == ZH:
            print(f"skip {shown}: --write-executed writes zh-CN copies from the English run")
            continue
        cold_dir = Path(tempfile.mkdtemp(prefix="aigc-nb-cold-")) if args.cold else None
        try:
            ok, summary, problems = run_notebook(path, args, cold_dir)
        finally:
            if cold_dir is not None:
                shutil.rmtree(cold_dir, ignore_errors=True)
        if ok:
            passed += 1
            print(f"ok   {shown} ({summary})", flush=True)
        else:
            failed += 1
            print(f"FAIL {shown} ({summary})", flush=True)
            for problem in problems:
                print(f"     {problem}", flush=True)
    where = EXECUTED if args.write_executed else SCRATCH / ("unsolved" if args.unsolved else "")
    print(f"total {time.monotonic() - total_start:.1f} s; executed copies in "
          f"{where.relative_to(REPO)}/")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
