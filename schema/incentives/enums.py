"""The incentive enums, with UNKNOWN for a value Arcadia adds later (the field's ...Raw sibling keeps it)."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

import strawberry

from gateway.errors import BadRequestError

__all__ = ["CustomerClass", "Eligibility", "IncentiveType", "RateUnit", "enum_of", "known"]

E = TypeVar("E", bound=Enum)


_UNKNOWN = "UNKNOWN"
_UNKNOWN_VALUE = strawberry.enum_value(
    _UNKNOWN, description="A value this gateway does not know yet; the field's ...Raw sibling has it as sent."
)


def enum_of(cls: type[E], value: str | None) -> E | None:
    """An upstream string as its enum member; UNKNOWN for a value Arcadia adds later (its ...Raw field keeps it)."""
    if value is None:
        return None
    return next((member for member in cls if member.value == value), cls(_UNKNOWN))


def known(member: E | None, argument: str) -> E | None:
    """An enum argument, refused when it is UNKNOWN (an answer only, never a question)."""
    if member is not None and member.value == _UNKNOWN:
        raise BadRequestError(f"UNKNOWN is not a value {argument} can be searched by.", argument=argument)
    return member


@strawberry.enum(description="The seed's three outcomes.")
class Eligibility(Enum):
    ELIGIBLE = "ELIGIBLE"
    INELIGIBLE = "INELIGIBLE"
    COULD_BE_ELIGIBLE = "COULD_BE_ELIGIBLE"
    UNKNOWN = _UNKNOWN_VALUE


@strawberry.enum
class RateUnit(Enum):
    COST_PER_UNIT = "COST_PER_UNIT"
    PERCENTAGE = "PERCENTAGE"
    BLOCK = "BLOCK"
    UNKNOWN = _UNKNOWN_VALUE


@strawberry.enum
class CustomerClass(Enum):
    RESIDENTIAL = "RESIDENTIAL"
    GENERAL = "GENERAL"
    SPECIAL_USE = "SPECIAL_USE"
    UNKNOWN = _UNKNOWN_VALUE


@strawberry.enum
class IncentiveType(Enum):
    REBATE = "rebate"
    BILL_CREDIT = "billCredit"
    TAX_CREDIT = "taxCredit"
    DISCOUNT = "discount"
    UNKNOWN = _UNKNOWN_VALUE
