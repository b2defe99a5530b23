"""Browser fixtures: the built site served on 127.0.0.1, Debian chromium via pytest-playwright.

Every request the page makes is recorded; tests assert none leaves 127.0.0.1.
The server answers a missing path with the site's 404.html and status 404, as a
static host (GitHub Pages, Netlify, nginx ``error_page``) does.
"""

from __future__ import annotations

import functools
import json
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from tests.browser import _axe

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # noqa: D102
        pass

    def send_error(self, code, message=None, explain=None):  # noqa: D102
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _serve(directory: Path):
    """Serve ``directory`` on a free port of 127.0.0.1 in a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> str:
    """The MkDocs build (site/), served for the whole session."""
    yield from _serve(site_dir)


@pytest.fixture(scope="session")
def zensical_url(zensical_dir: Path) -> str:
    """The Zensical build of the same docs (site-zensical/), served for the whole session."""
    yield from _serve(zensical_dir)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make browser-deps)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    }


@pytest.fixture
def requests_seen(page):
    """Every URL the page requests, in order."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


@pytest.fixture
def bytes_seen(page):
    """Response body bytes of every finished request, by URL (what the page transferred)."""
    sizes: dict[str, int] = {}

    def finished(request):
        try:
            sizes[request.url] = request.sizes()["responseBodySize"]
        except Exception:  # noqa: BLE001 - a request the browser dropped has no sizes
            pass

    page.on("requestfinished", finished)
    return sizes


@pytest.fixture
def console_errors(page):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe.min.js of the pinned axe-core (package.json), as installed by ``npm ci``."""
    script = _axe.AXE_DIR / "axe.min.js"
    if not script.is_file():
        pytest.skip("node_modules/axe-core is not installed (make test runs npm ci)")
    pinned = json.loads((_axe.ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"]["axe-core"]
    installed = json.loads((_axe.AXE_DIR / "package.json").read_text(encoding="utf-8"))["version"]
    assert installed == pinned, f"axe-core {installed} installed, package.json pins {pinned}: run npm ci"
    return script.read_text(encoding="utf-8")
