"""Simulated OpenSolar and Arcadia upstreams, faithful to ../shared/reference, quirks included."""

from gateway.sandbox.app import create_sandbox_app
from gateway.sandbox.records import API_ACCESS_ORG_ID, RAW_DATA_ORG_ID, sandbox_token
from gateway.sandbox.state import Fault, SandboxConfig, SandboxState

__all__ = [
    "API_ACCESS_ORG_ID",
    "RAW_DATA_ORG_ID",
    "Fault",
    "SandboxConfig",
    "SandboxState",
    "create_sandbox_app",
    "sandbox_token",
]
