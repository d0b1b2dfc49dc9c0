#!/usr/bin/env python3
"""Execute the book's Jupyter notebooks headless with the evcxr Rust kernel.

Usage:
    python3 scripts/run-notebooks.py                 # every notebooks/*.ipynb, sorted
    python3 scripts/run-notebooks.py notebooks/04-mse.ipynb ...

Each notebook runs in a fresh `rust` kernel (evcxr_jupyter; register it once with
`evcxr_jupyter --install`) whose working directory is the notebook's folder, so
`:dep aigc = { path = ".." }` finds the crate and `notebooks/evcxr.toml` is read
(it makes a panic fail its cell and turns on evcxr's compile cache).

The executed copy is written to notebooks/.executed/<name>.ipynb, even when a cell fails;
the input notebook is never modified.

A notebook fails when
  - a cell errors (compile error, panic, timeout, dead kernel), or
  - a cell writes anything to stderr, unless the cell has the tag `allow-stderr`
    (evcxr only *prints* the error of a top-level `?`, so this is how it gets caught; the
    message can arrive after the cell has finished, see LateStderr), or
  - any output contains "panicked", or
  - an evcxr display marker (EVCXR_BEGIN_CONTENT / EVCXR_END_CONTENT) leaked into an output:
    the figure was printed as text instead of drawn (this happens when the last expression
    of a cell moves a variable defined in that cell; borrow or clone it instead).

The kernel's own output (evcxr's "Compiling …" lines) goes to
notebooks/.executed/<name>.kernel.log.

One line per notebook, then a final line `N passed, N failed`; exit status 1 if any failed.
Needs only Python 3 with nbclient and nbformat.
"""

import argparse
import sys
import time
from pathlib import Path

import nbformat
import nbformat.v4
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
EXECUTED = NOTEBOOKS / ".executed"

KERNEL = "rust"
# The first `:dep aigc` cell of a notebook compiles dfdx and the crate (minutes on a cold
# machine); later cells take seconds.
CELL_TIMEOUT_S = 1200
STARTUP_TIMEOUT_S = 120
ALLOW_STDERR_TAG = "allow-stderr"
DISPLAY_MARKERS = ("EVCXR_BEGIN_CONTENT", "EVCXR_END_CONTENT")


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


def check_outputs(nb):
    """Problems found in the outputs of an executed notebook, as readable strings."""
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
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
        if stderr.strip() and ALLOW_STDERR_TAG not in cell.get("metadata", {}).get("tags", []):
            problems.append(f"{where}: wrote to stderr: {first_lines(stderr)}")
        if any(marker in text for text in texts for marker in DISPLAY_MARKERS):
            problems.append(
                f"{where}: a figure was shown as text (evcxr display markers in the output)"
            )
    return problems


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


def run_notebook(path):
    """Executes one notebook; returns (ok, seconds, list of problems)."""
    nb = nbformat.read(path, as_version=4)
    real_cells = len(nb.cells)
    nb.cells.append(nbformat.v4.new_code_cell(SENTINEL_SOURCE))
    late = LateStderr()
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT_S,
        startup_timeout=STARTUP_TIMEOUT_S,
        allow_errors=False,
        coalesce_streams=True,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_execute=late.on_cell_execute,
    )
    client.on_notebook_start = lambda notebook: late.on_notebook_start(client)
    problems = []
    EXECUTED.mkdir(parents=True, exist_ok=True)
    log_path = EXECUTED / (path.stem + ".kernel.log")
    start = time.monotonic()
    try:
        with open(log_path, "wb") as log:
            # Extra arguments reach the kernel's Popen: keep its compile chatter in a file.
            client.execute(stdout=log, stderr=log)
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

    problems = check_outputs(nb) + problems
    if problems:
        problems.append(f"kernel log: {log_path.relative_to(REPO)}")
    out = EXECUTED / path.name
    if out.resolve() == path.resolve():
        problems.append("refusing to overwrite the input notebook")
    else:
        nbformat.write(nb, out)
    return not problems, seconds, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "notebooks",
        nargs="*",
        type=Path,
        help="notebooks to run (default: every notebooks/*.ipynb, sorted)",
    )
    args = parser.parse_args()
    paths = sorted(args.notebooks) if args.notebooks else sorted(NOTEBOOKS.glob("*.ipynb"))
    if not paths:
        print(f"no notebooks found in {NOTEBOOKS}")
        print("0 passed, 0 failed")
        return 1

    passed = failed = 0
    total_start = time.monotonic()
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
        ok, seconds, problems = run_notebook(path)
        if ok:
            passed += 1
            print(f"ok   {shown} ({seconds:.1f} s)", flush=True)
        else:
            failed += 1
            print(f"FAIL {shown} ({seconds:.1f} s)", flush=True)
            for problem in problems:
                print(f"     {problem}", flush=True)
    print(f"total {time.monotonic() - total_start:.1f} s; executed copies in "
          f"{EXECUTED.relative_to(REPO)}/")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
