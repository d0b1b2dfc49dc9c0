#!/usr/bin/env bash
# Sets up a CUDA 13.0 build toolkit from PyPI wheels on a machine WITHOUT a GPU, so that
# `cargo build --features cuda` (dfdx 0.13 + cudarc 0.9) can compile and link here, and the
# resulting binary can be carried to a GPU machine (driver 580 = CUDA 13.0, H200 = sm_90).
#
# Usage:  source scripts/cuda-toolkit.sh [DIR]     (DIR defaults to ~/.cache/cuda13-toolkit)
# Then:   cargo build --release --features cuda            (or cargo test --no-run ...)
#
# What it does:
#   * downloads nvcc, crt headers, runtime headers, nvrtc, cublas, curand, nvvm, cccl (13.0.x)
#   * makes $DIR/root/{include,lib64} with unversioned .so links (cudarc's build.rs links -lcublas ...)
#   * makes a link-time stub libcuda.so (SONAME libcuda.so.1) from cudarc 0.9's driver symbols;
#     at run time the real driver's libcuda.so.1 is used
#   * puts a stand-in `nvidia-smi` first on PATH that reports compute capability 9.0
#     (dfdx's build.rs asks nvidia-smi; override with CUDA_COMPUTE_CAP_DOT=8.0 etc.)
# On the GPU machine: export LD_LIBRARY_PATH to the directory holding libcublas.so.13
# (for example: dirname "$(find / -name libcublas.so.13 2>/dev/null | head -1)").
set -u
DIR="${1:-$HOME/.cache/cuda13-toolkit}"
mkdir -p "$DIR/whl" "$DIR/x" "$DIR/root/lib64" "$DIR/fakebin"
if [ ! -x "$DIR/x/nvidia/cu13/bin/nvcc" ] || [ ! -d "$DIR/x/nvidia/cu13/include/crt" ]; then
  python3 -m pip download -q --no-deps --only-binary=:all: \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
    --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --python-version 3.11 \
    -d "$DIR/whl" nvidia-cuda-nvcc==13.0.88 nvidia-cuda-crt==13.0.88 nvidia-cuda-runtime==13.0.96 \
    nvidia-cuda-nvrtc==13.0.88 nvidia-cublas==13.0.2.14 nvidia-curand==10.4.5.25 \
    nvidia-cuda-cccl==13.0.85 nvidia-nvvm==13.0.88 || return 1 2>/dev/null || exit 1
  for w in "$DIR"/whl/*.whl; do unzip -q -o "$w" -d "$DIR/x"; done
fi
CU="$DIR/x/nvidia/cu13"
ln -sfn "$CU/include" "$DIR/root/include"
for l in cublas cublasLt nvrtc curand cudart; do
  f=$(ls "$CU"/lib/lib$l.so.* | head -1); ln -sf "$f" "$DIR/root/lib64/lib$l.so"
done
if [ ! -f "$DIR/root/lib64/libcuda.so" ]; then
  src=$(ls -d "$HOME"/.cargo/registry/src/*/cudarc-0.9.*/src/driver/sys.rs 2>/dev/null | tail -1)
  if [ -z "$src" ]; then echo "cudarc 0.9 source not found: run 'cargo fetch' in the project first" >&2
  else
    grep -ho 'pub fn cu[A-Za-z0-9_]*' "$src" | sed 's/pub fn //' | sort -u |
      awk '{print "void " $1 "(void) {}"}' > "$DIR/stub.c"
    gcc -shared -fPIC -o "$DIR/root/lib64/libcuda.so" -Wl,-soname,libcuda.so.1 "$DIR/stub.c"
  fi
fi
cat > "$DIR/fakebin/nvidia-smi" <<'SMI'
#!/bin/sh
echo compute_cap
echo "${CUDA_COMPUTE_CAP_DOT:-9.0}"
SMI
chmod +x "$DIR/fakebin/nvidia-smi"
export CUDA_ROOT="$DIR/root" PATH="$DIR/fakebin:$CU/bin:$PATH"
echo "CUDA 13.0 build toolkit ready: CUDA_ROOT=$CUDA_ROOT; nvcc=$(command -v nvcc)"
