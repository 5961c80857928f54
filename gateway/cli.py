"""``solar-gateway``: serve the gateway, run the sandbox alone, or print the schema."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

import uvicorn

from gateway.http.auth import hash_api_key
from gateway.settings import Settings

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="solar-gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the GraphQL gateway")
    serve.add_argument("--host", help="default: GATEWAY_HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, help="default: GATEWAY_PORT or 8000")
    serve.add_argument("--sandbox", action="store_true", help="serve the embedded sandbox even with credentials")
    serve.add_argument("--workers", type=int, default=int(os.environ.get("GATEWAY_WORKERS", "1")))
    serve.add_argument("--fd", type=int, help="serve on an inherited listening socket (tests, socket activation)")
    sandbox = commands.add_parser("sandbox", help="run the simulated OpenSolar and Arcadia APIs alone")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8001)
    sandbox.add_argument("--fd", type=int, help="serve on an inherited listening socket instead of --port")
    sandbox.add_argument("--latency-ms", type=float, default=0.0, help="added to every simulated call")
    sandbox.add_argument("--no-throttle", action="store_true", help="disable the documented throttle limits")
    sandbox.add_argument("--projects", type=int, default=120, help="projects in the Raw Data org")
    sandbox.add_argument(
        "--variant-shapes", action="store_true", help="answer where the docs leave shapes open in another way"
    )
    commands.add_parser("schema", help="print the GraphQL SDL")
    hash_key = commands.add_parser("hash-key", help="print the GATEWAY_API_KEYS entry for an API key")
    hash_key.add_argument("key")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "schema":
        from schema import build_schema

        sys.stdout.write(str(build_schema()) + "\n")
        return 0
    if args.command == "hash-key":
        sys.stdout.write(f"sha256:{hash_api_key(args.key)}\n")
        return 0
    if args.command == "sandbox":
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        os.environ["SANDBOX_LATENCY_MS"] = str(args.latency_ms)
        os.environ["SANDBOX_THROTTLE"] = "false" if args.no_throttle else "true"
        os.environ["SANDBOX_PROJECTS"] = str(args.projects)
        os.environ["SANDBOX_VARIANT_SHAPES"] = "true" if args.variant_shapes else "false"
        uvicorn.run(
            "gateway.sandbox.app:sandbox_app_from_env",
            factory=True,
            host=args.host,
            port=args.port,
            fd=args.fd,
            log_level="warning",
        )
        return 0
    if args.sandbox:
        os.environ["GATEWAY_SANDBOX"] = "true"  # read by Settings() inside the factory (and in each worker)
    os.environ.setdefault("GATEWAY_LOG_FORMAT", "json")  # each worker configures its logging from this
    settings = Settings()
    uvicorn.run(
        "gateway.app:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        fd=args.fd,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        log_config=None,
        access_log=False,  # the gateway logs each request itself, with its request id and duration
        # Nothing here reads the client address or scheme (the access line carries the request id, which
        # a proxy in front can set and log beside the client's address), so uvicorn's X-Forwarded-* layer
        # would only cost every request a pass over its headers (BENCHMARKS.md).
        proxy_headers=False,
        server_header=False,  # no "server: uvicorn" banner: it tells a caller only what to probe for
    )
    return 0
