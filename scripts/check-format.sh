#!/usr/bin/env bash
# Fails if any tracked C/C++ source differs from the committed .clang-format style.
set -euo pipefail
cd "$(dirname "$0")/.."
fmt=$(command -v clang-format-14 || command -v clang-format)
mapfile -t files < <(git ls-files '*.h' '*.cc' '*.c')
"$fmt" --dry-run --Werror "${files[@]}"
echo "check-format: ${#files[@]} files formatted"
