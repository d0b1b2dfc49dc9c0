#!/usr/bin/env bash
# Runs every test of the project: the crate (unit, integration and doc tests), lints, the
# CUDA code paths (type-checked), the exercises (against their reference solutions), the
# book in both editions, English and 简体中文 (catalog up to date, includes, links, math; then
# every page of each in headless Chromium) and every notebook
# (executed with the real evcxr kernel). Installs missing tools first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

start=$(date +%s)
step() {
  local name=$1; shift
  local t0=$(date +%s)
  echo "::: $name"
  "$@"
  echo "::: $name ok ($(( $(date +%s) - t0 )) s)"
}

step "setup" scripts/setup.sh
step "format" cargo fmt --all -- --check
step "clippy" cargo clippy --all-targets --locked -- -D warnings
step "tests (library, CLI, book rules, doc examples)" cargo test --locked
step "cuda paths type-check and lint" cargo clippy --locked --all-targets --features cuda-check -- -D warnings
step "exercises lint (with the reference solutions)" cargo clippy --locked --all-targets --features solutions -- -D warnings
step "exercises (reference solutions pass every exercise test)" cargo test --locked --features solutions --test exercises
step "book catalog (messages.pot and zh-CN.po up to date)" scripts/i18n.sh check
step "book, English and 简体中文 (includes, links, math)" scripts/i18n.sh build all
step "both editions in headless Chromium (console, math, images, switch, CJK glyphs, search)" node scripts/browser-test.mjs
# Every notebook executed (exercise cells with the reference solutions swapped in) and
# compared with its committed executed copy; the zh-CN notebooks checked cell for cell, one
# of them executed. Then one notebook as a reader first runs it: only the check cells fail.
step "notebooks (executed, compared with notebooks/executed/)" python3 scripts/run-notebooks.py
step "notebooks with the exercise stubs (only the check cells fail)" python3 scripts/run-notebooks.py --unsolved notebooks/04-mse.ipynb
echo "all checks passed in $(( $(date +%s) - start )) s"
