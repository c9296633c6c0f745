"""A real HTTP server on 127.0.0.1 for tests, with routes registered per test.

    def test_x(http_server):
        http_server.route("/feed.xml", body=b"<rss/>", content_type="application/rss+xml",
                          etag='"v1"', last_modified="Wed, 01 Jan 2025 00:00:00 GMT")
        ... fetch http_server.url("/feed.xml") ...
        assert http_server.requests[-1].headers["if-none-match"] == '"v1"'

A route answers with fixed status/headers/body, or through a handler callable;
ETag / Last-Modified routes answer conditional requests with 304; `gzip=True`
compresses the body; `delay` waits before answering and `drip` sends the body
in slow pieces. `serve_directory` maps a URL prefix to files on disk. Every
request is recorded (method, path, lower-cased headers) in `requests`.
"""

from __future__ import annotations

import gzip as gzip_module
import mimetypes
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # keys lower-cased; values exactly as sent


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


Handler = Callable[[RecordedRequest], Reply]


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    delay: float = 0.0  # seconds before the status line
    drip: tuple[int, float] | None = None  # (bytes per piece, seconds between pieces)
    handler: Handler | None = None


class LocalHTTPServer:
    """Threaded stdlib HTTP server on an ephemeral 127.0.0.1 port."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.directories: dict[str, Path] = {}
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", 0), _make_handler(self))
        # A short poll keeps shutdown (and so each test's teardown) quick.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # -- lifecycle -------------------------------------------------------
    def start(self) -> LocalHTTPServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # lets dripping handlers give up at once
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalHTTPServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- registering -----------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def route(
        self,
        path: str,
        *,
        body: bytes | str = b"",
        status: int = 200,
        content_type: str | None = "text/plain; charset=utf-8",
        headers: dict[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        gzip: bool = False,
        delay: float = 0.0,
        drip: tuple[int, float] | None = None,
        handler: Handler | None = None,
    ) -> Route:
        """Register (or replace) what `path` answers; returns the Route for later edits."""
        route = Route(
            status=status,
            body=body.encode("utf-8") if isinstance(body, str) else body,
            content_type=content_type,
            headers=dict(headers or {}),
            etag=etag,
            last_modified=last_modified,
            gzip=gzip,
            delay=delay,
            drip=drip,
            handler=handler,
        )
        with self._lock:
            self.routes[path] = route
        return route

    def redirect(self, path: str, location: str, status: int = 302) -> Route:
        """`path` answers `status` with Location: `location` (relative or absolute)."""
        return self.route(path, status=status, content_type=None, headers={"Location": location})

    def serve_directory(self, prefix: str, directory: Path) -> None:
        """Files under `directory` are served at `prefix` + relative path, with validators."""
        with self._lock:
            self.directories[prefix.rstrip("/") + "/"] = Path(directory)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if urlsplit(r.path).path == path]

    # -- answering (called from the server threads) -----------------------
    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _find(self, raw_path: str) -> Route | None:
        path = urlsplit(raw_path).path
        with self._lock:
            route = self.routes.get(raw_path) or self.routes.get(path)
            if route is not None:
                return route
            for prefix, directory in self.directories.items():
                if path.startswith(prefix):
                    return _file_route(directory, path[len(prefix) :])
        return None


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hanging up mid-body is what the size and deadline tests do on purpose.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


def _file_route(directory: Path, relative: str) -> Route | None:
    root = directory.resolve()
    target = (root / relative).resolve()
    if not target.is_file() or not target.is_relative_to(root):
        return None
    stat = target.stat()
    content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return Route(
        body=target.read_bytes(),
        content_type=content_type,
        etag=f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"',
        last_modified=formatdate(stat.st_mtime, usegmt=True),
    )


def _not_modified(route: Route, request: RecordedRequest) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since when both are sent."""
    inm = request.headers.get("if-none-match")
    if inm is not None and route.etag is not None:
        tags = [t.strip() for t in inm.split(",")]
        return "*" in tags or route.etag in tags
    ims = request.headers.get("if-modified-since")
    if ims is not None and route.last_modified is not None:
        try:
            return parsedate_to_datetime(route.last_modified) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


def _make_handler(server: LocalHTTPServer) -> type[BaseHTTPRequestHandler]:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as separate writes; with Nagle on, the client's
        # delayed ACK would add ~40 ms to every keep-alive request.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep pytest output clean

        def _answer(self, send_body: bool) -> None:
            request = RecordedRequest(
                method=self.command,
                path=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
            )
            server._record(request)
            route = server._find(self.path)
            try:
                if route is None:
                    self._send(Reply(404, {"Content-Type": "text/plain"}, b"not found"), None, True)
                elif route.handler is not None:
                    self._send(route.handler(request), None, send_body)
                else:
                    self._send_route(route, request, send_body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up, as tests intend

        def _send_route(self, route: Route, request: RecordedRequest, send_body: bool) -> None:
            if route.delay and server._stopping.wait(route.delay):
                return
            headers = dict(route.headers)
            if route.content_type is not None:
                headers.setdefault("Content-Type", route.content_type)
            if route.etag is not None:
                headers["ETag"] = route.etag
            if route.last_modified is not None:
                headers["Last-Modified"] = route.last_modified
            if route.status == 200 and _not_modified(route, request):
                headers.pop("Content-Type", None)
                self._send(Reply(304, headers, b""), None, False)
                return
            body = route.body
            if route.gzip:
                body = gzip_module.compress(body)
                headers["Content-Encoding"] = "gzip"
            self._send(Reply(route.status, headers, body), route.drip, send_body)

        def _send(self, reply: Reply, drip: tuple[int, float] | None, send_body: bool) -> None:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if "content-length" not in {k.lower() for k in reply.headers}:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if not send_body or reply.status == 304:
                return
            for piece in _pieces(reply.body, drip):
                if server._stopping.is_set():
                    self.close_connection = True
                    return
                self.wfile.write(piece)
                self.wfile.flush()

    return RequestHandler


def _pieces(body: bytes, drip: tuple[int, float] | None) -> Iterator[bytes]:
    if drip is None:
        yield body
        return
    size, interval = drip
    for start in range(0, len(body), size):
        if start:
            time.sleep(interval)
        yield body[start : start + size]


@pytest.fixture
def http_server() -> Iterator[LocalHTTPServer]:
    """A fresh LocalHTTPServer per test, stopped afterwards."""
    with LocalHTTPServer() as server:
        yield server
