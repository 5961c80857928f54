"""Real processes on loopback ports, for the tests (and benchmarks) that cross an actual socket."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def free_port() -> int:
    """A port that was free a moment ago. Racy (anyone may take it before the caller binds it): prefer
    ``listening_socket`` (pass the socket to the server) or ``dead_address`` (hold it, never listen)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def listening_socket() -> Iterator[socket.socket]:
    """A loopback socket the test binds (port 0) and listens on; a server child inherits it with ``--fd``."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        yield sock


@contextmanager
def dead_address() -> Iterator[str]:
    """``127.0.0.1:PORT`` held by the test and never listened on: every connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"127.0.0.1:{sock.getsockname()[1]}"


@contextmanager
def serving(args: list[str], ready_path: str, env: dict[str, str] | None = None) -> Iterator[tuple[Process, str]]:
    """``python -m gateway ARGS --fd N`` on a socket this test owns; yields the process and its base URL."""
    with listening_socket() as sock:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        fd = sock.fileno()
        with process([*args, "--fd", str(fd)], f"{url}{ready_path}", env, pass_fds=(fd,)) as proc:
            yield proc, url


class Process(subprocess.Popen[bytes]):
    log_path: str

    def log(self) -> str:
        with open(self.log_path, errors="replace") as log:
            return log.read()


@contextmanager
def process(
    args: list[str], ready_url: str, env: dict[str, str] | None = None, pass_fds: tuple[int, ...] = ()
) -> Iterator[Process]:
    """Run ``python -m gateway ARGS`` until the block ends; wait until ``ready_url`` answers.

    Output goes to a temporary file (a pipe nobody reads would block the child once it fills).
    """
    with tempfile.NamedTemporaryFile(prefix="solar-gateway-", suffix=".log", delete=False) as log:
        proc = Process(
            [sys.executable, "-m", "gateway", *args],
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=pass_fds,
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
        stop(proc)
        os.unlink(log.name)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate, then kill if it has not ended within 10 seconds."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def webhooks(gateway: str, secret: str, project_id: int = 3001, org_id: int = 1001) -> Iterator[None]:
    """A project change posted to the org's receiver every 0.2 s until the block ends, so a subscriber gets one."""
    from gateway.http.webhooks import org_secret

    stop = threading.Event()

    def post() -> None:
        while not stop.wait(0.2):
            httpx.post(
                f"{gateway}/webhooks/opensolar/{org_id}",
                headers={"X-Solar-Gateway-Secret": org_secret(secret, org_id)},
                json={"model": "Project", "model_id": project_id, "event": "UPDATE", "fields": {"title": "renamed"}},
            )

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
