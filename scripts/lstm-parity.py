#!/usr/bin/env python3
"""Chapter 6's LSTM against PyTorch's nn.LSTM at full scale, in one run on one machine.

Both train the reference's model (Embedding(65, 64) -> LSTM(256) -> Linear(65)) on Tiny
Shakespeare with the reference's settings (batch 32 x 64, Adam 2e-3, constant, no
clipping) for 1,000 steps, and both measure the validation loss on the *same windows*:
the last 10 % of the characters read in consecutive windows of 64, every character
predicted once (what `aigc::lm::validation_loss` does). The PyTorch model is the one in
`../shared/bench/ref/char_lstm.py`. Writes book/src/generated/lstm/parity.{json,md}.

    cargo build --release
    ~/torchref/bin/python scripts/lstm-parity.py [--text ../shared/data/tinyshakespeare.txt]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("--text", default=os.path.join(ROOT, "..", "shared", "data", "tinyshakespeare.txt"))
ap.add_argument("--ref", default=os.path.join(ROOT, "..", "shared", "bench", "ref"))
ap.add_argument("--steps", type=int, default=1000)
ap.add_argument("--out", default=os.path.join(ROOT, "book", "src", "generated", "lstm"))
args = ap.parse_args()
STEPS = [0, 200, 500, 1000]

import torch
import torch.nn.functional as F
sys.path.insert(0, args.ref)
from char_lstm import CharLSTM, get_batch  # noqa: E402
from benchutil import setup  # noqa: E402

env = setup(0, 2)
text = open(args.text, encoding="utf-8").read()
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
n_valid = round(len(data) * 0.1)  # the last 10 % of the characters, as aigc splits
train, valid = data[:len(data) - n_valid], data[len(data) - n_valid:]
B, T = 32, 64


@torch.no_grad()
def valid_loss(model):
    windows = (len(valid) - 1) // T
    total, n = 0.0, 0
    for start in range(0, windows, B):
        idx = range(start, min(start + B, windows))
        x = torch.stack([valid[w * T:(w + 1) * T] for w in idx])
        y = torch.stack([valid[w * T + 1:(w + 1) * T + 1] for w in idx])
        logits, _ = model(x)
        total += F.cross_entropy(logits.reshape(-1, len(chars)), y.reshape(-1), reduction="sum").item()
        n += y.numel()
    return total / n


model = CharLSTM(len(chars))
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
gen = torch.Generator().manual_seed(1)
torch_curve = {0: valid_loss(model)}
t0 = time.perf_counter()
for step in range(1, args.steps + 1):
    x, y = get_batch(train, B, T, gen)
    logits, _ = model(x)
    loss = F.cross_entropy(logits.reshape(-1, len(chars)), y.reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    if step in STEPS:
        torch_curve[step] = valid_loss(model)
        print(f"pytorch step {step}: {torch_curve[step]:.4f}", flush=True)
torch_seconds = time.perf_counter() - t0

with tempfile.TemporaryDirectory() as tmp:
    cmd = [os.path.join(ROOT, "target", "release", "aigc"), "lstm", "train", "--text", args.text,
           "--steps", str(args.steps), "--constant-lr", "--clip", "0", "--eval-every", "100",
           "--out", tmp]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    aigc_seconds = time.perf_counter() - t0
    report = json.load(open(os.path.join(tmp, "lstm", "lstm.json")))
aigc_curve = {step: loss for step, _, loss in report["curve"]}

rows = [{"step": s, "aigc": aigc_curve[s], "pytorch": torch_curve[s],
         "difference": aigc_curve[s] - torch_curve[s]} for s in STEPS]
out = {"text": os.path.basename(args.text), "vocab": len(chars), "valid_chars": len(valid),
       "rows": rows, "torch": env["torch"], "seconds": {"aigc": aigc_seconds, "pytorch": torch_seconds}}
os.makedirs(args.out, exist_ok=True)
json.dump(out, open(os.path.join(args.out, "parity.json"), "w"), indent=1)
with open(os.path.join(args.out, "parity.md"), "w") as f:
    f.write("| step | aigc (nats/char) | PyTorch `nn.LSTM` (nats/char) | difference |\n|---|---|---|---|\n")
    for r in rows:
        f.write(f"| {r['step']} | {r['aigc']:.3f} | {r['pytorch']:.3f} | {r['difference']:+.3f} |\n")
print(open(os.path.join(args.out, "parity.md")).read())
