"""The commands a newcomer types: serve (GraphiQL on the sandbox) and schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from schema import build_schema
from tests.integration.servers import dead_address, serving

pytestmark = pytest.mark.integration

SDL = Path(__file__).parents[2] / "schema" / "schema.graphql"


def test_committed_sdl_is_current() -> None:
    assert SDL.read_text() == str(build_schema()) + "\n", "run `make schema` to refresh schema/schema.graphql"


def test_schema_command_prints_the_sdl() -> None:
    output = subprocess.run([sys.executable, "-m", "gateway", "schema"], capture_output=True, text=True, check=True)
    assert output.stdout == SDL.read_text()


def test_serve_without_credentials_serves_graphiql_on_the_sandbox() -> None:
    with serving(["serve"], "/healthz") as (proc, url):
        page = httpx.get(f"{url}/graphql", headers={"Accept": "text/html"})
        result = httpx.post(f"{url}/graphql", json={"query": "{ org { name projects(first: 2) { nodes { title } } } }"})
        proc.terminate()
        proc.wait(timeout=10)
        log = proc.log()
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert result.json()["data"]["org"]["name"].startswith("Sunrise Solar")
    assert "server" not in result.headers and "date" in result.headers  # no software banner; HTTP's Date stays
    assert "SANDBOX MODE" in log


def test_a_served_gateway_writes_its_access_lines_through_its_log_writer_process() -> None:
    with serving(["serve"], "/healthz") as (proc, url):
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        commands = [Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[1:4] for child in children]
        assert commands == [[b"-m", b"gateway.log_writer", b"json"]]
        httpx.post(f"{url}/graphql", json={"query": "{ __typename }"}, headers={"X-Request-ID": "via-the-writer"})
        proc.terminate()  # the line is still waiting for its batch: stopping writes it
        proc.wait(timeout=10)
        lines = [json.loads(line) for line in proc.log().splitlines() if line.startswith("{")]
    [access] = [line for line in lines if line["request_id"] == "via-the-writer"]
    assert access["name"] == "gateway.access" and access["message"] == "POST /graphql 200"
    assert lines[-1]["message"].startswith("Finished server process")  # written directly, after the writer's


def test_serve_with_credentials_turns_graphiql_off() -> None:
    with dead_address() as dead:
        env = {"OPENSOLAR_TOKEN": "x" * 40, "OPENSOLAR_BASE_URL": f"http://{dead}"}
        with serving(["serve"], "/healthz", env=env) as (_, url):
            page = httpx.get(f"{url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 404


async def test_readme_stitched_answer_is_what_the_sandbox_answers() -> None:
    # The README's answer was produced by this code: this keeps the text current, it does not prove the
    # numbers right. test_hand_computed.py checks the same answer's amounts against hand arithmetic.
    from tests.conftest import running_gateway

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    query = readme.split("<!-- stitched-query -->\n```graphql\n", 1)[1].split("```", 1)[0]
    answer = json.loads(readme.split("<!-- stitched-answer -->\n```json\n", 1)[1].split("```", 1)[0])
    async with running_gateway() as gateway:
        assert await gateway.query(query) == answer
