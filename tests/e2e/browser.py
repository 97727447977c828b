"""Headless Chromium driven over the DevTools protocol (Debian's chromium and
python3-websocket): enough to load a page, read its DOM and take a screenshot.

The browser is started by the test, on a debugging port it picks itself (port 0, read back
from DevToolsActivePort), with its own profile directory, and stopped by its PID.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any, Optional

import websocket  # python3-websocket

from harness import wait_until


def chromium_binary() -> Optional[str]:
    for name in ("chromium", "chromium-browser"):
        exe = shutil.which(name)
        if exe:
            return exe
    return None


class Browser:
    def __init__(self, profile_dir: Path, width: int = 1280, height: int = 1400):
        exe = chromium_binary()
        assert exe, "chromium is missing: run scripts/setup-deps.sh test"
        self.profile_dir = profile_dir
        self.log_path = profile_dir.parent / "chromium.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-sync",
             "--disable-background-networking", "--disable-component-update",
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
             f"--user-data-dir={profile_dir}", f"--window-size={width},{height}",
             "about:blank"],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.ws: Optional[websocket.WebSocket] = None
        self.next_id = 0
        try:
            self._connect()
        except BaseException:
            self.close()
            raise

    def _connect(self) -> None:
        port_file = self.profile_dir / "DevToolsActivePort"
        port = wait_until(lambda: port_file.exists() and port_file.read_text().split("\n")[0],
                          timeout=15, interval=0.05, desc="chromium's DevToolsActivePort")

        def page_socket():
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as r:
                targets = json.load(r)
            return next((t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page"),
                        None)

        url = wait_until(page_socket, timeout=10, interval=0.05, desc="a page target")
        self.ws = websocket.create_connection(url, timeout=10, suppress_origin=True)

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:  # events in between are not needed
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def navigate(self, url: str) -> None:
        self.call("Page.enable")
        self.call("Page.navigate", url=url)

    def evaluate(self, expression: str) -> Any:
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    def close(self) -> None:
        if self.ws is not None:
            try:
                self.ws.close()
            except Exception:
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
