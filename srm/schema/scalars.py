"""Custom scalars: Decimal as a JSON string."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

# Plain ASCII digits with an optional sign and decimal point: no exponent, no
# underscores and no digits of other scripts, which Decimal() would accept.
_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def _parse_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError('Decimal must be a string such as "1250.00"')
    # str() of a JSON number keeps the digits the client sent, so extra decimals show.
    text = str(value).strip()
    if not _DECIMAL_TEXT.fullmatch(text):
        raise ValueError(f'{value!r} is not a decimal number; write it like "1250.00"')
    try:
        parsed = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(f"{value!r} is not a decimal number") from error
    if not parsed.is_finite():
        raise ValueError(f"{value!r} is not a finite decimal number")
    return parsed


# The Python type of Decimal fields in the schema. SCALAR_MAP defines how
# Strawberry prints, serialises and parses it.
DecimalScalar = NewType("DecimalScalar", Decimal)

SCALAR_MAP: dict[object, ScalarDefinition] = {
    DecimalScalar: strawberry.scalar(
        name="Decimal",
        description=(
            'Exact decimal number as a JSON string, e.g. "13223.74". Money has exactly '
            "two decimals; inputs with more are rejected."
        ),
        serialize=str,
        parse_value=_parse_decimal,
    )
}
