#!/usr/bin/env bash
# Step `Install meshwright` of the meshwright action, in this order:
#   1. meshwright on PATH is used as it is;
#   2. a binary already in $MESHWRIGHT_BUILD_DIR (which actions/cache keeps) is used;
#   3. the release of the action's ref (MESHWRIGHT_ACTION_REF, of MESHWRIGHT_ACTION_REPOSITORY
#      on GITHUB_SERVER_URL) is downloaded for the runner's RUNNER_OS/RUNNER_ARCH and
#      installed only when it matches the release's SHA256SUMS;
#   4. only a ref without a release for this platform (a branch, a commit, an HTTP 404) is
#      built from the action's own source (`cargo install --locked`).
set -euo pipefail
if command -v meshwright >/dev/null 2>&1; then
    echo "using $(command -v meshwright): $(meshwright --version)"
    exit 0
fi
build_dir="${MESHWRIGHT_BUILD_DIR:?}"
build_dir="${build_dir/#\~/$HOME}"
ref="${MESHWRIGHT_ACTION_REF:-}"
release="${GITHUB_SERVER_URL:-https://github.com}/${MESHWRIGHT_ACTION_REPOSITORY:-}/releases/download/$ref"
platform="${RUNNER_OS:-}/${RUNNER_ARCH:-}"
executable=meshwright
[ "${RUNNER_OS:-}" = Windows ] && executable=meshwright.exe

fail() {
    echo "::error title=meshwright::$1"
    exit 1
}

# The release target built for this runner's platform, if any.
release_target() {
    case "$platform" in
        Linux/X64) echo x86_64-unknown-linux-musl ;;
        Linux/ARM64) echo aarch64-unknown-linux-musl ;;
        macOS/X64) echo x86_64-apple-darwin ;;
        macOS/ARM64) echo aarch64-apple-darwin ;;
        Windows/X64) echo x86_64-pc-windows-msvc ;;
        *) return 1 ;;
    esac
}

# Downloads release asset $1 to $2. Returns 1 when the release has no such asset (404);
# any other failure stops the step, since building would hide it.
download() {
    local status
    status="$(curl --silent --show-error --location --retry 3 --output "$2" \
        --write-out '%{http_code}' "$release/$1")" || fail "cannot download $release/$1"
    case "$status" in
        200) return 0 ;;
        404) return 1 ;;
        *) fail "downloading $release/$1 answered HTTP $status" ;;
    esac
}

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

# Installs the verified release binary into $build_dir/bin; returns 1 when the ref has no
# release for this platform. Called as `install_release || ...`, where `set -e` does not
# apply, so every step that can fail checks for itself.
install_release() {
    local target work archive expected actual name
    [ -n "$ref" ] || return 1
    target="$(release_target)" || return 1
    work="$(mktemp -d "${RUNNER_TEMP:-/tmp}/meshwright-release.XXXXXX")"
    download SHA256SUMS "$work/SHA256SUMS" || return 1
    archive="$(grep -oE "meshwright-[^ ]+-$target\.(tar\.gz|zip)$" "$work/SHA256SUMS" | head -n1)" || return 1
    download "$archive" "$work/$archive" || return 1
    expected="$(grep -E " \*?$archive$" "$work/SHA256SUMS" | cut -d' ' -f1)"
    actual="$(sha256 "$work/$archive")"
    if [ "$actual" != "$expected" ]; then
        fail "$archive from $release does not match its SHA256SUMS (expected $expected, got $actual): not installed"
    fi
    case "$archive" in
        *.zip) unzip -q "$work/$archive" -d "$work" ;;
        *) tar -xzf "$work/$archive" -C "$work" ;;
    esac || fail "cannot unpack $archive"
    name="${archive%.tar.gz}"
    name="${name%.zip}"
    mkdir -p "$build_dir/bin" || fail "cannot create $build_dir/bin"
    cp "$work/$name/$executable" "$build_dir/bin/" || fail "$archive does not hold $name/$executable"
    echo "installed $archive from $release (SHA-256 $actual)"
}

build_from_source() {
    local root
    root="$(cd "$GITHUB_ACTION_PATH/../../.." && pwd)"
    if ! command -v cargo >/dev/null 2>&1; then
        fail "meshwright is not on PATH, the action's ref '$ref' has no release for $platform, and cargo is missing to build it: add dtolnay/rust-toolchain@stable before this action, or install meshwright"
    fi
    echo "no release of '$ref' for $platform: building meshwright from $root (cached for later runs)"
    cargo install --locked --quiet --path "$root" --root "$build_dir"
}

if [ ! -x "$build_dir/bin/$executable" ]; then
    install_release || build_from_source
fi
echo "$build_dir/bin" >> "$GITHUB_PATH"
echo "using $build_dir/bin/$executable: $("$build_dir/bin/$executable" --version)"
