"""The Dockerfile's commands, run outside Docker (no Docker engine runs here or in CI).

The npm stage's commands run in `make assets` (before the tests). Here: the build stage's
`pip install .` (as a wheel with the GraphiQL assets, the SDL and the named operations in it), the
runtime's CMD exactly as the Dockerfile writes it, and its HEALTHCHECK. What cannot run without
Docker: the `useradd`/`USER` lines (a non-root uid) and the stage copies themselves.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.integration.servers import dead_address, free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instruction(name: str) -> list[str]:
    match = re.search(
        rf"^{name} (?:--\S+ )*CMD (\[.*\])$" if name == "HEALTHCHECK" else rf"^{name} (\[.*\])$",
        DOCKERFILE,
        re.MULTILINE,
    )
    assert match, name
    parsed: list[str] = json.loads(match.group(1))
    return parsed


def test_the_build_stage_makes_a_complete_wheel() -> None:
    assert "RUN pip install --no-cache-dir ." in DOCKERFILE
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", out, str(ROOT)],
            check=True,
            timeout=120,
        )
        (wheel,) = Path(out).glob("solar_gateway-*.whl")
        names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "gateway/graphiql/vendor/graphiql.min.js",
        "gateway/graphiql/index.html",
        "gateway/graphiql/start.js",
        "schema/schema.graphql",
        "schema/operations/Portfolio.graphql",
        "gateway/app.py",
    } <= names


def test_the_runtime_cmd_and_healthcheck_work() -> None:
    cmd, healthcheck = instruction("CMD"), instruction("HEALTHCHECK")
    assert cmd[:2] == ["sh", "-c"] and "--factory" in cmd[2] and "$GATEWAY_WORKERS" in cmd[2]
    # as ``solar-gateway serve``: nothing reads X-Forwarded-*, and no server banner
    assert "--no-proxy-headers" in cmd[2] and "--no-server-header" in cmd[2]
    port = free_port()
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_PORT": str(port),
        "GATEWAY_WORKERS": "2",
        "GATEWAY_LOG_FORMAT": "json",
    }
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            check = [sys.executable if part == "python" else part for part in healthcheck]
            for _ in range(150):
                if subprocess.run(check, env=env, timeout=10, check=False).returncode == 0:
                    break
                assert server.poll() is None, "the CMD exited"
                subprocess.run(["sleep", "0.1"], check=True)
            else:
                pytest.fail(f"HEALTHCHECK never passed for {shlex.join(cmd)}")
            answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": "{ org { name } }"}, timeout=10)
            assert answer.json()["data"]["org"]["name"]
            with dead_address() as dead:
                bad = subprocess.run(check, env={**env, "GATEWAY_PORT": dead.split(":")[1]}, timeout=10, check=False)
            assert bad.returncode == 1
        finally:
            server.terminate()
            server.wait(timeout=15)
        log.seek(0)
        lines = [json.loads(line) for line in log.read().decode().splitlines() if line.startswith("{")]
    assert any("SANDBOX MODE" in line["message"] for line in lines)  # JSON logs from the workers
