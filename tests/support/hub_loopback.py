"""A Hugging Face Hub-protocol server on loopback: just what ``huggingface_hub`` calls to create a
repo, publish one commit and read files back (repo info, preupload, NDJSON commit, resolve with
ranges, tree listing, paths-info). Used by the publishing tests and for dry runs of a publish
setup against ``HfApi(endpoint=...)`` without a network.

Every file is accepted as a regular (inline, base64) upload -- no LFS or Xet. A commit whose
``parentCommit`` is not the branch head is refused with 412, as the Hub does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.support.http_server import Request, Server, response


@dataclass
class Repo:
    type: str
    id: str
    private: bool
    commits: list[str] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)


def _git_oid(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


class LoopbackHub(Server):
    """Repos live in memory; ``requests`` logs (method, path, body) of every call, headers excluded."""

    def __init__(self, **kw: Any):
        super().__init__(**kw)
        self.repos: dict[tuple[str, str], Repo] = {}
        self.requests: list[tuple[str, str, bytes]] = []
        #: called with the repo on each preupload, i.e. after a client read the head and before it
        #: commits: a test makes a concurrent change here
        self.on_preupload = None
        self._lock = threading.RLock()

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- helpers used by tests ---------------------------------------------------------
    def commit_directly(self, repo_type: str, repo_id: str, files: dict[str, bytes]) -> str:
        """Someone else pushes to the repo (to test concurrent-change detection)."""
        with self._lock:
            repo = self.repos[(repo_type, repo_id)]
            repo.files.update(files)
            sha = hashlib.sha1(f"{repo_id}{len(repo.commits)}{sorted(repo.files)}".encode()).hexdigest()
            repo.commits.append(sha)
            return sha

    # -- protocol ------------------------------------------------------------------------
    async def handle(self, request: Request) -> bytes | None:
        parts = urlsplit(request.path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        self.requests.append((request.method, request.path, request.body))
        with self._lock:
            status, body, headers = self._route(request.method, path, query, request)
        if request.method == "HEAD":
            return _head(status, len(body), headers)
        return _reply(status, body, headers)

    def _route(self, method: str, path: str, query: dict, request: Request) -> tuple[int, bytes, dict]:
        if method == "POST" and path == "/api/repos/create":
            spec = json.loads(request.body)
            repo_type = spec.get("type") or "model"
            repo_id = f"{spec['organization']}/{spec['name']}" if spec.get("organization") else spec["name"]
            if (repo_type, repo_id) in self.repos:
                return 409, _json({"error": "You already created this repo", "url": self._url(repo_type, repo_id)}), {}
            repo = Repo(repo_type, repo_id, _private(spec))
            repo.commits.append(hashlib.sha1(f"init {repo_type} {repo_id}".encode()).hexdigest())
            self.repos[(repo_type, repo_id)] = repo
            return 200, _json({"url": self._url(repo_type, repo_id), "name": repo_id}), {}
        if method == "POST" and path == "/api/validate-yaml":
            return self._validate_yaml(json.loads(request.body)["content"])
        m = re.fullmatch(r"/api/(models|datasets)/([^/]+/[^/]+)", path)
        if m:
            path = path + "/revision/main"
        m = re.fullmatch(r"/api/(models|datasets)/([^/]+/[^/]+)/(revision|preupload|commit|tree|paths-info)/([^/]+)(/.*)?", path)
        if m:
            kind, repo_id, verb, _rev, rest = m.groups()
            repo = self.repos.get((kind[:-1], repo_id))
            if repo is None:
                return 404, _json({"error": "Repository not found"}), {"x-error-code": "RepoNotFound"}
            return getattr(self, "_" + verb.replace("-", "_"))(repo, request, (rest or "").lstrip("/"), query)
        m = re.fullmatch(r"/(datasets/)?([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
        if m:
            prefix, repo_id, _rev, file = m.groups()
            repo = self.repos.get(("dataset" if prefix else "model", repo_id))
            if repo is None or file not in repo.files:
                return 404, _json({"error": "Entry not found"}), {"x-error-code": "EntryNotFound"}
            return self._resolve(repo, file, request)
        return 404, _json({"error": f"not served by the loopback Hub: {method} {path}"}), {}

    @staticmethod
    def _validate_yaml(content: str) -> tuple[int, bytes, dict]:
        """The card's YAML header must parse to a mapping (the Hub checks much more)."""
        import yaml

        match = re.match(r"\A---\n(.*?)\n---\n", content, re.DOTALL)
        try:
            meta = yaml.safe_load(match.group(1)) if match else {}
        except yaml.YAMLError as exc:
            return 400, _json({"errors": [{"message": f"invalid YAML: {exc}"}]}), {}
        if match and not isinstance(meta, dict):
            return 400, _json({"errors": [{"message": "metadata must be a mapping"}]}), {}
        return 200, _json({"warnings": []}), {}

    def _url(self, repo_type: str, repo_id: str) -> str:
        return f"{self.endpoint}/{'datasets/' if repo_type == 'dataset' else ''}{repo_id}"

    def _revision(self, repo: Repo, request, rest, query):
        return 200, _json({"id": repo.id, "sha": repo.commits[-1], "private": repo.private,
                           "siblings": [{"rfilename": p} for p in sorted(repo.files)],
                           "lastModified": "2026-01-01T00:00:00.000Z"}), {}

    def _preupload(self, repo: Repo, request, rest, query):
        if self.on_preupload is not None:
            self.on_preupload(repo)
        files = json.loads(request.body)["files"]
        return 200, _json({"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False,
                                      "oid": _git_oid(repo.files[f["path"]]) if f["path"] in repo.files else None}
                                     for f in files]}), {}

    def _commit(self, repo: Repo, request, rest, query):
        lines = [json.loads(line) for line in request.body.splitlines() if line.strip()]
        header = next(entry["value"] for entry in lines if entry["key"] == "header")
        parent = header.get("parentCommit")
        if parent and parent != repo.commits[-1]:
            return 412, _json({"error": "A commit has happened since. Please refresh and try again."}), {}
        for entry in lines:
            if entry["key"] == "file":
                repo.files[entry["value"]["path"]] = base64.b64decode(entry["value"]["content"])
            elif entry["key"] in ("deletedFile", "deletedFolder"):
                repo.files.pop(entry["value"]["path"], None)
            elif entry["key"] != "header":
                return 400, _json({"error": f"the loopback Hub takes regular files only, not {entry['key']}"}), {}
        sha = hashlib.sha1(request.body + repo.commits[-1].encode()).hexdigest()
        repo.commits.append(sha)
        return 200, _json({"commitUrl": f"{self._url(repo.type, repo.id)}/commit/{sha}", "commitOid": sha,
                           "pullRequestUrl": None}), {}

    def _entry(self, path: str, content: bytes) -> dict[str, Any]:
        return {"type": "file", "path": path, "size": len(content), "oid": _git_oid(content)}

    def _tree(self, repo: Repo, request, rest, query):
        prefix = rest.rstrip("/")
        recursive = query.get("recursive", ["false"])[0].lower() == "true"
        entries, dirs = [], set()
        for p, content in sorted(repo.files.items()):
            if prefix and not p.startswith(prefix + "/"):
                continue
            tail = p[len(prefix) + 1:] if prefix else p
            if "/" in tail and not recursive:
                dirs.add((prefix + "/" if prefix else "") + tail.split("/")[0])
                continue
            entries.append(self._entry(p, content))
        if recursive:
            for p in repo.files:
                if p.startswith(prefix + "/" if prefix else ""):
                    parts = p.split("/")[:-1]
                    for i in range(len((prefix + "/").split("/")) - 1 if prefix else 0, len(parts)):
                        dirs.add("/".join(parts[: i + 1]))
        folders = [{"type": "directory", "path": d, "oid": "0" * 40, "size": 0} for d in sorted(dirs)
                   if d != prefix]
        return 200, _json(folders + entries), {}

    def _paths_info(self, repo: Repo, request, rest, query):
        body = request.body.decode()
        try:
            wanted = json.loads(body)["paths"]
        except ValueError:
            wanted = parse_qs(body).get("paths", [])
        out = []
        for p in wanted:
            if p in repo.files:
                out.append(self._entry(p, repo.files[p]))
            elif any(f.startswith(p.rstrip("/") + "/") for f in repo.files):
                out.append({"type": "directory", "path": p, "oid": "0" * 40, "size": 0})
        return 200, _json(out), {}

    def _resolve(self, repo: Repo, file: str, request):
        content = repo.files[file]
        headers = {"x-repo-commit": repo.commits[-1], "etag": f'"{_git_oid(content)}"', "accept-ranges": "bytes"}
        rng = request.headers.get("range")
        if rng:
            start, _, end = rng.removeprefix("bytes=").partition("-")
            first = int(start) if start else len(content) - int(end)
            last = min(int(end), len(content) - 1) if (start and end) else len(content) - 1
            headers["content-range"] = f"bytes {first}-{last}/{len(content)}"
            return 206, content[first:last + 1], headers
        return 200, content, headers


def _private(spec: dict[str, Any]) -> bool:
    """A repo-create request's visibility: huggingface_hub >= 1 sends ``"visibility": "private"``
    (or ``"public"``), older clients ``"private": true``."""
    if "visibility" in spec:
        return spec["visibility"] == "private"
    return bool(spec.get("private"))


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _reply(status: int, body: bytes, headers: dict[str, str]) -> bytes:
    content_type = "application/json" if body[:1] in (b"{", b"[") and "etag" not in headers else "application/octet-stream"
    return response(status, body, content_type=content_type, extra=headers)


def _head(status: int, size: int, headers: dict[str, str]) -> bytes:
    import http.client

    reason = http.client.responses.get(status, "OK")
    lines = [f"HTTP/1.1 {status} {reason}", f"content-length: {size}", "connection: keep-alive",
             *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
