"""A local HTTP server on 127.0.0.1 answering with recorded responses in the services' documented formats,
so the site fetchers run end to end without the internet."""
from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Recorded:
    """`answer(method, path, query, body) -> (status, headers, bytes)` serves every request; `requests` logs
    (method, path, query, body, user agent)."""

    def __init__(self, answer):
        self.answer = answer
        self.requests: list[tuple] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                length = int(self.headers.get("Content-Length") or 0)
                body = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode())) if length else {}
                owner.requests.append((method, url.path, query, body, self.headers.get("User-Agent")))
                status, headers, payload = owner.answer(method, url.path, query, body)
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def ok(payload) -> tuple[int, dict, bytes]:
    return 200, {"Content-Type": "application/json"}, json.dumps(payload).encode()


def slow(seconds: float, payload) -> tuple[int, dict, bytes]:
    time.sleep(seconds)
    return ok(payload)
