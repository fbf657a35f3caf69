"""Fixtures of the export tests: a synthetic diagnostic built in code, and a headless Chromium.

Chromium is Debian's package (``scripts/ensure-chromium.sh`` installs it when
``/usr/bin/chromium`` is missing; the fixture runs the script once). It is driven through the
DevTools protocol over ``--remote-debugging-pipe`` (file descriptors 3 and 4, messages
separated by NUL bytes): no extra Python package, no browser download, no port opened.
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

import pytest

from cls_analysis.export.sample import sample_report, sample_results

REPO_ROOT = Path(__file__).resolve().parents[2]
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


@pytest.fixture(scope="session")
def results():
    return sample_results()


@pytest.fixture(scope="session")
def report_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("report")


@pytest.fixture(scope="session")
def report(report_dir, results):
    return sample_report(report_dir / "figures", results)


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


@pytest.fixture(scope="session")
def annex_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("annexes")


@pytest.fixture(scope="session")
def excel_path(annex_dir, results, report):
    from cls_analysis.export.excel import write_excel_annex

    return write_excel_annex(results, annex_dir / "annexe_diagnostic.xlsx",
                             territory_name=report.territory_name, notes=report.notes,
                             sources=report.sources, demo=True)


@pytest.fixture(scope="session")
def html_path(annex_dir, report):
    from cls_analysis.export.html_report import write_html

    return write_html(report, annex_dir / "diagnostic.html")


@pytest.fixture(scope="session")
def pdf_path(annex_dir, report):
    from cls_analysis.export.pdf import write_pdf

    return write_pdf(report, annex_dir / "diagnostic.pdf")


@pytest.fixture(scope="session")
def docx_path(annex_dir, report):
    from cls_analysis.export.word import write_docx

    return write_docx(report, annex_dir / "diagnostic.docx")


@pytest.fixture(scope="session")
def pptx_path(annex_dir, report):
    from cls_analysis.export.slides import write_pptx

    return write_pptx(report, annex_dir / "copil.pptx")
