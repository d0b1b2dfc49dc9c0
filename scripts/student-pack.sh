#!/usr/bin/env bash
# Builds the student pack: this crate with the exercises' reference solutions taken out, for
# an instructor to hand out (book/src/instructors.md explains how to use it).
#
#   scripts/student-pack.sh            # writes target/student-pack/aigc/ and aigc-student.tar.gz
#   scripts/student-pack.sh --check    # the same, then compiles the pack's exercise tests
#
# What it does:
# - copies every file of the repository that git tracks or would track (untracked files
#   that .gitignore does not ignore), without .git and its history, to
#   target/student-pack/aigc/;
# - leaves out src/exercises/solutions/ and puts in its place a stub mod.rs that stops the
#   build with a message if anyone asks for the `solutions` feature. The `exercises`
#   feature does not compile that module at all, so `cargo test --features exercises
#   --test exercises` builds, and every stub fails with its `todo!` message until solved;
# - writes target/student-pack/aigc/STUDENT.md and packs the folder as
#   target/student-pack/aigc-student.tar.gz.
#
# With --check, it also compiles the pack's exercise tests (`cargo test --no-run
# --features exercises --test exercises`), sharing this checkout's target/ so that the
# dependencies are not built twice, and fails if any reference solution is left in the pack.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
check=false
case "${1:-}" in
  --check) check=true ;;
  "") ;;
  *) echo "usage: scripts/student-pack.sh [--check]" >&2; exit 2 ;;
esac

out="$root/target/student-pack"
pack="$out/aigc"
rm -rf "$pack" "$out/aigc-student.tar.gz"
mkdir -p "$pack"

# Every tracked or trackable file, except the reference solutions.
count=0
while IFS= read -r -d '' file; do
  case "$file" in
    src/exercises/solutions/*) continue ;;
  esac
  [ -e "$file" ] || continue # deleted in the working tree
  mkdir -p "$pack/$(dirname "$file")"
  cp -p "$file" "$pack/$file"
  count=$((count + 1))
done < <(git ls-files -z --cached --others --exclude-standard)

mkdir -p "$pack/src/exercises/solutions"
cat > "$pack/src/exercises/solutions/mod.rs" <<'EOF'
//! The reference solutions are not part of the student pack.
//!
//! Solve the exercises in `src/exercises/` and check them with
//! `cargo test --features exercises --test exercises`.

compile_error!(
    "this is the student pack: it has no reference solutions, so the `solutions` feature \
     cannot be built. Check your own solutions with \
     `cargo test --features exercises --test exercises`."
);
EOF

cat > "$pack/STUDENT.md" <<'EOF'
# The aigc crate: student pack

This is the crate of the book *Generative AI, Hands-on in Rust*, with the reference
solutions of the checked exercises left out. Everything else is here: the book
(`mdbook serve book`), the notebooks, the library, the command-line program and the tests.

Each checked exercise is a function in `src/exercises/chNN.rs` whose body is an
`exercise!(…)` stub. Replace the stub with your code and check it:

```sh
cargo test --features exercises --test exercises ch05   # one chapter's exercises
cargo test --features exercises --test exercises        # all of them
```

A test fails with `not yet implemented: Exercise 5.1: …` until you solve its exercise, and
passes once your code does what the task asks. The book's chapters describe every exercise,
and the preface's *How to check your exercises* explains the setup.

The `solutions` feature, and the steps of `scripts/test.sh` that use it, do not build in
this pack: the reference solutions they need are not in it. Use the commands above.
EOF

leftover=$(grep -rl --include='*.rs' -e 'pub fn' "$pack/src/exercises/solutions" || true)
if [ -n "$leftover" ]; then
  echo "student-pack: a reference solution is still in the pack: $leftover" >&2
  exit 1
fi

tar -czf "$out/aigc-student.tar.gz" -C "$out" aigc
echo "student-pack: $count files in $pack"
echo "student-pack: archive $out/aigc-student.tar.gz ($(du -h "$out/aigc-student.tar.gz" | cut -f1))"

if $check; then
  echo "student-pack: compiling the pack's exercise tests (cargo test --no-run --features exercises)"
  (cd "$pack" && CARGO_TARGET_DIR="$root/target" cargo test --locked --no-run \
    --features exercises --test exercises)
  echo "student-pack: the pack builds with --features exercises"
fi
