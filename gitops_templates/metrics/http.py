"""HTTP for the metrics source and alert webhooks: the configured URL and nothing else.

Redirects are never followed (a 3xx is an answer, and an `Authorization` header must not
travel to another host), each request has a wall-clock deadline (a server that drips a
byte at a time cannot hold a command), and a URL is shown without its user, password or
query, where secrets live.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> None:  # fmt: skip
        fp.close()
        raise urllib.error.HTTPError(req.full_url, code, f"redirect to {shown(newurl)} refused",
                                     headers, None)  # fmt: skip


_OPENER = urllib.request.build_opener(_NoRedirects)


def shown(url: str) -> str:
    """`url` without user, password, query or fragment."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(an invalid URL)"
    return f"{parts.scheme}://{host}{port}{parts.path}"


def fetch(request: urllib.request.Request, timeout: float, limit: int) -> tuple[int, bytes]:
    """(status, body) of `request` within `timeout` seconds in all.

    Errors raise `urllib.error.URLError` (an error status: `HTTPError`), `TimeoutError`
    or `ValueError` (a URL that does not parse).
    """
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            with _OPENER.open(request, timeout=timeout) as answer:
                result["answer"] = (answer.status, answer.read(limit))
        except BaseException as err:  # re-raised in the caller's thread
            result["error"] = err

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError(f"no complete answer within {timeout:g} s")
    if "error" in result:
        raise result["error"]
    status, body = result["answer"]
    return int(status), bytes(body)
