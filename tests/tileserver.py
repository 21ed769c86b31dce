"""A real XYZ tile server on 127.0.0.1 for tests that must not touch the internet.

It serves 256 × 256 PNG tiles of one solid colour at ``/{z}/{x}/{y}.png``
and records every request (path and User-Agent), so tests can check that
contextily's real download path ran, which headers it sent and whether a
second map was served from the on-disk cache.
"""

from __future__ import annotations

import io
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

_TILE_PATH = re.compile(r"^/(\d+)/(\d+)/(\d+)\.png$")


def solid_png(rgb: tuple[int, int, int], size: int = 256) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), rgb).save(buffer, format="PNG")
    return buffer.getvalue()


class TileServer:
    """Start with :meth:`start` (or as a context manager); stop with :meth:`stop`."""

    def __init__(self, rgb: tuple[int, int, int] = (214, 39, 40)) -> None:
        self.rgb = rgb
        self.png = solid_png(rgb)
        self.requests: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    # -- lifecycle
    def start(self) -> TileServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.requests.append(
                        {"path": self.path, "user_agent": self.headers.get("User-Agent", "")}
                    )
                if _TILE_PATH.match(self.path):
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    self.send_header("Content-Length", str(len(server.png)))
                    self.end_headers()
                    self.wfile.write(server.png)
                else:
                    self.send_error(404)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> TileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests use
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{{z}}/{{x}}/{{y}}.png"

    @property
    def provider(self):
        import xyzservices

        return xyzservices.TileProvider(
            name="LocalTestTiles",
            url=self.url,
            attribution="Test tiles from a local server",
            max_zoom=12,
        )

    @property
    def tile_requests(self) -> list[dict[str, str]]:
        with self._lock:
            return [r for r in self.requests if _TILE_PATH.match(r["path"])]
