"""How OpenSolar's values are read: ids from hyperlinks, blank dates, JSON-encoded strings, display
numbers ("$1,200"), code lists, and the ``Record`` base every OpenSolar record shares (frozen, extra
fields ignored, a dropped field raising ``UPSTREAM_BAD_RESPONSE`` only when it is read).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict

from gateway.upstream.tolerant import field_error

__all__ = [
    "Codes",
    "Count",
    "FieldList",
    "JsonObject",
    "JsonValue",
    "Number",
    "OptDate",
    "OptDateTime",
    "Record",
    "id_from_url",
    "split_codes",
]

_TRAILING_ID = re.compile(r"/(\d+)/?(?:\?.*)?$")


def id_from_url(url: str | None) -> int | None:
    """The trailing integer id of a DRF hyperlink (absolute or relative)."""
    if not url:
        return None
    match = _TRAILING_ID.search(url)
    return int(match.group(1)) if match else None


def _blank_to_none(value: Any) -> Any:
    return None if value in ("", "null") else value


def _json_string(value: Any) -> Any:
    """Fields OpenSolar sometimes sends as a JSON-encoded string (``usage``)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def split_codes(value: Any) -> Any:
    """Product codes as a list: a JSON list, or one string of comma-separated codes ("A, B")."""
    if isinstance(value, str):
        value = value.split(",")
    if isinstance(value, list) and all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in value):
        return [text for text in (str(v).strip() for v in value) if text]
    return value


def _number(value: Any) -> Any:
    """A number, also from a display string ("8,547", "$1,200", "21.3%"); anything else as it came."""
    if isinstance(value, str):
        text = value.strip().replace(",", "").removesuffix("%").lstrip("$")
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            return value
    return value


def _field_list(value: Any) -> Any:
    """Webhook field paths: a list, a JSON-encoded list or comma-separated paths."""
    if isinstance(value, str):
        decoded = _json_string(value)
        return decoded if isinstance(decoded, list) else split_codes(value)
    return value


OptDate = Annotated[date | None, BeforeValidator(_blank_to_none)]
OptDateTime = Annotated[datetime | None, BeforeValidator(_blank_to_none)]
JsonValue = Annotated[Any, BeforeValidator(_json_string)]
JsonObject = Annotated[dict[str, Any] | None, BeforeValidator(_json_string)]
Codes = Annotated[list[str] | None, BeforeValidator(split_codes)]
Number = Annotated[float | None, BeforeValidator(_number)]
Count = Annotated[int | None, BeforeValidator(_number)]
FieldList = Annotated[list[str] | None, BeforeValidator(_field_list)]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    UPSTREAM: ClassVar[str] = "opensolar"

    def has(self, *names: str) -> bool:
        sent = self.__pydantic_fields_set__  # what model_fields_set returns, without the property (a hot path)
        return sent.issuperset(names)

    if not TYPE_CHECKING:  # mypy keeps checking attribute names; only a dropped field reaches this

        def __getattr__(self, name: str) -> Any:
            if not name.startswith("_"):
                error = field_error(self, name, self.UPSTREAM)
                if error is not None:
                    raise error
            return super().__getattr__(name)
