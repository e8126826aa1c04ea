"""Post a `pushflow plan --format markdown` as a pull/merge request comment, or update the one
posted before: a pull request has one plan comment, kept current, never a pile of them.

    python ci/plan_comment.py plan.md

Written by `pushflow init`; standard library only. The comment is found by the marker on the
plan's first line (``<!-- pushflow-plan -->``) among the comments of the token's own user.

GitHub Actions: GITHUB_TOKEN (with ``pull-requests: write``) and PR_NUMBER from the workflow;
GITHUB_API_URL and GITHUB_REPOSITORY are set by Actions. The comments of ``github-actions[bot]``
are searched (PUSHFLOW_COMMENT_AUTHOR names another user, for a token of your own).

GitLab CI: PUSHFLOW_GITLAB_TOKEN, a project access token with the ``api`` scope (without it the
plan is not posted, and the job says so); CI_API_V4_URL, CI_PROJECT_ID and CI_MERGE_REQUEST_IID
are set by GitLab.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

MARKER = "<!-- pushflow-plan -->"
#: The longest comment body each service takes (GitHub: 65 536 characters).
LIMITS = {"github": 65_536, "gitlab": 1_000_000}
TRUNCATED = "\n\n… the plan is too long for a comment: the whole plan is in the job's output.\n"


def request(method: str, url: str, headers: dict[str, str], body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    call = urllib.request.Request(url, data=data, method=method, headers=headers)
    call.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(call, timeout=30) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        reason = exc.read().decode("utf-8", "replace")[:500]
        raise SystemExit(f"plan_comment: {method} {url}: HTTP {exc.code}: {reason}") from None


def pages(url: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every item of a paginated list (both services take per_page and page)."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        batch = request("GET", f"{url}?per_page=100&page={page}", headers)
        items += batch
        if len(batch) < 100:
            return items
        page += 1


def fit(body: str, limit: int) -> str:
    if not body.startswith(MARKER):
        body = f"{MARKER}\n{body}"
    if len(body) <= limit:
        return body
    return body[: limit - len(TRUNCATED)] + TRUNCATED


def github(body: str, env: dict[str, str]) -> str:
    api = env.get("GITHUB_API_URL", "https://api.github.com")
    issue = f"{api}/repos/{env['GITHUB_REPOSITORY']}/issues"
    headers = {
        "Authorization": f"Bearer {env['GITHUB_TOKEN']}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    }
    author = env.get("PUSHFLOW_COMMENT_AUTHOR") or "github-actions[bot]"
    comments = pages(f"{issue}/{env['PR_NUMBER']}/comments", headers)
    body = fit(body, LIMITS["github"])
    for comment in comments:
        if comment["user"]["login"] == author and comment["body"].startswith(MARKER):
            request("PATCH", f"{issue}/comments/{comment['id']}", headers, {"body": body})
            return f"updated the plan comment {comment['html_url']}"
    posted = request("POST", f"{issue}/{env['PR_NUMBER']}/comments", headers, {"body": body})
    return f"posted the plan comment {posted['html_url']}"


def gitlab(body: str, env: dict[str, str]) -> str:
    token = env.get("PUSHFLOW_GITLAB_TOKEN", "")
    if not token:
        return "PUSHFLOW_GITLAB_TOKEN is not set: the plan is only in the job log"
    api = env["CI_API_V4_URL"]
    request_iid = env["CI_MERGE_REQUEST_IID"]
    notes = f"{api}/projects/{env['CI_PROJECT_ID']}/merge_requests/{request_iid}/notes"
    headers = {"PRIVATE-TOKEN": token}
    me = request("GET", f"{api}/user", headers)["id"]
    body = fit(body, LIMITS["gitlab"])
    for note in pages(notes, headers):
        if note["author"]["id"] == me and note["body"].startswith(MARKER):
            request("PUT", f"{notes}/{note['id']}", headers, {"body": body})
            return f"updated the plan note {note['id']} on merge request !{request_iid}"
    posted = request("POST", notes, headers, {"body": body})
    return f"posted the plan note {posted['id']} on merge request !{request_iid}"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python ci/plan_comment.py PLAN.md", file=sys.stderr)
        return 2
    body = Path(argv[1]).read_text(encoding="utf-8")
    env = dict(os.environ)
    if env.get("GITHUB_ACTIONS") == "true":
        print(github(body, env))
    elif env.get("GITLAB_CI") == "true":
        print(gitlab(body, env))
    else:
        print("plan_comment: neither GitHub Actions nor GitLab CI: nothing posted", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
