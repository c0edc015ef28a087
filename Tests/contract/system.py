"""A private Switchboard system for the contract tests: a redis-server on a free port and one
`switchboard run` process (every service and the ingress) on another, both stopped afterwards."""
from __future__ import annotations

import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def switchboard_executable() -> str:
    """`SWITCHBOARD_EXECUTABLE` (the Makefile sets it), else the debug build."""
    path = os.environ.get("SWITCHBOARD_EXECUTABLE") or str(ROOT / ".build/debug/switchboard")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"no switchboard executable at {path}: run `swift build` or set SWITCHBOARD_EXECUTABLE")
    return path


class System:
    """redis-server + `switchboard run` on free ports, on the given transport; `services` names the
    services that process runs (all of them by default; order, stock and payment are needed)."""

    def __init__(self, transport: str = "pubsub", services: tuple[str, ...] = ()) -> None:
        self.transport = transport
        self.services = services
        self.directory = pathlib.Path(tempfile.mkdtemp(prefix="switchboard-contract-"))
        self.redis_port = free_port()
        self.redis = subprocess.Popen(
            [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(self.redis_port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.process: subprocess.Popen | None = None
        self.log_path = self.directory / "switchboard.log"
        try:
            self._wait(lambda: self.cli("PING") == "PONG", "redis-server did not answer PING")
            self._start_switchboard()
        except BaseException:
            self.stop()
            raise

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def _start_switchboard(self) -> None:
        for _ in range(3):
            self.http_port = free_port()
            log = open(self.log_path, "ab")
            self.process = subprocess.Popen(
                [switchboard_executable(), "run", *self.services, "--redis", f"redis://127.0.0.1:{self.redis_port}",
                 "--http-port", str(self.http_port), "--transport", self.transport,
                 "--config", str(ROOT / "Config/switchboard.json"), "--log-level", "warning"],
                stdout=log, stderr=log)
            log.close()
            if self._wait(self._ready, "switchboard did not get ready", give_up=lambda: self.process.poll() is not None):
                return
        raise RuntimeError(f"switchboard did not start: {self.log()}")

    def _ready(self) -> bool:
        try:
            if requests.get(self.base_url + "/health", timeout=2).status_code != 200:
                return False
        except requests.RequestException:
            return False
        if self.transport == "streams":
            return True
        counts = self.cli("PUBSUB", "NUMSUB", "order.created", "stock.reserved").split("\n")[1::2]
        return counts == ["3", "2"]

    def _wait(self, condition, failure: str, give_up=lambda: False, within: float = 30) -> bool:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if give_up():
                return False
            if condition():
                return True
            time.sleep(0.05)
        raise RuntimeError(f"{failure} within {within} s: {self.log()}")

    def cli(self, *arguments: str) -> str:
        """A redis-cli command's output (plain mode), without the final line break."""
        result = subprocess.run([shutil.which("redis-cli") or "/usr/bin/redis-cli", "-p", str(self.redis_port),
                                 *arguments], capture_output=True, text=True, timeout=10)
        return result.stdout.rstrip("\n")

    def observe(self) -> "Observer":
        """Starts recording every message published (pub/sub)."""
        return Observer(self)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> int | None:
        """SIGTERM to switchboard (its exit status is returned), then redis-server; removes the folder."""
        status = None
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                status = self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.redis.terminate()
        try:
            self.redis.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.redis.kill()
            self.redis.wait()
        shutil.rmtree(self.directory, ignore_errors=True)
        return status


class Observer:
    """`redis-cli PSUBSCRIBE '*'`, recording every message (channel, payload) published."""

    MARKER_CHANNEL = "test.marker"

    def __init__(self, system: System) -> None:
        self.system = system
        self.output = system.directory / f"observer-{time.monotonic_ns()}.txt"
        with open(self.output, "wb") as out:
            self.process = subprocess.Popen(
                [shutil.which("redis-cli") or "/usr/bin/redis-cli", "-p", str(system.redis_port), "PSUBSCRIBE", "*"],
                stdout=out, stderr=subprocess.DEVNULL)
        self.settle()

    def settle(self) -> None:
        """Publishes a marker and waits until it was recorded: all published before it was too."""
        marker = f"marker-{time.monotonic_ns()}"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            self.system.cli("PUBLISH", self.MARKER_CHANNEL, marker)
            if any(payload == marker for _, payload in self._messages()):
                return
            time.sleep(0.05)
        raise RuntimeError("the observer did not see its marker")

    def _messages(self) -> list[tuple[str, str]]:
        lines = self.output.read_text(errors="replace").split("\n")
        return [(lines[i + 2], lines[i + 3]) for i in range(len(lines) - 3) if lines[i] == "pmessage"]

    def messages(self) -> list[tuple[str, str]]:
        self.settle()
        return [(channel, payload) for channel, payload in self._messages() if channel != self.MARKER_CHANNEL]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
