"""The typed ``Info`` every resolver receives."""

from __future__ import annotations

from typing import TypeAlias

import strawberry

from schema.context import Context

__all__ = ["Info"]

Info: TypeAlias = strawberry.Info[Context, None]
