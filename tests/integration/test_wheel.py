"""The wheel carries GraphiQL: built from this tree, installed in a fresh venv, its page loaded with the network off."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import time
import venv
import zipfile
from pathlib import Path

import httpx
import pytest

from gateway.graphiql import VENDOR_FILES
from tests.integration.cdp import browser_page
from tests.integration.servers import listening_socket

pytestmark = pytest.mark.integration

ROOT = Path(__file__).parents[2]


def build_wheel(out: Path) -> Path:
    # the dev environment's hatchling, no build isolation: nothing is downloaded
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = out.glob("solar_gateway-*.whl")
    return wheel


def fresh_venv(where: Path, wheel: Path) -> Path:
    """A new venv with only the wheel installed; its dependencies come from this venv's site-packages (no index)."""
    venv.EnvBuilder(with_pip=False).create(where)
    python = where / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # a plain path entry, after the venv's own site-packages: this tree's editable install is not seen
    (Path(site) / "_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def test_the_wheel_serves_graphiql_with_the_network_off(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "dist")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (*VENDOR_FILES, "graphiql.min.js.br", "graphiql.min.js.gz"):
        assert f"gateway/graphiql/vendor/{name}" in names, name
    for name in ("index.html", "start.js", "favicon.svg", "default-query.graphql"):
        assert f"gateway/graphiql/{name}" in names, name

    python = fresh_venv(tmp_path / "venv", wheel)
    where = subprocess.run(
        [str(python), "-c", "import gateway; print(gateway.__file__)"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert where.startswith(str(tmp_path / "venv")), where  # the wheel's copy, not this tree

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENSOLAR_", "ARCADIA_", "GATEWAY_"))}
    with listening_socket() as sock, open(tmp_path / "server.log", "wb") as log:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        server = subprocess.Popen(
            [str(python), "-m", "gateway", "serve", "--fd", str(sock.fileno())],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=log,
            pass_fds=(sock.fileno(),),
        )
        _run_page_against(server, url, tmp_path)


def _run_page_against(server: subprocess.Popen[bytes], url: str, tmp_path: Path) -> None:
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.2)
        with browser_page(loopback_only=True) as page:
            page.goto(f"{url}/graphql?q={{%20org%20{{%20name%20}}%20}}&run=1")
            result = page.wait_for(
                "(e => e ? e.CodeMirror.getValue() : '')(document.querySelector('.result-window .CodeMirror'))"
                ".includes('Sunrise Solar Co') && !!document.querySelector('.graphiql-explorer-root')",
                60,
            )
            assert result, page.evaluate("document.body.innerText")
    finally:
        server.terminate()
        server.wait(timeout=10)
