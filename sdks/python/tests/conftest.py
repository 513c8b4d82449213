"""Fixtures of the Python SDK's tests: the live stack's URL and `*` key
(set by tests/run.sh), a client, and a local webhook receiver."""

from __future__ import annotations

import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from sigil import Sigil


@pytest.fixture(scope="session")
def base_url() -> str:
    url = os.environ.get("SIGIL_BASE_URL")
    if not url:
        pytest.exit("SIGIL_BASE_URL and SIGIL_API_KEY are not set: run sdks/python/tests/run.sh", returncode=2)
    return url


@pytest.fixture(scope="session")
def api_key() -> str:
    return os.environ["SIGIL_API_KEY"]


@pytest.fixture(scope="session")
def sigil(base_url: str, api_key: str) -> Sigil:
    with Sigil(api_key=api_key, base_url=base_url) as client:
        yield client


class Receiver:
    """Records every POST (path, headers, raw body) and answers 204."""

    def __init__(self) -> None:
        self.deliveries: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's naming
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                receiver.deliveries.append({"path": self.path, "headers": dict(self.headers.items()), "body": body})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def wait_for(self, path: str, predicate, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for delivery in list(self.deliveries):
                if delivery["path"] == path and predicate(delivery):
                    return delivery
            time.sleep(0.1)
        raise AssertionError(f"no matching delivery on {path} in {timeout} s: {self.deliveries!r}")


@pytest.fixture(scope="session")
def receiver() -> Receiver:
    r = Receiver()
    yield r
    r.server.shutdown()
