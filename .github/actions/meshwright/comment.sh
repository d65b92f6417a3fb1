#!/usr/bin/env bash
# Posts FILE as the pull request's meshwright comment, or updates the comment posted
# before (the one whose body starts with FILE's first line, the marker), through GitHub's
# REST API; prints the comment's address. Reads GITHUB_TOKEN, GITHUB_REPOSITORY,
# PULL_REQUEST_NUMBER and GITHUB_API_URL (set by the runner). The token is never printed.
set -euo pipefail

file="${1:?usage: comment.sh FILE}"
api="${GITHUB_API_URL:-https://api.github.com}"
repository="${GITHUB_REPOSITORY:?}"
number="${PULL_REQUEST_NUMBER:?}"
marker="$(head -n 1 "$file")"

# request METHOD URL [JSON_FILE]: the response body; a status of 300 or more is an error
# naming the method, the address and GitHub's message.
request() {
    local method="$1" url="$2" data="${3:-}" response status body
    local args=(--silent --show-error --max-time 30 -X "$method"
        -H "Authorization: Bearer $GITHUB_TOKEN"
        -H "Accept: application/vnd.github+json"
        -H "X-GitHub-Api-Version: 2022-11-28"
        -w '\n%{http_code}')
    if [ -n "$data" ]; then
        args+=(-H "Content-Type: application/json" --data-binary "@$data")
    else
        args+=(--retry 2)
    fi
    response="$(curl "${args[@]}" "$url")" || return 1
    status="${response##*$'\n'}"
    body="${response%$'\n'*}"
    if [ "$status" -ge 300 ]; then
        echo "GitHub API: $method $url: $status $(jq -r '.message? // empty' <<< "$body" 2> /dev/null)" >&2
        return 1
    fi
    printf '%s' "$body"
}

# The earlier comment: the first whose body starts with the marker, page by page.
existing=""
page=1
while :; do
    comments="$(request GET "$api/repos/$repository/issues/$number/comments?per_page=100&page=$page")"
    existing="$(jq -r --arg marker "$marker" \
        'map(select(.body | startswith($marker))) | first | .id // empty' <<< "$comments")"
    if [ -n "$existing" ] || [ "$(jq length <<< "$comments")" -lt 100 ]; then
        break
    fi
    page=$((page + 1))
done

payload="$(mktemp)"
trap 'rm -f "$payload"' EXIT
jq -n --rawfile body "$file" '{body: $body}' > "$payload"
if [ -n "$existing" ]; then
    posted="$(request PATCH "$api/repos/$repository/issues/comments/$existing" "$payload")"
else
    posted="$(request POST "$api/repos/$repository/issues/$number/comments" "$payload")"
fi
jq -r '.html_url' <<< "$posted"
