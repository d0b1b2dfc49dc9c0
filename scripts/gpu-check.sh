#!/usr/bin/env bash
# The GPU check of chapter 9, in two halves: build here (no GPU needed), run there.
#
#   scripts/gpu-check.sh [DIR]
#       On the build machine. Builds, with a CUDA toolkit (an installed one, or the CUDA 13
#       toolkit from PyPI wheels that scripts/cuda-toolkit.sh sets up), the test binary
#       of tests/device.rs and the `aigc` binary; strips them and packs them with run.sh into
#       DIR (default: target/gpu-check). About 10 MB; copy DIR to the GPU machine.
#
#   DIR/run.sh [OUT]
#       On a machine with an NVIDIA GPU and driver (≥ 580 for this CUDA 13 build; the binaries
#       need libcuda.so.1 from the driver, and libcublas.so.13 and libnvrtc.so.13, which
#       run.sh looks for). Runs
#       every device test on the CPU and the GPU (including the CPU-vs-GPU comparisons) and
#       the benchmark, and writes OUT (default: DIR/results): gpu.txt, tests.log,
#       bench/bench.json and bench/bench.md.
#
# Then copy OUT/bench/ to book/src/generated/bench/ and commit it: chapter 9 shows that table.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-target/gpu-check}"

if ! command -v nvcc >/dev/null 2>&1; then
  toolkit="${CUDA_TOOLKIT_SCRIPT:-scripts/cuda-toolkit.sh}"
  [ -f "$toolkit" ] || { echo "gpu-check: no nvcc and no $toolkit; install a CUDA toolkit ≥ 12" >&2; exit 1; }
  cargo fetch --locked >/dev/null  # the toolkit script reads cudarc's source for its libcuda stub
  # shellcheck source=/dev/null
  source "$toolkit"
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/cuda}"
echo "gpu-check: building the CUDA binaries into $CARGO_TARGET_DIR (a few minutes)"
cargo build --locked --release --features cuda --bin aigc
tests=$(cargo test --locked --release --features cuda --test device --no-run --message-format=json |
  python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "device" and m.get("executable"):
        print(m["executable"])' | tail -1)
[ -n "$tests" ] || { echo "gpu-check: the device test binary was not built" >&2; exit 1; }

rm -rf "$dir" && mkdir -p "$dir"
cp "$CARGO_TARGET_DIR/release/aigc" "$dir/aigc"
cp "$tests" "$dir/device-tests"
strip "$dir/aigc" "$dir/device-tests"
cat > "$dir/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs the packed CUDA tests and benchmark on this machine's GPU; see scripts/gpu-check.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/results}"
mkdir -p "$out"
command -v nvidia-smi >/dev/null 2>&1 || { echo "run.sh: no nvidia-smi: no NVIDIA driver here" >&2; exit 1; }
# The binaries link the driver's libcuda.so.1 plus libcublas.so.13 and libnvrtc.so.13 (CUDA 13);
# a PyTorch install of CUDA 13 carries the latter two, a CUDA toolkit does too.
for lib in libcublas.so.13 libnvrtc.so.13; do
  found=$(find /usr /opt /root /home -name "$lib" 2>/dev/null | head -1 || true)
  if [ -n "$found" ]; then
    export LD_LIBRARY_PATH="$(dirname "$found"):${LD_LIBRARY_PATH:-}"
  else
    echo "run.sh: $lib not found; install the CUDA 13 runtime libraries" >&2
  fi
done
nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total --format=csv,noheader | tee "$out/gpu.txt"
gpu=$(head -1 "$out/gpu.txt" | cut -d, -f1)
status=0
"$here/device-tests" --test-threads=1 2>&1 | tee "$out/tests.log" || status=1
"$here/aigc" --device cuda --out "$out" bench --gpu-name "$gpu" || status=1
echo "run.sh: results in $out (exit $status)"
exit $status
RUN
chmod +x "$dir/run.sh"
du -sh "$dir"
echo "gpu-check: packed $dir; on the GPU machine run: $dir/run.sh"
