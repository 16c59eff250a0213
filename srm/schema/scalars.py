"""Custom scalars: Decimal as a JSON string."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import NewType

import strawberry


def _parse_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError('Decimal must be a string such as "1250.00"')
    try:
        # str() of a JSON number keeps the digits the client sent, so extra decimals show.
        parsed = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise ValueError(f"{value!r} is not a decimal number") from error
    if not parsed.is_finite():
        raise ValueError(f"{value!r} is not a finite decimal number")
    return parsed


DecimalScalar = strawberry.scalar(
    NewType("Decimal", Decimal),
    name="Decimal",
    description=(
        'Exact decimal number as a JSON string, e.g. "13223.74". Money has exactly '
        "two decimals; inputs with more are rejected."
    ),
    serialize=lambda value: str(value),
    parse_value=_parse_decimal,
)
