#!/usr/bin/env bash
# Release workflow step: builds meshwright for TARGET the reproducible way (locked
# dependencies, stripped, build paths remapped), refuses a binary that still names a build
# path, and packs meshwright-VERSION-TARGET.tar.gz (.zip for Windows) into OUT_DIR with the
# binary, its man pages, README.md and LICENSE.
#
# Usage: release-archive.sh VERSION TARGET OUT_DIR
set -euo pipefail
version="${1:?version}"
target="${2:?target}"
out_dir="${3:?output directory}"
cd "$(dirname "$0")/../.."

workspace="$PWD"
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
executable=meshwright
if [ "${RUNNER_OS:-}" = Windows ]; then
    # rustc sees Windows paths, not the MSYS ones bash shows.
    workspace="$(cygpath -w "$workspace")"
    cargo_home="$(cygpath -w "$cargo_home")"
    executable=meshwright.exe
fi
export RUSTFLAGS="--remap-path-prefix=$workspace=meshwright --remap-path-prefix=$cargo_home=cargo"
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_RELEASE_STRIP=symbols
cargo build --release --locked --target "$target" --bin meshwright

target_dir="${CARGO_TARGET_DIR:-target}"
binary="$target_dir/$target/release/$executable"
for build_path in "$workspace" "$cargo_home"; do
    if grep -q -a -F "$build_path" "$binary"; then
        echo "::error title=release::$binary names the build path $build_path"
        exit 1
    fi
done

name="meshwright-$version-$target"
staging="$target_dir/release-archive/$name"
rm -rf "$staging"
mkdir -p "$staging/man" "$out_dir"
cp "$binary" README.md LICENSE "$staging/"
"$binary" man --out "$staging/man"
if [ "${RUNNER_OS:-}" = Windows ]; then
    (cd "$target_dir/release-archive" && 7z a -tzip -bd "$name.zip" "$name" >/dev/null)
    mv "$target_dir/release-archive/$name.zip" "$out_dir/"
else
    tar -C "$target_dir/release-archive" -czf "$out_dir/$name.tar.gz" "$name"
fi
echo "packed $name"
