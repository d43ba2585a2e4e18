"""A small Hugging Face hub on 127.0.0.1 for download tests: the API calls huggingface_hub makes (repo info, file
HEAD with commit/etag/size, GET with Range for resume), serving files from memory, optionally slowly."""
from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeHub:
    def __init__(self, repos: dict[str, dict[str, bytes]], commit: str = "c0ffee" * 6 + "cafe",
                 chunk: int = 1 << 16, delay: float = 0.0):
        self.repos, self.commit, self.chunk, self.delay = repos, commit, chunk, delay
        self.log: list[tuple[str, str, str | None]] = []  # (method, path, Range header)
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_HEAD(self):
                hub._serve(self, body=False)

            def do_GET(self):
                hub._serve(self, body=True)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _serve(self, h, body: bool) -> None:
        path = h.path.split("?")[0]
        self.log.append((h.command, path, h.headers.get("Range")))
        m = re.match(r"^/api/models/([^/]+/[^/]+)(?:/revision/([^/]+))?$", path)
        if m and m.group(1) in self.repos:
            files = self.repos[m.group(1)]
            data = json.dumps({"id": m.group(1), "modelId": m.group(1), "sha": self.commit, "private": False,
                               "siblings": [{"rfilename": n, "size": len(b)} for n, b in files.items()]}).encode()
            return self._send(h, 200, data, {"Content-Type": "application/json"}, body)
        m = re.match(r"^/api/models/([^/]+/[^/]+)/tree/([^/]+)$", path)
        if m and m.group(1) in self.repos:
            tree = [{"type": "file", "path": n, "size": len(b), "oid": hashlib.sha1(b).hexdigest(),
                     "lfs": {"oid": hashlib.sha256(b).hexdigest(), "size": len(b), "pointerSize": 130}}
                    for n, b in self.repos[m.group(1)].items()]
            return self._send(h, 200, json.dumps(tree).encode(), {"Content-Type": "application/json"}, body)
        m = re.match(r"^/([^/]+/[^/]+)/resolve/([^/]+)/(.+)$", path)
        if m and m.group(1) in self.repos and m.group(3) in self.repos[m.group(1)]:
            data = self.repos[m.group(1)][m.group(3)]
            etag = hashlib.sha256(data).hexdigest()
            headers = {"X-Repo-Commit": self.commit, "ETag": f'"{etag}"', "X-Linked-Etag": f'"{etag}"',
                       "X-Linked-Size": str(len(data)), "Accept-Ranges": "bytes"}
            start = 0
            rng = h.headers.get("Range")
            if rng and body:
                start = int(re.match(r"bytes=(\d+)-", rng).group(1))
                headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
                return self._send(h, 206, data[start:], headers, body, slow=True)
            return self._send(h, 200, data, headers, body, slow=True)
        self._send(h, 404, b'{"error": "Repository not found"}', {"X-Error-Code": "RepoNotFound"}, body)

    def _send(self, h, code: int, data: bytes, headers: dict, body: bool, slow: bool = False) -> None:
        h.send_response(code)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if not body:
            return
        try:
            for i in range(0, len(data), self.chunk):
                h.wfile.write(data[i:i + self.chunk])
                if slow and self.delay:
                    time.sleep(self.delay)
        except (BrokenPipeError, ConnectionResetError):
            pass
