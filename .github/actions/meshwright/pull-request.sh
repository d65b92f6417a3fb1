#!/usr/bin/env bash
# Step `check` of the meshwright action: `meshwright validate` (annotations in the log),
# `meshwright generate --check` when the path holds a mesh.yaml, and `meshwright diff` from
# the merge base of base and head. The report goes to the job summary and, for a pull
# request, into one comment (comment.sh); outputs `errors`, `weaker`, `differences` and
# `comment-url`; the exit status follows MESHWRIGHT_FAIL_ON (error, weaker or never).
set -uo pipefail

path="${MESHWRIGHT_PATH:-.}"
base="${MESHWRIGHT_BASE:-}"
head="${MESHWRIGHT_HEAD:-}"
fail_on="${MESHWRIGHT_FAIL_ON:-error}"
limit="${MESHWRIGHT_MARKDOWN_LIMIT:-60000}"
work="${RUNNER_TEMP:?}/meshwright"
mkdir -p "$work"

case "$fail_on" in
    error | weaker | never) ;;
    *)
        echo "::error title=meshwright::fail-on must be error, weaker or never, not '$fail_on'"
        exit 2
        ;;
esac
if ! [[ "$limit" =~ ^[0-9]+$ ]]; then
    echo "::error title=meshwright::markdown-limit must be a number of bytes, not '$limit'"
    exit 2
fi

broken=0   # meshwright could not run (exit 2 or 3): fails the job whatever fail-on says
failed=0   # what fail-on counts as a failure
report="$work/comment.md"
echo "<!-- meshwright:pull-request -->" > "$report"

# validate, one run: annotations for the log and the changed lines, markdown for the report,
# JSON for the counts.
meshwright validate --output github --output "markdown=$work/validate.md" \
    --output "json=$work/validate.json" "$path"
validate=$?
if [ -f "$work/validate.md" ]; then cat "$work/validate.md" >> "$report"; fi
errors="$(jq '.summary.errors // 0' "$work/validate.json" 2> /dev/null || echo 0)"
case "$validate" in
    0) ;;
    1) failed=1 ;;
    *) broken=1 ;;
esac

# generate --check: generated files that no longer match mesh.yaml.
if [ -f "$path/mesh.yaml" ]; then
    meshwright generate --check "$path" > "$work/generate.txt" 2>&1
    case "$?" in
        0) echo "✅ Generated files match \`mesh.yaml\`." >> "$report" ;;
        1)
            failed=1
            {
                echo "❌ **Generated files differ from \`mesh.yaml\`**: run \`meshwright generate\` and commit the result."
                echo
                echo "<details><summary>meshwright generate --check</summary>"
                echo
                echo '```'
                head -n 200 "$work/generate.txt"
                echo '```'
                echo "</details>"
            } >> "$report"
            ;;
        *)
            broken=1
            echo "❌ \`meshwright generate --check\` failed: $(tail -n 1 "$work/generate.txt")" >> "$report"
            ;;
    esac
    echo >> "$report"
fi

# diff: what the pull request changes, from the merge base.
weaker=0
differences=false
if [ -z "$base" ] || [ -z "$head" ]; then
    echo "No base and head revision (not a pull request, and no base/head input): no diff." >> "$report"
else
    # Short commit ids read better in the comment; a revision git cannot find stays as given.
    base="$(git rev-parse --short "$base" 2> /dev/null || echo "$base")"
    head="$(git rev-parse --short "$head" 2> /dev/null || echo "$head")"
    used=$(wc -c < "$report")
    room=$((limit - used - 200))
    if [ "$room" -lt 2000 ]; then room=2000; fi
    meshwright diff --base "$base...$head" --output "json=$work/diff.json" \
        --output "markdown=$work/diff.md" --markdown-limit "$room" "$path" 2> "$work/diff.err"
    diff=$?
    if [ "$diff" -le 1 ]; then
        cat "$work/diff.md" >> "$report"
        weaker="$(jq '.summary.weaker' "$work/diff.json")"
        if [ "$diff" -eq 1 ]; then differences=true; fi
        if [ "$fail_on" = weaker ] && [ "$weaker" -gt 0 ]; then failed=1; fi
    else
        broken=1
        message="$(tail -n 1 "$work/diff.err")"
        echo "::error title=meshwright diff::$message"
        if [[ "$message" == *"merge base"* || "$message" == *"revision"* ]]; then
            echo "::error title=meshwright diff::the diff needs the history of both branches: use actions/checkout with fetch-depth: 0"
        fi
        echo "❌ \`meshwright diff\` failed: $message" >> "$report"
    fi
    # Warnings (input problems in one side) belong in the log.
    cat "$work/diff.err" >&2
fi

cat "$report" >> "${GITHUB_STEP_SUMMARY:-/dev/null}"

comment_url=""
if [ "${MESHWRIGHT_COMMENT:-true}" = true ] && [ -n "${PULL_REQUEST_NUMBER:-}" ]; then
    if comment_url="$("$GITHUB_ACTION_PATH/comment.sh" "$report")"; then
        echo "comment: $comment_url"
    else
        comment_url=""
        echo "::warning title=meshwright::could not post the pull-request comment (a pull request from a fork gets a read-only token); the report is in the job summary"
    fi
fi

{
    echo "errors=$errors"
    echo "weaker=$weaker"
    echo "differences=$differences"
    echo "comment-url=$comment_url"
} >> "${GITHUB_OUTPUT:-/dev/null}"

if [ "$broken" -ne 0 ]; then
    exit 1
fi
if [ "$failed" -ne 0 ] && [ "$fail_on" != never ]; then
    exit 1
fi
exit 0
