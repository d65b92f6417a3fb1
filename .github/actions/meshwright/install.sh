#!/usr/bin/env bash
# Step `Install meshwright` of the meshwright action: meshwright on PATH is used as it is;
# otherwise the action's own source is built once (`cargo install --locked`) into
# $MESHWRIGHT_BUILD_DIR, which actions/cache keeps between runs, and put on PATH.
set -euo pipefail
if command -v meshwright >/dev/null 2>&1; then
    echo "using $(command -v meshwright): $(meshwright --version)"
    exit 0
fi
build_dir="${MESHWRIGHT_BUILD_DIR:?}"
build_dir="${build_dir/#\~/$HOME}"
if [ ! -x "$build_dir/bin/meshwright" ]; then
    root="$(cd "$GITHUB_ACTION_PATH/../../.." && pwd)"
    if ! command -v cargo >/dev/null 2>&1; then
        echo "::error title=meshwright::meshwright is not on PATH and cargo is missing to build it: add dtolnay/rust-toolchain@stable before this action, or install meshwright"
        exit 1
    fi
    echo "building meshwright from $root (cached for later runs)"
    cargo install --locked --quiet --path "$root" --root "$build_dir"
fi
echo "$build_dir/bin" >> "$GITHUB_PATH"
echo "using $build_dir/bin/meshwright: $("$build_dir/bin/meshwright" --version)"
