#!/usr/bin/env python3
"""Chapter 8's GAN steps against the PyTorch references, in one run on the same machine.

Runs, one after the other, the vanilla 2-D GAN in the configuration of
../shared/bench/ref/gan_ring.py (noise 256, hidden 128 x 2, batch 256, Adam 1e-4) and the
digits GAN of gan_digits.py (noise 64, hidden 256 x 2, LeakyReLU 0.2, batch 64, Adam 2e-4),
each as `aigc gan ...` and as the PyTorch script, for the same number of steps. Both sides
time whole training steps (real batch, noise, D step, G step), evaluation excluded, and
report steps per second two ways: steps / total time (mean) and 1 / the median step time
(robust to other processes stealing the CPU now and then). The script prints both ratios
and writes them as JSON; on a shared machine trust the median.

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
        j = json.load(open(os.path.join(tmp, "gan", "ring.json")))
        ours = (j["steps_per_second"], j["steps_per_second_median"])
        ref = last_json(run([args.python, "gan_ring.py", "--dataset", "ring", "--steps", s,
                             "--eval-steps", s, "--no-plot"], cwd=REF))
        rows.append(("GAN step, ring (noise 256, 128x2, batch 256)", ours, ref))
        run([args.aigc, "--out", tmp, "gan", "digits", "--steps", s, "--eval-every", s])
        j = json.load(open(os.path.join(tmp, "gan", "digits.json")))
        ours = (j["steps_per_second"], j["steps_per_second_median"])
        ref = last_json(run([args.python, "gan_digits.py", "--steps", s, "--eval-steps", s,
                             "--png", os.path.join(tmp, "ref.png")], cwd=REF))
        rows.append(("GAN step, digits (noise 64, 256x2, batch 64)", ours, ref))
    out = []
    print("\n| configuration | aigc steps/s (mean) | PyTorch steps/s (mean) | ratio (mean) "
          "| aigc steps/s (median step) | PyTorch steps/s (median step) | ratio (median) |")
    print("|---|---|---|---|---|---|---|")
    for name, (mean, median), ref in rows:
        r_mean = mean / ref["steps_per_s"]
        r_median = median / ref["steps_per_s_median"]
        print(f"| {name} | {mean:.0f} | {ref['steps_per_s']:.0f} | {r_mean:.2f}x | {median:.0f} "
              f"| {ref['steps_per_s_median']:.0f} | {r_median:.2f}x |")
        out.append({"config": name, "aigc_steps_per_s": mean, "aigc_steps_per_s_median": median,
                    "pytorch_steps_per_s": ref["steps_per_s"],
                    "pytorch_steps_per_s_median": ref["steps_per_s_median"],
                    "ratio_mean": r_mean, "ratio_median": r_median,
                    "pytorch_run": ref.get("run"), "pytorch_env": ref.get("env")})
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "bench-gan.json"), "w") as f:
        json.dump({"steps": args.steps, "rows": out}, f, indent=2)
    print(f"\nwrote {os.path.join(args.out, 'bench-gan.json')}")


if __name__ == "__main__":
    main()
