"""A real `guard serve` process on a free loopback port, for tests and bench/bench_serve.py.

The server is started with `--port 0` (the system picks a free port) and the
port is read from the line it prints once it listens. Its stderr (the access
log) is read all the time by a thread, so the pipe never fills.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

_LISTENING = re.compile(r"正在监听 http://127\.0\.0\.1:(\d+)")
_COMMAND = "import sys; from guard.cli import main; sys.exit(main())"


class Served:
    """`with Served(["--lexicons", d]) as server: server.post("/v1/check", {...})`."""

    def __init__(self, args: Sequence[str] = (), env: dict[str, str] | None = None,
                 timeout: float = 120.0, log: str | None = None) -> None:
        """`log`: a file for the server's stderr (read back from there), instead of a pipe."""
        self.args = list(args)
        self.log = log
        self.env = {**os.environ, **(env or {})}
        self.timeout = timeout
        self.lines: list[str] = []
        self.port = 0
        self._ready = threading.Event()
        self.process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    def __enter__(self) -> Served:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        stderr = open(self.log, "w", encoding="utf-8") if self.log else subprocess.PIPE  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-c", _COMMAND, "serve", "--port", "0", *self.args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
            text=True, encoding="utf-8", env=self.env)
        if self.log:
            stderr.close()  # type: ignore[union-attr]
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + self.timeout
        while not self._ready.wait(0.05):
            if self.process.poll() is not None:
                raise RuntimeError(f"guard serve exited {self.process.returncode}: "
                                   + "".join(self.lines))
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("guard serve did not start: " + "".join(self.lines))

    def _read(self) -> None:
        assert self.process is not None
        for line in self._stderr_lines():
            self.lines.append(line)
            match = _LISTENING.search(line)
            if match:
                self.port = int(match.group(1))
                self._ready.set()

    def _stderr_lines(self) -> Iterator[str]:
        assert self.process is not None
        if not self.log:
            assert self.process.stderr is not None
            yield from self.process.stderr
            return
        with open(self.log, encoding="utf-8") as handle:  # follow the file
            partial = ""
            while True:
                chunk = handle.readline()
                if chunk:
                    partial += chunk
                    if partial.endswith("\n"):
                        yield partial
                        partial = ""
                elif self.process.poll() is not None:
                    if partial:
                        yield partial
                    return
                else:
                    time.sleep(0.05)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def signal(self, number: int) -> None:
        assert self.process is not None
        self.process.send_signal(number)

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, and the exit status (killed if it does not stop in time)."""
        process = self.process
        if process is None:
            return 0
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._reader is not None:
            self._reader.join(5)  # the last lines it wrote
        return process.returncode

    def wait_for(self, text: str, timeout: float = 60.0, after: int = 0) -> str:
        """The first stderr line (from line `after` on) holding `text`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                if text in line:
                    return line
            time.sleep(0.02)
        raise AssertionError(f"no {text!r} in: {''.join(self.lines[-20:])}")

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def call(self, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None,
             connection: http.client.HTTPConnection | None = None) -> tuple[int, Any]:
        """(status, decoded JSON) of one request."""
        own = connection is None
        connection = connection or self.connection()
        data = json.dumps(body).encode() if body is not None else None
        try:
            connection.request(method, path, body=data,
                               headers={"content-type": "application/json", **(headers or {})})
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            if own:
                connection.close()
