"""The Node peer (GraphQL Mesh + Hive Gateway) as a process, for the side-by-side benchmarks.

``benchmarks/node_peer/`` holds the pinned ``package.json`` + lockfile, the Mesh composition
(``mesh.config.ts``: the sandbox's REST endpoints as JSON-schema sources, linked with ``@resolveTo``)
and the gateway settings (``gateway.ts``). ``node_peer(sandbox)`` installs it from the npm registry
when ``node_modules`` is missing (``npm ci``), composes the supergraph against that sandbox's URL and
serves it with ``hive-gateway supergraph``; the caller's ``Authorization`` header goes through to
OpenSolar as with our gateway's pass-through credentials.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

from benchmarks.run import APP, TOKEN, Server
from gateway.sandbox import RAW_DATA_ORG_ID
from tests.integration.servers import free_port, stop

__all__ = ["PEER_DIR", "PEER_OPERATIONS", "PEER_VARIABLES", "install", "node_peer"]

PEER_DIR = Path(__file__).parent / "node_peer"
# The peer's nearest equivalents of schema/operations/Portfolio.graphql and ProjectPage.graphql: the same
# upstream records, in the field names Mesh generates from the upstream JSON (see BENCHMARKS.md for what differs).
PEER_OPERATIONS = {
    "Portfolio": """query Portfolio($org: Int!, $first: Int) {
  org(orgId: $org) {
    name
    projectPage(first: $first) {
      id title address zip state stage
      contacts_data { display email phone }
      systems { id kw_stc module_quantity price_including_tax output_annual_kwh }
      incentives { count results { incentiveId eligibility rate rateUnit } }
    }
  }
}""",
    "ProjectPage": """query ProjectPage($org: Int!, $id: Int!) {
  org(orgId: $org) {
    projectById(id: $id) {
      id title address locality state zip lat lon usage_annual_or_guess
      contacts_data { display email phone }
      systemDetails { systems {
        id name kw_stc
        modules { manufacturer_name code quantity }
        inverters { manufacturer_name code quantity }
        batteries { code quantity }
        module_groups { module_quantity azimuth slope }
      } }
      design
      proposal { projects { id proposal_data { systems {
        uuid systemPaybackYear systemNetPresentValue systemIrr systemOutputAnnualkWh
      } } } }
      incentives { count results { incentiveId incentiveName eligibility rate rateUnit } }
    }
  }
}""",
}
PEER_VARIABLES = {
    "Portfolio": {"org": RAW_DATA_ORG_ID, "first": 50},
    "ProjectPage": {"org": RAW_DATA_ORG_ID, "id": 3001},
}
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _bin(name: str) -> str:
    return str(PEER_DIR / "node_modules" / ".bin" / name)


def install() -> None:
    """``npm ci`` from the lockfile (the npm registry only), unless this lockfile is installed already."""
    installed = PEER_DIR / "node_modules" / ".package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= (PEER_DIR / "package-lock.json").stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("the Node peer needs Node.js >= 20 and npm on PATH")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PEER_DIR, check=True)


def compose(sandbox_url: str, supergraph: Path) -> None:
    """Write ``supergraph`` for this sandbox (the endpoint is part of the supergraph)."""
    env = {
        **os.environ,
        "SANDBOX_URL": sandbox_url,
        "ARCADIA_APP_ID": APP[0],
        "ARCADIA_APP_KEY": APP[1],
        "PEER_SUPERGRAPH": str(supergraph),
    }
    done = subprocess.run([_bin("mesh-compose")], cwd=PEER_DIR, env=env, capture_output=True, text=True)
    if done.returncode != 0 or not supergraph.exists():
        raise RuntimeError(f"mesh-compose failed:\n{done.stdout}\n{done.stderr}")


@contextmanager
def node_peer(sandbox: Server, *, cache_ttl_ms: int = 0, dedup: bool = False, workers: int = 1) -> Iterator[Server]:
    """Hive Gateway over the sandbox until the block ends; response cache and inbound de-dup off by default."""
    install()
    port = free_port()
    # one supergraph file per peer: Hive Gateway reloads its file when it changes, so peers never share one
    supergraph = PEER_DIR / f"supergraph-{port}.graphql"
    compose(sandbox.url, supergraph)
    env = {
        **os.environ,
        "PEER_SUPERGRAPH": str(supergraph),
        "PEER_RESPONSE_CACHE_TTL_MS": str(cache_ttl_ms),
        "PEER_INBOUND_DEDUP": str(dedup).lower(),
    }
    command = [_bin("hive-gateway"), "supergraph", "--host", "127.0.0.1", "--port", str(port), "--fork", str(workers)]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(command, cwd=PEER_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait(proc, url, log)
            yield Server(url, proc.pid)
        finally:
            stop(proc)
            supergraph.unlink(missing_ok=True)


def _wait(proc: subprocess.Popen[bytes], url: str, log: IO[bytes]) -> None:
    probe = {"query": PEER_OPERATIONS["ProjectPage"], "variables": PEER_VARIABLES["ProjectPage"]}
    deadline = time.monotonic() + 90
    while True:
        try:
            answer = httpx.post(f"{url}/graphql", json=probe, headers=AUTH, timeout=10)
            body = answer.json()
            if answer.status_code == 200 and body.get("data") and not body.get("errors"):
                return
            raise RuntimeError(f"the Node peer answered {answer.status_code}: {answer.text[:500]}")
        except (httpx.TransportError, ValueError):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"the Node peer did not start:\n{log.read().decode(errors='replace')}") from None
            time.sleep(0.3)
