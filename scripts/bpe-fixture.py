#!/usr/bin/env python3
"""Writes tests/fixtures/bpe-hf.json: the merges Hugging Face's `tokenizers` learns from a
small English-and-Chinese text with the pre-tokenization of `aigc::data::bpe` (a line
break alone, a space starting a word), and how it encodes a few sentences. The test
`tests/tokenize.rs` checks that the crate's BPE learns the same merges and encodes the
same way.

    python3 -m venv ~/torchref && ~/torchref/bin/pip install tokenizers
    ~/torchref/bin/python scripts/bpe-fixture.py
"""
import json
import os

from tokenizers import Tokenizer, pre_tokenizers, Regex
from tokenizers.models import BPE
from tokenizers.trainers import BpeTrainer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
corpus = open(os.path.join(ROOT, "data", "animals.txt"), encoding="utf-8").read()
text = "".join(corpus.splitlines(keepends=True)[:400])  # 400 lines of both languages
MERGES = 120

alphabet = sorted(set(text))
tok = Tokenizer(BPE())
tok.pre_tokenizer = pre_tokenizers.Sequence([
    pre_tokenizers.Split("\n", behavior="isolated"),
    pre_tokenizers.Split(" ", behavior="merged_with_next"),
])
trainer = BpeTrainer(vocab_size=len(alphabet) + MERGES, min_frequency=0, show_progress=False,
                     special_tokens=[], initial_alphabet=alphabet, limit_alphabet=len(alphabet))
tok.train_from_iterator([text], trainer=trainer)
model = json.loads(tok.to_str())["model"]
merges = [m if isinstance(m, list) else m.split(" ") for m in model["merges"]]
vocab = model["vocab"]
samples = ["The cat sleeps in the garden.", "猫在花园里睡觉。", "The rabbit likes music.\n小鸟喜欢下雨。"]
encoded = [[tok.id_to_token(i) for i in tok.encode(s).ids] for s in samples]
out = {"lines": 400, "merges": merges, "samples": samples, "encoded": encoded,
       "alphabet": alphabet, "vocab_size": len(vocab)}
path = os.path.join(ROOT, "tests", "fixtures", "bpe-hf.json")
with open(path, "w", encoding="utf-8") as f:
    json.dump(out, f, ensure_ascii=False, indent=1)
print(f"wrote {path}: {len(merges)} merges, vocabulary {len(vocab)}")
