"""Real processes on loopback ports, for the tests (and benchmarks) that cross an actual socket."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Process(subprocess.Popen[bytes]):
    log_path: str

    def log(self) -> str:
        with open(self.log_path, errors="replace") as log:
            return log.read()


@contextmanager
def process(args: list[str], ready_url: str, env: dict[str, str] | None = None) -> Iterator[Process]:
    """Run ``python -m gateway ARGS`` until the block ends; wait until ``ready_url`` answers.

    Output goes to a temporary file (a pipe nobody reads would block the child once it fills).
    """
    with tempfile.NamedTemporaryFile(prefix="solar-gateway-", suffix=".log", delete=False) as log:
        proc = Process(
            [sys.executable, "-m", "gateway", *args],
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    proc.log_path = log.name
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(ready_url, timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{args} did not start:\n{proc.log()}") from None
                time.sleep(0.1)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.unlink(log.name)
