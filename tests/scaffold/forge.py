"""A fake code forge on 127.0.0.1: the few GitHub and GitLab REST calls the scaffolded CI makes.

- GitHub: list / create / edit the comments of a pull request (``/repos/O/R/issues/N/comments``,
  ``/repos/O/R/issues/comments/ID``), and the Actions ID-token endpoint (``/token?audience=…``,
  what ``$ACTIONS_ID_TOKEN_REQUEST_URL`` points at);
- GitLab: ``/api/v4/user`` and the notes of a merge request.

Comments live in memory; every request is recorded. Pages hold at most ``per_page`` items, so a
client that does not follow pages misses comments, as it would on the real services.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

GITHUB_TOKEN = "ghs_fake-installation-token"
GITLAB_TOKEN = "glpat-fake-project-token"
ID_TOKEN_REQUEST_TOKEN = "fake-request-token"
ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJzdHMuYWxpeXVucy5jb20ifQ.c2lnbmF0dXJl"
BOT_LOGIN = "github-actions[bot]"
GITLAB_BOT_ID = 7


@dataclass
class Forge:
    """The fake's state: comments per pull/merge request, and the requests received."""

    url: str = ""
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    next_id: int = 100

    def add(self, thread: str, body: str, **author: Any) -> dict[str, Any]:
        self.next_id += 1
        item = {"id": self.next_id, "body": body, **author}
        if "#" in thread:  # a GitHub pull request, "owner/repo#number"
            repo, number = thread.split("#")
            item["html_url"] = f"{self.url}/{repo}/pull/{number}#issuecomment-{self.next_id}"
        self.comments.setdefault(thread, []).append(item)
        return item


class _Handler(BaseHTTPRequestHandler):
    forge: Forge

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        return dict(json.loads(self.rfile.read(length) or b"{}"))

    def _page(self, items: list[dict[str, Any]], query: dict[str, list[str]]) -> None:
        size = int(query.get("per_page", ["30"])[0])
        page = int(query.get("page", ["1"])[0])
        self._reply(200, items[(page - 1) * size : page * size])

    def _route(self, method: str) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        forge = self.forge
        forge.requests.append((method, path))
        if path == "/token":
            if self.headers.get("Authorization") != f"bearer {ID_TOKEN_REQUEST_TOKEN}":
                return self._reply(401, {"message": "bad request token"})
            forge.audiences.append(query.get("audience", [""])[0])
            return self._reply(200, {"count": 1, "value": ID_TOKEN})
        if path.startswith("/api/v4/"):
            return self._gitlab(method, path, query)
        if self.headers.get("Authorization") != f"Bearer {GITHUB_TOKEN}":
            return self._reply(401, {"message": "Bad credentials"})
        if match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", path):
            thread = f"{match[1]}#{match[2]}"
            if method == "GET":
                return self._page(forge.comments.get(thread, []), query)
            if method == "POST":
                item = forge.add(thread, self._body()["body"], user={"login": BOT_LOGIN})
                return self._reply(201, item)
        if method == "PATCH" and (
            match := re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/comments/(\d+)", path)
        ):
            for items in forge.comments.values():
                for item in items:
                    if item["id"] == int(match[2]):
                        item["body"] = self._body()["body"]
                        return self._reply(200, item)
        return self._reply(404, {"message": "Not Found"})

    def _gitlab(self, method: str, path: str, query: dict[str, list[str]]) -> None:
        forge = self.forge
        if self.headers.get("PRIVATE-TOKEN") != GITLAB_TOKEN:
            return self._reply(401, {"message": "401 Unauthorized"})
        if path == "/api/v4/user":
            return self._reply(200, {"id": GITLAB_BOT_ID, "username": "project_1_bot"})
        if match := re.fullmatch(r"/api/v4/projects/(\d+)/merge_requests/(\d+)/notes", path):
            thread = f"{match[1]}!{match[2]}"
            if method == "GET":
                return self._page(forge.comments.get(thread, []), query)
            if method == "POST":
                item = forge.add(thread, self._body()["body"], author={"id": GITLAB_BOT_ID})
                return self._reply(201, item)
        if method == "PUT" and (
            match := re.fullmatch(r"/api/v4/projects/(\d+)/merge_requests/(\d+)/notes/(\d+)", path)
        ):
            for item in forge.comments.get(f"{match[1]}!{match[2]}", []):
                if item["id"] == int(match[3]):
                    item["body"] = self._body()["body"]
                    return self._reply(200, item)
        return self._reply(404, {"message": "404 Not found"})

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PATCH(self) -> None:
        self._route("PATCH")

    def do_PUT(self) -> None:
        self._route("PUT")


@contextmanager
def serve() -> Iterator[Forge]:
    """A fake forge listening on 127.0.0.1 (a free port) for the duration of the block."""
    forge = Forge()
    handler = type("Handler", (_Handler,), {"forge": forge})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    forge.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield forge
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
