"""Numbers out of OpenSolar's display strings: ``"8,547"``, ``"$12,340"``, ``"-$1,200"``, ``"21.3%"``."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["parse_figure", "parse_number_list"]

# optional "(" and "-", an optional currency (an upper-case code and/or one symbol: "$", "A$", "USD", "€"),
# then the number with thousands commas, an optional "%" and ")"
_FIGURE = re.compile(
    r"^\(?(?P<sign>-)?\s*(?:[A-Z]{1,3})?[^\w\s.,()%-]?\s*(?P<sign2>-)?(?P<num>\d[\d,]*(?:\.\d+)?|\.\d+)\s*%?\)?$"
)


def parse_figure(text: str | float | int | None) -> float | None:
    """The number a formatted figure shows; None for blanks and anything that is not one number.

    A currency prefix (``$``, ``A$``, ``USD``, ``€``), comma thousands separators, a trailing ``%`` and
    accounting parentheses for negatives are understood. Percent figures stay in percent (``"21.3%"``
    gives 21.3). A dot is always the decimal point, as in OpenSolar's en-locale display strings.
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return float(text)
    value = text.strip()
    match = _FIGURE.match(value)
    if not match:
        return None
    number = float(match.group("num").replace(",", ""))
    negative = bool(match.group("sign") or match.group("sign2")) or (value.startswith("(") and value.endswith(")"))
    return -number if negative else number


def parse_number_list(value: Any) -> list[float] | None:
    """A list of numbers from a JSON-encoded string (``"[680, 720]"``) or a list."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if not isinstance(value, list):
        return None
    numbers = [parse_figure(v) for v in value]
    return None if any(n is None for n in numbers) else [n for n in numbers if n is not None]
