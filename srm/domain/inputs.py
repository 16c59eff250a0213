"""Checks of user input shared by the services: money, hours and text."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from srm.domain.errors import ProblemCollector, UserErrorCode

# Upper limit of one amount. Far below NUMERIC(14, 2), so sums of many entries
# stay readable; no single social return cost or obligation comes near it.
MAX_MONEY = Decimal("1000000000.00")


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def check_money(
    problems: ProblemCollector,
    field_name: str,
    value: Decimal | None,
    *,
    required: bool = True,
    maximum: Decimal = MAX_MONEY,
) -> Decimal | None:
    """Check a euro amount: positive, at most two decimals, at most ``maximum``."""
    if value is None:
        if required:
            problems.add(
                field_name, UserErrorCode.REQUIRED, f"{field_name} is required."
            )
        return None
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError):
        problems.add(
            field_name, UserErrorCode.INVALID, f"{field_name} is not a number."
        )
        return None
    if not value.is_finite():
        problems.add(
            field_name, UserErrorCode.INVALID, f"{field_name} must be a finite number."
        )
        return None
    if decimal_places(value) > 2:
        problems.add(
            field_name,
            UserErrorCode.TOO_MANY_DECIMALS,
            f"{field_name} {value} has more than two decimals; round it to cents.",
        )
        return None
    if value <= 0:
        problems.add(
            field_name,
            UserErrorCode.NOT_POSITIVE,
            f"{field_name} must be more than 0, got {value}.",
        )
        return None
    if value > maximum:
        problems.add(
            field_name,
            UserErrorCode.OUT_OF_RANGE,
            f"{field_name} must be at most {maximum}, got {value}.",
        )
        return None
    return value.quantize(Decimal("0.01"))


def check_hours(
    problems: ProblemCollector,
    field_name: str,
    value: Decimal | None,
    *,
    maximum: Decimal | None,
) -> Decimal | None:
    """Check a number of hours: positive, at most two decimals, at most ``maximum``."""
    if value is None:
        problems.add(field_name, UserErrorCode.REQUIRED, f"{field_name} is required.")
        return None
    value = Decimal(value)
    if not value.is_finite() or decimal_places(value) > 2:
        problems.add(
            field_name,
            UserErrorCode.TOO_MANY_DECIMALS,
            f"{field_name} {value} must be a number with at most two decimals.",
        )
        return None
    if value <= 0:
        problems.add(
            field_name,
            UserErrorCode.NOT_POSITIVE,
            f"{field_name} must be more than 0, got {value}.",
        )
        return None
    if maximum is not None and value > maximum:
        problems.add(
            field_name,
            UserErrorCode.OUT_OF_RANGE,
            f"{field_name} must be at most {maximum}, got {value}.",
        )
        return None
    return value


def check_text(
    problems: ProblemCollector,
    field_name: str,
    value: str | None,
    *,
    max_length: int,
    required: bool = True,
) -> str | None:
    """Strip a text; a blank required text or one over ``max_length`` is a problem."""
    text = (value or "").strip()
    if not text:
        if required:
            problems.add(
                field_name, UserErrorCode.REQUIRED, f"{field_name} must not be empty."
            )
        return None
    if len(text) > max_length:
        problems.add(
            field_name,
            UserErrorCode.TOO_LONG,
            f"{field_name} has {len(text)} characters; the maximum is {max_length}.",
        )
        return None
    return text


def check_period(
    problems: ProblemCollector, start: date, end: date, end_field: str = "endDate"
) -> bool:
    if end < start:
        problems.add(
            end_field,
            UserErrorCode.END_BEFORE_START,
            f"{end_field} {end.isoformat()} is before the start date {start.isoformat()}.",
        )
        return False
    return True


def normalise_name(text: str) -> str:
    """Lower-case a name without accents, invisible characters and double spaces.

    Format characters (Unicode category Cf, such as a zero-width space) are
    dropped, so they cannot make one person look like two.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = "".join(
        ch
        for ch in decomposed
        if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf"
    )
    return re.sub(r"\s+", " ", without_accents).strip().casefold()


_DATE_PATTERN = re.compile(
    r"\b\d{1,2}[-/.]\d{1,2}[-/.](19|20)\d{2}\b|\b(19|20)\d{2}-\d{2}-\d{2}\b"
)
_NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")


def passes_eleven_test(digits: str) -> bool:
    """Return whether nine digits pass the BSN variant of the eleven test."""
    weights = [9, 8, 7, 6, 5, 4, 3, 2, -1]
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    return total % 11 == 0 and total != 0


def personal_data_hints(text: str, candidate_names: list[str]) -> list[str]:
    """Return what in a free text looks like personal data: a known name, a date, a BSN."""
    hints: list[str] = []
    normalised = normalise_name(text)
    for name in candidate_names:
        token = normalise_name(name)
        if len(token) >= 3 and re.search(rf"\b{re.escape(token)}\b", normalised):
            hints.append("a candidate's name")
            break
    if _DATE_PATTERN.search(text):
        hints.append("a date that may be a date of birth")
    if any(passes_eleven_test(m.group()) for m in _NINE_DIGITS.finditer(text)):
        hints.append("a number that looks like a BSN")
    return hints


_NAME_PUNCTUATION = frozenset(" -'\u2019.")


def _is_latin_letter(character: str) -> bool:
    return unicodedata.category(character).startswith(
        "L"
    ) and "LATIN" in unicodedata.name(character, "")


def check_person_name(
    problems: ProblemCollector,
    field_name: str,
    value: str | None,
    *,
    max_length: int,
    required: bool = True,
) -> str | None:
    """Check a person's name: Latin letters with accents, spaces, - ' and . only.

    Names are written as in the Dutch population register (BRP), in Latin
    script. Other characters (other scripts, invisible or look-alike
    characters, line breaks) would let one person pass the duplicate check
    as two, or put arbitrary text into mails.
    """
    text = check_text(
        problems, field_name, value, max_length=max_length, required=required
    )
    if text is None:
        return None
    text = re.sub(r" {2,}", " ", unicodedata.normalize("NFC", text))
    allowed = all(ch in _NAME_PUNCTUATION or _is_latin_letter(ch) for ch in text)
    if not allowed or not any(_is_latin_letter(ch) for ch in text):
        problems.add(
            field_name,
            UserErrorCode.INVALID,
            f"{field_name} may contain only Latin letters (accents allowed), spaces, "
            "hyphens, apostrophes and full stops, as in the population register.",
        )
        return None
    return text
