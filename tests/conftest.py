"""Shared test fixtures.

``chromium``: Debian's Chromium, headless (``scripts/ensure-chromium.sh`` installs it when
``/usr/bin/chromium`` is missing; the fixture runs the script once), driven through the
DevTools protocol over ``--remote-debugging-pipe`` (file descriptors 3 and 4, messages
separated by NUL bytes): no extra Python package, no browser download, no port opened.

Real sample files and reference values live in ``../shared`` beside the repository (never
copied into it). Tests that need them use the ``shared_dir`` fixture, which skips with a clear
reason when the folder is absent. ``CLS_SHARED_DIR`` overrides the location.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO_ROOT = Path(__file__).resolve().parents[1]


def find_shared_dir() -> Path | None:
    """The ``shared`` folder: $CLS_SHARED_DIR, else ``<repo>/../shared``."""
    candidates = [os.environ.get("CLS_SHARED_DIR"), REPO_ROOT.parent / "shared"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "data").is_dir():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    folder = find_shared_dir()
    if folder is None:
        pytest.skip(
            "dossier ../shared absent (fichiers réels et valeurs de référence) : "
            "définissez CLS_SHARED_DIR pour lancer ce test"
        )
    return folder


@pytest.fixture(scope="session")
def embedded():
    from cls_analysis.geo.geography import Geography

    return Geography.embedded()


CHROMIUM = Path(os.environ.get("CLS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
]



class ChromiumError(RuntimeError):
    pass


class Chromium:
    """A headless Chromium driven with the DevTools protocol over a pipe."""

    def __init__(self, executable: Path = CHROMIUM, timeout: float = 30.0):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="cls-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_pipes():  # in the child: the browser reads fd 3 and writes fd 4
            # copy first: dup2(3, 3) would keep the close-on-exec flag of os.pipe()'s ends
            reading, writing = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        self.process = subprocess.Popen(
            [str(executable), *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            preexec_fn=wire_pipes, close_fds=False, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    # -- protocol ----------------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChromiumError("Chromium ne répond pas (délai dépassé)")
            ready, _, _ = select.select([self._from_browser], [], [], remaining)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise ChromiumError("Chromium s'est arrêté")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise ChromiumError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str | None = None) -> dict:
        for position, event in enumerate(self.events):
            if event.get("method") == method and event.get("sessionId") == session:
                return self.events.pop(position)
        deadline = time.monotonic() + self.timeout
        while True:
            event = self._read_message(deadline)
            self.events.append(event)
            if event.get("method") == method and event.get("sessionId") == session:
                return self.events.pop()

    # -- a page ------------------------------------------------------------------------------
    def open(self, url: str, width: int = 1280, height: int = 900) -> PageVisit:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                  session=session)
        self.events.clear()
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_for("Page.loadEventFired", session=session)
        return PageVisit(self, session, url)

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (ChromiumError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)


class PageVisit:
    """A page loaded in the browser: evaluate scripts, list requests, take screenshots."""

    def __init__(self, browser: Chromium, session: str, url: str):
        self.browser = browser
        self.session = session
        self.url = url

    def evaluate(self, expression: str):
        reply = self.browser.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=self.session,
        )
        if "exceptionDetails" in reply:
            raise ChromiumError(f"script: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def _drain(self) -> None:
        self.browser.send("Runtime.evaluate", {"expression": "1"}, session=self.session)

    def requests(self) -> list[str]:
        """URLs of every request the page made (the document itself included)."""
        self._drain()
        return [e["params"]["request"]["url"] for e in self.browser.events
                if e.get("sessionId") == self.session and e.get("method") == "Network.requestWillBeSent"]

    def log_entries(self) -> list[dict]:
        self._drain()
        return [e["params"]["entry"] for e in self.browser.events
                if e.get("sessionId") == self.session and e.get("method") == "Log.entryAdded"]

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        params = {"format": "png"}
        if full_page:
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params.update(captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1})
        data = self.browser.send("Page.captureScreenshot", params, session=self.session)["data"]
        path.write_bytes(base64.b64decode(data))
        return path


@pytest.fixture(scope="session")
def chromium():
    """A running headless Chromium (installed by scripts/ensure-chromium.sh if missing)."""
    if not CHROMIUM.exists():
        script = REPO_ROOT / "scripts" / "ensure-chromium.sh"
        subprocess.run(["bash", str(script)], check=False, timeout=600)
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium introuvable ({CHROMIUM}) et non installable par "
                    "scripts/ensure-chromium.sh (pas root ou pas d'apt-get)")
    browser = Chromium()
    try:
        yield browser
    finally:
        browser.close()
