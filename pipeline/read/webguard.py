"""What stands between the web UI and the network: Host check, methods, one-line errors.

- DNS rebinding: a page on attacker.example can re-point its own name at 127.0.0.1
  and then read whatever answers there, with the browser sending `Host:
  attacker.example`. `RequestGuard` (ASGI middleware around Datasette) answers 400 to
  any Host that is not one this server was started for: the address it listens on,
  the loopback names, and the names given with `serve --allow-host`. When it listens
  on every address (0.0.0.0 or ::), a bare IP address is accepted too: a rebinding
  attack always arrives under a name.
- The UI is read-only and has no form to post: any method but GET and HEAD gets 405
  (Datasette itself answered an unknown POST with a 500).
- `ErrorLog` replaces Datasette's default exception handler, which printed every
  error, a rejected SQL query included, as a rich traceback with the locals of each
  frame (~42 KB); it logs one line per error and renders the same error page.
"""

from __future__ import annotations

import ipaddress
import logging
import traceback
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from pipeline.core.encoders import terminal_line

log = logging.getLogger(__name__)

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "")
READ_METHODS = ("GET", "HEAD")
_MAX_LOGGED = 300  # characters of an error message in the log line

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def host_name(header: str) -> str:
    """The name part of a Host header: no port, no brackets, lower case, no final dot."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    if value.count(":") == 1:
        value = value.partition(":")[0]
    return value.rstrip(".")


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class RequestGuard:
    """ASGI middleware: a Host this server was started for, and read methods only."""

    def __init__(self, app: Any, bind_host: str, allow_hosts: Iterable[str] = ()) -> None:
        self.app = app
        bind = host_name(bind_host)
        self.any_ip_literal = bind in WILDCARD_ADDRESSES
        names = {*LOOPBACK_NAMES, *(host_name(h) for h in allow_hosts)}
        if not self.any_ip_literal:
            names.add(bind)
        self.allowed = frozenset(names)

    def host_allowed(self, header: str | None) -> bool:
        if not header:
            return False
        name = host_name(header)
        return name in self.allowed or (self.any_ip_literal and _is_ip_literal(name))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)  # lifespan
            return
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        method = scope.get("method", "GET")
        path = scope.get("path", "")
        if not self.host_allowed(host):
            log.warning(
                "refused %s %s: Host %r is not one this server was started for "
                "(serve --allow-host NAME adds one)",
                method, terminal_line(path)[:_MAX_LOGGED], terminal_line(host)[:_MAX_LOGGED],
            )  # fmt: skip
            await _plain(send, 400, "Bad Request: unknown Host header\n")
            return
        if scope["type"] == "http" and method not in READ_METHODS:
            log.warning("refused %s %s: the web UI is read-only", method, terminal_line(path))
            await _plain(
                send, 405, "Method Not Allowed: the web UI is read-only\n", allow="GET, HEAD"
            )
            return
        await self.app(scope, receive, send)


async def _plain(send: Send, status: int, body: str, allow: str | None = None) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
    if allow:
        headers.append((b"allow", allow.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body.encode()})


def log_sql_error(sql: str, error: Exception) -> None:
    """One line for a query SQLite refused (the page shows the error to its reader)."""
    log.warning(
        "query refused: %s: %s",
        terminal_line(error)[:_MAX_LOGGED],
        terminal_line(sql)[:_MAX_LOGGED],
    )


def _where(exception: BaseException) -> str:
    """file:line in function of the innermost frame: enough to find a bug from one line."""
    frames = traceback.extract_tb(exception.__traceback__)
    if not frames:
        return "unknown place"
    last = frames[-1]
    return f"{last.filename}:{last.lineno} in {last.name}"


class ErrorLog:
    """Datasette's handle_exception hook: one log line per error, the usual error page."""

    from datasette import hookimpl

    @staticmethod
    @hookimpl
    def handle_exception(datasette: Any, request: Any, exception: Exception) -> Any:
        from datasette.utils import add_cors_headers
        from datasette.utils.asgi import Base400, Response
        from datasette.views.base import DatasetteError
        from markupsafe import Markup

        async def inner() -> Any:
            title = None
            info: dict[str, Any] = {}
            message: Any
            if isinstance(exception, Base400):
                status, message = exception.status, exception.args[0] if exception.args else ""
            elif isinstance(exception, DatasetteError):
                status, info, message = exception.status, exception.error_dict, exception.message
                title = exception.title
                if exception.message_is_html:
                    message = Markup(message)
            else:
                status, message = 500, str(exception)
            line = terminal_line(f"{type(exception).__name__}: {message}")[:_MAX_LOGGED]
            where = terminal_line(f"{request.method} {request.path}")[:_MAX_LOGGED]
            if status >= 500:
                log.error("%s -> %d %s (at %s)", where, status, line, _where(exception))
            else:
                log.warning("%s -> %d %s", where, status, line)
            info.update({"ok": False, "error": message, "status": status, "title": title})
            headers: dict[str, str] = {}
            if datasette.cors:
                add_cors_headers(headers)
            if request.path.split("?")[0].endswith(".json"):
                return Response.json(info, status=status, headers=headers)
            template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
            context = dict(
                info,
                urls=datasette.urls,
                app_css_hash=datasette.app_css_hash(),
                menu_links=lambda: [],
            )
            return Response.html(
                await template.render_async(context), status=status, headers=headers
            )

        return inner


def install_error_log(pm: Any) -> None:
    """Put ErrorLog in place of Datasette's default handler (every handler runs: both
    would answer, and the default would still print its traceback with locals)."""
    if pm.get_plugin("datasette.handle_exception") is not None:
        pm.unregister(name="datasette.handle_exception")
    if not pm.is_registered(ErrorLog):
        pm.register(ErrorLog, name="newswatch-error-log")
