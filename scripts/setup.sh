#!/usr/bin/env bash
# Installs what building the book and running every test needs, each only when missing,
# at pinned versions. Safe to run again: a second run installs nothing.
#
#   mdBook 0.5.4 + mdbook-katex 0.10.0 + mdbook-linkcheck2 0.13.0   (the book)
#   evcxr_jupyter 0.22.0 (+ its Jupyter kernel `rust`) and nbclient  (the notebooks)
#   KaTeX 0.16.4's stylesheet and fonts, from the npm registry       (math that renders offline)
#   Chromium (Debian's package) + playwright-core 1.65.1 from npm    (the book in a browser)
#   mdbook-i18n-helpers 0.4.0, GNU gettext, fonts-noto-cjk (Debian)   (the 简体中文 edition)
set -euo pipefail
cd "$(dirname "$0")/.."

installed() { cargo install --list | grep -q "^$1 v$2:"; }
# The tools share one target dir (their common dependencies build once) and a lighter
# release profile: none of them is speed-critical here, and full optimisation with one
# codegen unit per crate doubled the install time on two cores.
export CARGO_TARGET_DIR="${AIGC_TOOLS_TARGET:-$HOME/.cache/aigc-tools/target}"
export CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_LTO=false \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=false \
  CARGO_PROFILE_RELEASE_INCREMENTAL=false CARGO_PROFILE_RELEASE_STRIP=true
for spec in mdbook@0.5.4 mdbook-katex@0.10.0 mdbook-linkcheck2@0.13.0 mdbook-i18n-helpers@0.4.0 evcxr_jupyter@0.22.0; do
  name=${spec%@*} version=${spec#*@}
  if ! installed "$name" "$version"; then
    echo "setup: installing $spec (a few minutes, once)"
    # --locked is required: a fresh resolve of evcxr_jupyter's dependencies does not build.
    cargo install --locked "$spec"
  fi
done
unset CARGO_TARGET_DIR CARGO_PROFILE_RELEASE_OPT_LEVEL CARGO_PROFILE_RELEASE_LTO \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS CARGO_PROFILE_RELEASE_DEBUG \
  CARGO_PROFILE_RELEASE_INCREMENTAL CARGO_PROFILE_RELEASE_STRIP

kernel_dir="${JUPYTER_DATA_DIR:-$HOME/.local/share/jupyter}/kernels/rust"
if [ ! -f "$kernel_dir/kernel.json" ]; then
  echo "setup: registering the evcxr Jupyter kernel"
  evcxr_jupyter --install
fi

if ! python3 -c 'import nbclient' 2>/dev/null; then
  echo "setup: installing nbclient"
  python3 -m pip install --quiet 'nbclient==0.11.0'
fi

# KaTeX's CSS lives at book/katex/ (mdBook copies it as additional-css) and its fonts at
# book/src/katex/fonts/ (copied with the book's sources), so the CSS's relative font URLs
# resolve in the built book. Neither is committed.
if [ ! -f book/katex/katex.min.css ] || [ ! -f book/src/katex/fonts/KaTeX_Main-Regular.woff2 ]; then
  echo "setup: fetching KaTeX 0.16.4 stylesheet and fonts"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent katex@0.16.4 >/dev/null && tar xzf katex-0.16.4.tgz)
  mkdir -p book/katex book/src/katex/fonts
  cp "$tmp/package/dist/katex.min.css" book/katex/
  cp "$tmp"/package/dist/fonts/*.woff2 book/src/katex/fonts/
  rm -rf "$tmp"
fi
# The browser test (scripts/browser-test.mjs) drives Debian's Chromium with playwright-core,
# installed into a cache folder outside the repository (never committed).
if [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing Chromium (Debian package)"
  apt-get update && apt-get install -y --no-install-recommends chromium
fi
# The 简体中文 edition: gettext's msgcat/msgmerge/msggrep (scripts/i18n.sh), and a CJK font,
# without which Chromium draws Chinese as empty boxes (the browser test checks the glyphs).
if ! command -v msgmerge >/dev/null || ! command -v msggrep >/dev/null; then
  echo "setup: installing GNU gettext (Debian package)"
  apt-get update && apt-get install -y --no-install-recommends gettext
fi
if [ -z "$(fc-list :lang=zh-cn family 2>/dev/null || true)" ]; then
  echo "setup: installing a CJK font (Debian's fonts-noto-cjk)"
  apt-get update && apt-get install -y --no-install-recommends fontconfig fonts-noto-cjk
fi
browser_dir="${AIGC_BROWSER_DIR:-$HOME/.cache/aigc-browser}"
if ! grep -qs '"version": "1.65.1"' "$browser_dir/node_modules/playwright-core/package.json"; then
  echo "setup: installing playwright-core 1.65.1 into $browser_dir"
  mkdir -p "$browser_dir"
  npm install --prefix "$browser_dir" --no-audit --no-fund --silent playwright-core@1.65.1
fi
echo "setup: all tools present"
