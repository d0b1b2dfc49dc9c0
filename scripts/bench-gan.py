#!/usr/bin/env python3
"""Chapter 8's GAN steps against the PyTorch references, in one run on the same machine.

Runs, one after the other, the vanilla 2-D GAN in the configuration of
../shared/bench/ref/gan_ring.py (noise 256, hidden 128 x 2, batch 256, Adam 1e-4) and the
digits GAN of gan_digits.py (noise 64, hidden 256 x 2, LeakyReLU 0.2, batch 64, Adam 2e-4),
each as `aigc gan ...` and as the PyTorch script, for the same number of steps. Both sides
time whole training steps (real batch, noise, D step, G step), evaluation excluded, and
report steps per second; the script prints the ratios and writes them as JSON.

Usage:
    cargo build --release
    python3 scripts/bench-gan.py [--steps 3000] [--python ~/torchref/bin/python] [--out out/bench-gan]

PyTorch, once per machine: python3 -m venv ~/torchref && ~/torchref/bin/pip install torch numpy
scikit-learn matplotlib pillow (gan_digits.py needs scikit-learn).
"""
import argparse
import json
import os
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REF = os.path.join(ROOT, "..", "shared", "bench", "ref")


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise SystemExit("no JSON line in the reference's output:\n" + text[-2000:])


def run(cmd, cwd=ROOT):
    print("$", " ".join(cmd), flush=True)
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--python", default=os.path.expanduser("~/torchref/bin/python"))
    ap.add_argument("--aigc", default=os.path.join(ROOT, "target", "release", "aigc"))
    ap.add_argument("--out", default=os.path.join(ROOT, "out", "bench-gan"))
    args = ap.parse_args()
    s = str(args.steps)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        run([args.aigc, "--out", tmp, "gan", "ring", "--noise-dim", "256", "--pack", "1",
             "--lr", "1e-4", "--constant-lr", "--steps", s, "--eval-every", s])
        ours = json.load(open(os.path.join(tmp, "gan", "ring.json")))["steps_per_second"]
        ref = last_json(run([args.python, "gan_ring.py", "--dataset", "ring", "--steps", s,
                             "--eval-steps", s, "--no-plot"], cwd=REF))
        rows.append(("GAN step, ring (noise 256, 128x2, batch 256)", ours, ref))
        run([args.aigc, "--out", tmp, "gan", "digits", "--steps", s, "--eval-every", s])
        ours = json.load(open(os.path.join(tmp, "gan", "digits.json")))["steps_per_second"]
        ref = last_json(run([args.python, "gan_digits.py", "--steps", s, "--eval-steps", s,
                             "--png", os.path.join(tmp, "ref.png")], cwd=REF))
        rows.append(("GAN step, digits (noise 64, 256x2, batch 64)", ours, ref))
    out = []
    print(f"\n| configuration | aigc steps/s | PyTorch steps/s (mean) | PyTorch steps/s (median step) | aigc / PyTorch (mean) |")
    print("|---|---|---|---|---|")
    for name, ours, ref in rows:
        ratio = ours / ref["steps_per_s"]
        print(f"| {name} | {ours:.0f} | {ref['steps_per_s']:.0f} | {ref['steps_per_s_median']:.0f} | {ratio:.2f}x |")
        out.append({"config": name, "aigc_steps_per_s": ours,
                    "pytorch_steps_per_s": ref["steps_per_s"],
                    "pytorch_steps_per_s_median": ref["steps_per_s_median"],
                    "ratio_vs_mean": ratio, "pytorch_env": ref.get("env")})
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "bench-gan.json"), "w") as f:
        json.dump({"steps": args.steps, "rows": out}, f, indent=2)
    print(f"\nwrote {os.path.join(args.out, 'bench-gan.json')}")


if __name__ == "__main__":
    main()
