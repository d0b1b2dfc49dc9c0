#!/usr/bin/env python3
"""This crate's training steps against the PyTorch reference scripts, in one run.

Absolute times drift between machines and between runs; a ratio measured back to back on
the same machine does not. This script runs the PyTorch micro-benchmarks of
../shared/bench/ref/ (char_lstm.py, char_gpt.py, --bench-only) and `aigc bench`, one after
the other, and prints (and writes) the ratios.

Usage:
    cargo build --release
    python3 scripts/bench-vs-pytorch.py [--python ~/torchref/bin/python] [--out out/bench-vs-pytorch]

PyTorch, once per machine (a few minutes, about 5 GB):
    python3 -m venv ~/torchref && ~/torchref/bin/pip install torch numpy
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REF = os.path.join(ROOT, "..", "shared", "bench", "ref")

# (our bench row's model prefix, our batch, reference script, how to read its milliseconds)
PAIRS = [
    ("char LSTM", 32, "char_lstm.py",
     "nn.LSTM", lambda j: j["microbench_B32_T64"]["a_nn_lstm_fwd_bwd_adam"]["median_ms"]),
    ("char LSTM", 32, "char_lstm.py",
     "hand-written cell loop", lambda j: j["microbench_B32_T64"]["b_hand_cell_loop_fwd_bwd_adam"]["median_ms"]),
    ("mini-GPT", 12, "char_gpt.py",
     "scaled_dot_product_attention", lambda j: j["microbench_iter_ms"]["sdpa"]["median_ms"]),
    ("mini-GPT", 12, "char_gpt.py",
     "manual attention", lambda j: j["microbench_iter_ms"]["manual"]["median_ms"]),
]


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise SystemExit("no JSON line in the reference script's output:\n" + text[-2000:])


def run(cmd, cwd):
    print("$", " ".join(cmd), flush=True)
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--python", default=os.path.expanduser("~/torchref/bin/python"))
    ap.add_argument("--out", default=os.path.join(ROOT, "out", "bench-vs-pytorch"))
    ap.add_argument("--reps", type=int, default=10)
    args = ap.parse_args()
    aigc = os.path.join(ROOT, "target", "release", "aigc")
    if not os.path.exists(aigc):
        raise SystemExit("build first: cargo build --release")
    if not os.path.exists(args.python):
        raise SystemExit(f"no PyTorch at {args.python}; see this script's docstring")
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    torch = {}
    for script in sorted({p[2] for p in PAIRS}):
        out = run([args.python, script, "--bench-only", "--bench-reps", str(args.reps)], REF)
        torch[script] = last_json(out)
    ours_dir = os.path.join(args.out, "aigc")
    run([aigc, "--out", ours_dir, "bench", "--reps", str(args.reps)], ROOT)
    with open(os.path.join(ours_dir, "bench", "bench.json")) as f:
        rows = json.load(f)["cpu_rows"]
    lines = [f"Measured {started} on one machine, back to back.", "",
             "| model | PyTorch variant | PyTorch ms/step | aigc ms/step | aigc / PyTorch |",
             "|---|---|---|---|---|"]
    for prefix, batch, script, variant, read in PAIRS:
        ours = next(r for r in rows if r["model"].startswith(prefix) and r["batch"] == batch)
        theirs = read(torch[script])
        ratio = ours["ms_per_step"] / theirs
        lines.append(f"| {ours['model']} (batch {batch}) | {variant} | {theirs:.1f} | "
                     f"{ours['ms_per_step']:.1f} | {ratio:.2f}× |")
    table = "\n".join(lines) + "\n"
    print("\n" + table)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "bench-vs-pytorch.md"), "w") as f:
        f.write(table)
    with open(os.path.join(args.out, "bench-vs-pytorch.json"), "w") as f:
        json.dump({"started": started, "pytorch": torch, "aigc": rows}, f, indent=1)
    print(f"wrote {args.out}/bench-vs-pytorch.md and .json")


if __name__ == "__main__":
    sys.exit(main())
