"""A real redis-server on a free loopback port, for the tests that need Redis."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis

from tests.integration.servers import free_port


class RedisServer:
    """A redis-server the test can stop and start again on the same port and data directory.

    ``stop()`` first saves a snapshot (like a restart with persistence), so what was cached before
    the outage is there again after ``start()``.
    """

    def __init__(self, binary: str, workdir: str) -> None:
        self.binary, self.workdir = binary, workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                *(self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
                *("--dir", self.workdir, "--dbfilename", "dump.rdb"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()

    def stop(self, *, save: bool = True) -> None:
        if self.proc is None:
            return
        if save:
            client = redis.Redis(port=self.port)
            client.save()
            client.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc = None


@contextmanager
def restartable_redis() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed; .ci/run installs it (apt-get install redis-server)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with tempfile.TemporaryDirectory() as workdir:
        server = RedisServer(binary, workdir)
        server.start()
        try:
            yield server
        finally:
            server.stop(save=False)


@contextmanager
def redis_server() -> Iterator[str]:
    """redis-server cannot take an inherited socket or bind port 0, so the port is picked, and then proved
    ours: the server that answers must report our child's pid, else (someone took the port) we retry."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed; .ci/run installs it (apt-get install redis-server)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    for _ in range(5):
        with tempfile.TemporaryDirectory() as workdir, _started(binary, free_port(), workdir) as url:
            if url is not None:
                yield url
                return
    raise RuntimeError("redis-server could not get a port of its own in five tries")


@contextmanager
def _started(binary: str, port: int, workdir: str) -> Iterator[str | None]:
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port)
        deadline = time.monotonic() + 10
        while proc.poll() is None:
            try:
                owner = client.info("server")["process_id"]
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        else:
            owner = None  # it exited: the port was taken
        client.close()
        yield f"redis://127.0.0.1:{port}/0" if owner == proc.pid else None
    finally:
        proc.terminate()
        proc.wait(timeout=10)
