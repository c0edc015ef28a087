"""Fixtures: one live system for the module (redis-server, `switchboard run` of every service but
notification, and notification in a process of its own so a test can stop it), Debian's chromium
driven by playwright, and a folder for the screenshots of each state (git-ignored)."""
from __future__ import annotations

import os
import pathlib
import shutil
import signal
import subprocess
import sys

import pytest
from playwright.sync_api import sync_playwright

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "contract"))

from system import System, switchboard_executable  # noqa: E402

ARTEFACTS = HERE / "screenshots"


class DashboardSystem(System):
    """A `System` whose notification service runs in a second process, which `stop_notification` ends."""

    notification: subprocess.Popen | None = None

    def __init__(self) -> None:
        super().__init__("pubsub", services=("order", "stock", "payment", "ingress"))

    def _start_switchboard(self) -> None:
        # First, so the system is whole (`/health` ok) when the main process is waited for.
        self.notification = subprocess.Popen(
            [switchboard_executable(), "run", "notification", "--redis", f"redis://127.0.0.1:{self.redis_port}",
             "--config", str(HERE.parents[1] / "Config/switchboard.json"), "--log-level", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        super()._start_switchboard()
        self._wait(lambda: self.cli("PUBSUB", "NUMSUB", "order.confirmed").split("\n")[1] == "3",
                   "the notification service did not subscribe")

    def stop_notification(self) -> None:
        if self.notification is not None and self.notification.poll() is None:
            self.notification.send_signal(signal.SIGTERM)
            self.notification.wait(timeout=15)

    def stop(self) -> int | None:
        if self.notification is not None and self.notification.poll() is None:
            self.notification.kill()
            self.notification.wait()
        return super().stop()


def chromium_executable() -> str:
    """Debian's chromium (`CHROMIUM` overrides it)."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"no chromium at {path}: `make test` installs Debian's chromium (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def system():
    running = DashboardSystem()
    yield running
    assert running.stop() == 0, "switchboard did not exit 0 on SIGTERM"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        # --no-sandbox: the tests run as root, where chromium's sandbox refuses to start.
        launched = playwright.chromium.launch(executable_path=chromium_executable(), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A new page of laptop size; JavaScript errors fail the test."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))

    def console(message) -> None:
        # `/health` answers 503 while degraded, which the page shows; chromium logs every such answer.
        expected = message.location.get("url", "").endswith("/health") and "503" in message.text
        if message.type == "error" and not expected:
            errors.append(message.text)
    opened.on("console", console)
    yield opened
    context.close()
    assert not errors, f"the page logged errors: {errors}"


@pytest.fixture
def screenshot(page):
    """Saves the page as screenshots/<name>.png."""
    ARTEFACTS.mkdir(exist_ok=True)

    def save(name: str) -> None:
        page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
    return save
