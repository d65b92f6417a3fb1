#!/usr/bin/env bash
# Step `source` of the meshwright action: a key naming the exact meshwright source the
# action was fetched with (a hash of what the build reads), so a cached build is reused
# only for the same source. Writes `key=` to $GITHUB_OUTPUT.
set -euo pipefail
root="$(cd "$GITHUB_ACTION_PATH/../../.." && pwd)"
key="$(cd "$root" && find Cargo.toml Cargo.lock build.rs build src blueprints schemas upstream/README.md -type f -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-20)"
echo "meshwright source $root: $key"
echo "key=$key" >> "$GITHUB_OUTPUT"
