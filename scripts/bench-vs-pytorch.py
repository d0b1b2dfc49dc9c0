#!/usr/bin/env python3
"""This crate's training steps against the PyTorch reference scripts, in one run.

Absolute times drift between machines and between runs; a ratio measured back to back on
the same machine does not. This script runs, one after the other: the PyTorch
micro-benchmarks of ../shared/bench/ref/ (char_lstm.py and char_gpt.py --bench-only; the
GAN scripts for --gan-steps steps), `aigc bench`, the same GAN runs with `aigc gan`, and,
with --before, an older aigc binary's `aigc bench` (to show what a change did). It prints
and writes one table: PyTorch's median ms/step, aigc's, their ratio (PyTorch ÷ aigc: above
1 means aigc is faster), and aigc's matrix-product throughput as a share of the machine's
peak (which `aigc bench` measures).

Usage:
    cargo build --release
    python3 scripts/bench-vs-pytorch.py [--before OLD_AIGC] [--out book/src/generated/bench]

PyTorch, once per machine (a few minutes, about 5 GB):
    python3 -m venv ~/torchref && ~/torchref/bin/pip install torch numpy scikit-learn
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REF = os.path.join(ROOT, "..", "shared", "bench", "ref")

# (label, our bench row's model prefix and batch, PyTorch script, how to read its median ms)
STEPS = [
    ("char-LSTM step vs nn.LSTM", "char LSTM 64→256, 65", 32, "char_lstm.py",
     lambda j: j["microbench_B32_T64"]["a_nn_lstm_fwd_bwd_adam"]["median_ms"]),
    ("char-LSTM step vs the hand-written cell loop", "char LSTM 64→256, 65", 32, "char_lstm.py",
     lambda j: j["microbench_B32_T64"]["b_hand_cell_loop_fwd_bwd_adam"]["median_ms"]),
    ("mini-GPT iteration (SDPA attention)", "mini-GPT 4 blocks × 128, 4 heads, 65", 12, "char_gpt.py",
     lambda j: j["microbench_iter_ms"]["sdpa"]["median_ms"]),
]
# (label, our bench row's model prefix and batch, PyTorch script and arguments, our aigc gan arguments)
GANS = [
    ("ring GAN step (noise 256, 128 × 2, batch 256)", "GAN D+G step, ring", 256,
     ["gan_ring.py", "--dataset", "ring", "--no-plot"],
     ["gan", "ring", "--noise-dim", "256", "--pack", "1", "--lr", "0.0001", "--schedule", "constant"], "ring"),
    ("digits GAN step (noise 64, 256 × 2, batch 64)", "GAN D+G step, digits", 64,
     ["gan_digits.py"], ["gan", "digits", "--pack", "1"], "digits"),
]


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise SystemExit("no JSON line in the reference script's output:\n" + text[-2000:])


def run(cmd, cwd=ROOT):
    print("$", " ".join(cmd), flush=True)
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def bench(binary, reps, tmp, name):
    out = os.path.join(tmp, name)
    run([binary, "--out", out, "bench", "--reps", str(reps)])
    with open(os.path.join(out, "bench", "bench.json")) as f:
        return json.load(f)


def row_of(report, prefix, batch):
    return next(r for r in report["cpu_rows"] if r["model"].startswith(prefix) and r["batch"] == batch)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--python", default=os.path.expanduser("~/torchref/bin/python"))
    ap.add_argument("--aigc", default=os.path.join(ROOT, "target", "release", "aigc"))
    ap.add_argument("--before", help="an older aigc binary, measured in the same run")
    ap.add_argument("--out", default=os.path.join(ROOT, "out", "bench-vs-pytorch"))
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--gan-steps", type=int, default=2000)
    args = ap.parse_args()
    for path in [args.aigc, args.python] + ([args.before] if args.before else []):
        if not os.path.exists(path):
            raise SystemExit(f"missing {path}; see this script's docstring")
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    torch = {}
    with tempfile.TemporaryDirectory() as tmp:
        for script in sorted({s[3] for s in STEPS}):
            torch[script] = last_json(run([args.python, script, "--bench-only", "--bench-reps", str(args.reps)], REF))
        gan_steps = str(args.gan_steps)
        for label, _, _, ref, _, _ in GANS:
            torch[label] = last_json(run([args.python] + ref + ["--steps", gan_steps, "--eval-steps", gan_steps]
                                         + (["--png", os.path.join(tmp, "ref.png")] if "digits" in ref[0] else []), REF))
        now = bench(args.aigc, args.reps, tmp, "now")
        before = bench(args.before, args.reps, tmp, "before") if args.before else None
        gan_runs, gan_before = {}, {}
        for binary, into in [(args.aigc, gan_runs)] + ([(args.before, gan_before)] if args.before else []):
            old = "--schedule" not in run([binary, "gan", "ring", "--help"])
            for label, _, _, _, ours, name in GANS:
                if old:  # the flags of aigc before its CLI was reshaped
                    ours = [a for a in ours if a not in ("--schedule", "constant")]
                    ours += ["--constant-lr"] if name == "ring" else []
                out = os.path.join(tmp, "gan-" + name)
                run([binary, "--out", out] + ours + ["--steps", gan_steps, "--eval-every", gan_steps])
                with open(os.path.join(out, "gan", name + ".json")) as f:
                    into[label] = json.load(f)
    peak = now["cpu_peak_gflops"]
    rows = []
    for label, prefix, batch, script, read in STEPS:
        ours = row_of(now, prefix, batch)
        rows.append((label, read(torch[script]), ours["ms_per_step"],
                     row_of(before, prefix, batch)["ms_per_step"] if before else None, ours["gflops"]))
    for label, prefix, batch, _, _, _ in GANS:
        ref_ms = 1e3 / torch[label]["steps_per_s_median"]
        ours_ms = 1e3 / gan_runs[label]["steps_per_second_median"]  # whole steps: data, noise, D, G
        before_ms = 1e3 / gan_before[label]["steps_per_second_median"] if before else None
        rows.append((label, ref_ms, ours_ms, before_ms, row_of(now, prefix, batch)["gflops"]))
    head = "| workload (same configuration both sides) | PyTorch ms/step | aigc ms/step |"
    head += (" aigc before ms/step |" if before else "") + " PyTorch ÷ aigc | aigc GFLOP/s (share of peak) |"
    lines = [f"Measured {started} on one machine ({now['cpu']}), back to back; "
             f"matrix-product peak {peak:.1f} GFLOP/s.", "", head,
             "|" + "---|" * (6 if before else 5)]
    for label, ref_ms, ours_ms, before_ms, gflops in rows:
        cells = [label, f"{ref_ms:.1f}", f"{ours_ms:.1f}"]
        if before:
            cells.append(f"{before_ms:.1f}")
        cells += [f"{ref_ms / ours_ms:.2f}×", f"{gflops:.1f} ({100 * gflops / peak:.0f} %)"]
        lines.append("| " + " | ".join(cells) + " |")
    table = "\n".join(lines) + "\n"
    print("\n" + table)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "bench-vs-pytorch.md"), "w") as f:
        f.write(table)
    with open(os.path.join(args.out, "bench-vs-pytorch.json"), "w") as f:
        json.dump({"started": started, "pytorch": torch, "aigc": now, "before": before,
                   "gan_runs": gan_runs, "gan_runs_before": gan_before}, f, indent=1)
    print(f"wrote {args.out}/bench-vs-pytorch.md and .json")


if __name__ == "__main__":
    sys.exit(main())
