"""A local HTTP stub that records what the real Segment and PostHog clients send, one message a line.

The clients post batches; the stub writes each message on its own line, the
way Segment's and RudderStack's storage destinations write them, so the files
are what this app ingests. Like Segment's API, it stamps the batch's sent time
onto each message that has none (`sentAt`; PostHog's `sent_at`), and a Segment
message gets `receivedAt` from the stub's clock. Nothing else is changed.

    with CaptureServer(path) as server:
        client = segment.analytics.Client("key", host=server.url, sync_mode=True)
        client.track(...)
"""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from collections.abc import Callable
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SEGMENT_PATHS = ("/v1/batch", "/v1/import")
POSTHOG_PATHS = ("/batch", "/i/v0/e", "/e", "/capture", "/track")
# Asked for by posthog when flags are evaluated; an empty answer means "no flags".
POSTHOG_FLAG_PATHS = ("/decide", "/flags")


def _utc_now() -> datetime:
    return datetime.now(tz=timezone.utc)


class CaptureServer:
    """Records messages into `path` (`.gz` suffix: gzip). Use as a context manager."""

    def __init__(self, path: Path, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self.path = Path(path)
        self.clock = clock
        self.messages: list[dict[str, Any]] = []
        self.requests: list[str] = []  # "POST /v1/batch", for asserting what was called
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        # A short poll so leaving the `with` block does not wait the default 0.5 s.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="capture", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> CaptureServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self.write()

    def write(self) -> Path:
        """Write every recorded message, in arrival order, one JSON a line."""
        body = "".join(json.dumps(message, ensure_ascii=False) + "\n" for message in self.messages).encode()
        if self.path.suffix == ".gz":
            # mtime=0 so the same messages give the same bytes.
            body = gzip.compress(body, mtime=0)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_bytes(body)
        return self.path

    def record(self, route: str, payload: Any) -> None:
        if route == "segment":
            batch, sent_at = payload.get("batch", []), payload.get("sentAt")
            received_at = self.clock().astimezone(timezone.utc).isoformat(timespec="milliseconds")
            extra = {"sentAt": sent_at, "receivedAt": received_at}
        elif isinstance(payload, dict) and "batch" in payload:  # PostHog {"api_key", "batch": [...]}
            batch, extra = payload["batch"], {"sent_at": payload.get("sent_at")}
        else:  # PostHog single event, or a bare list of events
            batch, extra = (payload if isinstance(payload, list) else [payload]), {}
        with self._lock:
            for message in batch:
                for key, value in extra.items():
                    if value is not None:
                        message.setdefault(key, value)
                message.pop("api_key", None)
                self.messages.append(message)


def _decode(body: bytes, encoding: str) -> Any:
    if encoding == "gzip" or body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    elif encoding == "deflate":
        body = zlib.decompress(body)
    return json.loads(body)


def _handler_for(server: CaptureServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            path = self.path.split("?", 1)[0].rstrip("/")
            server.requests.append(f"POST {path}")
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if path in POSTHOG_FLAG_PATHS:
                return self._answer(200, {})
            route = "segment" if path in SEGMENT_PATHS else "posthog" if path in POSTHOG_PATHS else None
            if route is None:
                return self._answer(404, {"detail": f"the capture stub does not serve {path}"})
            try:
                payload = _decode(body, self.headers.get("Content-Encoding", ""))
            except (OSError, ValueError, zlib.error) as error:
                return self._answer(400, {"code": "invalid_request", "message": str(error), "detail": str(error)})
            server.record(route, payload)
            self._answer(200, {"success": True, "status": 1})

        def do_GET(self) -> None:  # noqa: N802
            server.requests.append(f"GET {self.path.split('?', 1)[0]}")
            self._answer(200, {})

        def _answer(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # keep test output quiet

    return Handler
