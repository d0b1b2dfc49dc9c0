#!/usr/bin/env python3
"""Writes tests/fixtures/lstm-torch.json: a small PyTorch `nn.LSTM` language model (the
reference's Embedding -> nn.LSTM -> Linear, vocabulary 7, embedding 4, hidden 5) with
its initial weights, one batch (2 windows of 3 characters), its logits, its loss and the
gradient of every parameter. `tests/parity.rs` loads the weights into the crate's LSTM
and checks that it computes the same numbers.

    python3 -m venv ~/torchref && ~/torchref/bin/pip install torch
    ~/torchref/bin/python scripts/lstm-fixture.py
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

V, E, H = 7, 4, 5
torch.manual_seed(0)
emb, lstm, head = nn.Embedding(V, E), nn.LSTM(E, H, batch_first=True), nn.Linear(H, V)
x = torch.tensor([[1, 2, 3], [4, 5, 6]])
y = torch.tensor([[2, 3, 4], [5, 6, 0]])
out, _ = lstm(emb(x))
logits = head(out)  # (batch, steps, V)
loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
loss.backward()
params = [emb.weight, lstm.weight_ih_l0, lstm.bias_ih_l0, lstm.weight_hh_l0, lstm.bias_hh_l0,
          head.weight, head.bias]
flat = lambda t: [float(v) for v in t.detach().reshape(-1)]
fixture = {
    "sizes": {"vocab": V, "embed": E, "hidden": H},
    "order": ["embedding.weight", "weight_ih_l0", "bias_ih_l0", "weight_hh_l0", "bias_hh_l0",
              "head.weight", "head.bias"],
    "params": [flat(p) for p in params],
    "inputs": x.tolist(), "targets": y.tolist(),
    "logits": flat(logits), "loss": loss.item(),
    "grads": [flat(p.grad) for p in params],
    "torch": torch.__version__,
}
path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "fixtures", "lstm-torch.json")
with open(path, "w") as f:
    json.dump(fixture, f, indent=1)
print(f"wrote {path}: loss {loss.item():.6f}")
