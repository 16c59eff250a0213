"""Valuation of accountability entries: SR actual, SR forecast and percentages.

This module is the one place where the valuation rules live. For each
candidate (kandidaat):

    hours_factor = min(hours_per_week / fulltime_hours_per_week, 1)
    cap_end      = start + max_months calendar months - 1 day (no cap when None)
    first_day    = max(candidate start, project start)
    last_day     = min(candidate end, project end, cap_end, as_of)
    days         = last_day - first_day + 1, or 0 when last_day < first_day
    yearly       = block yearly value + yearly bonuses that apply
    value(as_of) = round_half_up(yearly * hours_factor * days / 365, 0.01)

SR actual counts candidate days up to today (Europe/Amsterdam) and costs dated
on or before today; SR forecast counts whole periods and all costs. A
percentage is round_half_up(100 * figure / obligation, 0.1). All arithmetic is
exact: the quotient is formed once and rounded once per entry.

``srm.services.progress`` evaluates the same formula in SQL so lists can be
sorted on it; a test checks that both agree.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DAYS_PER_YEAR = 365
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def today_in_amsterdam(now: datetime | None = None) -> date:
    """Return the calendar date in Europe/Amsterdam, the "today" of all business rules."""
    moment = now if now is not None else datetime.now(tz=AMSTERDAM)
    return moment.astimezone(AMSTERDAM).date()


def add_months(start: date, months: int) -> date:
    """Add calendar months; a day missing in the target month becomes its last day."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def age_on(date_of_birth: date, on: date) -> int:
    """Return the age in whole years on a date.

    Someone born on 29 February turns a year older on 28 February in a common
    year, the same rule as ``add_months`` and PostgreSQL's interval arithmetic.
    """
    years = on.year - date_of_birth.year
    if add_months(date_of_birth, 12 * years) > on:
        years -= 1
    return years


def round_half_up(value: Fraction | Decimal, quantum: Decimal) -> Decimal:
    """Round an exact value half up (away from zero for positives) to a quantum."""
    exact = Fraction(value)
    steps = exact / Fraction(quantum)
    whole = steps.numerator // steps.denominator
    remainder = steps - whole
    if remainder >= Fraction(1, 2):
        whole += 1
    return (Decimal(whole) * quantum).quantize(quantum)


@dataclass(frozen=True)
class BonusTerms:
    """A bonus (bonus) of a policy: a yearly amount, optionally tied to a minimum age."""

    code: str
    kind: str  # "yearly" or "actual_costs"
    yearly_value: Decimal | None
    min_age: int | None = None


def applicable_bonuses(
    bonuses: Sequence[BonusTerms],
    chosen_codes: Iterable[str],
    date_of_birth: date,
    start: date,
) -> list[BonusTerms]:
    """Select the yearly bonuses that add to a candidate's yearly value.

    An age bonus applies by itself when the age on the start date reaches its
    ``min_age``, and never otherwise, even when chosen. Other yearly bonuses
    apply when chosen. Bonuses of kind ``actual_costs`` carry no yearly value.
    """
    chosen = set(chosen_codes)
    age = age_on(date_of_birth, start)
    selected: list[BonusTerms] = []
    for bonus in bonuses:
        if bonus.kind != "yearly" or bonus.yearly_value is None:
            continue
        if bonus.min_age is not None:
            if age >= bonus.min_age:
                selected.append(bonus)
        elif bonus.code in chosen:
            selected.append(bonus)
    return selected


@dataclass(frozen=True)
class CandidateValuation:
    """The terms that fix a candidate's value; ``value(as_of)`` applies the formula.

    ``last_day`` is the last countable day before any ``as_of`` limit.
    """

    first_day: date
    last_day: date
    yearly_value: Decimal
    hours_counted: Decimal
    fulltime_hours: Decimal

    def days(self, as_of: date | None = None) -> int:
        last = self.last_day if as_of is None else min(self.last_day, as_of)
        if last < self.first_day:
            return 0
        return (last - self.first_day).days + 1

    def value(self, as_of: date | None = None) -> Decimal:
        """Return the value in euros up to ``as_of`` (inclusive), or for the whole period."""
        exact = (
            Fraction(self.yearly_value)
            * Fraction(self.hours_counted)
            * self.days(as_of)
            / (Fraction(self.fulltime_hours) * DAYS_PER_YEAR)
        )
        return round_half_up(exact, CENT)


def value_candidate(
    *,
    candidate_start: date,
    candidate_end: date,
    project_start: date,
    project_end: date,
    hours_per_week: Decimal,
    fulltime_hours_per_week: Decimal,
    block_yearly_value: Decimal,
    max_months: int | None,
    bonuses: Sequence[BonusTerms] = (),
) -> CandidateValuation:
    """Fix the valuation terms of one candidate.

    ``max_months`` is the block's counting cap after the policy default has
    been applied; None means no cap. ``bonuses`` are those that apply (see
    ``applicable_bonuses``).
    """
    first_day = max(candidate_start, project_start)
    last_day = min(candidate_end, project_end)
    if max_months is not None:
        cap_end = add_months(candidate_start, max_months) - timedelta(days=1)
        last_day = min(last_day, cap_end)
    yearly = block_yearly_value + sum(
        (bonus.yearly_value for bonus in bonuses if bonus.yearly_value is not None),
        Decimal(0),
    )
    return CandidateValuation(
        first_day=first_day,
        last_day=last_day,
        yearly_value=yearly,
        hours_counted=min(hours_per_week, fulltime_hours_per_week),
        fulltime_hours=fulltime_hours_per_week,
    )


def cost_amount_for_hours(hours: Decimal, hourly_rate: Decimal) -> Decimal:
    """Return the amount of a cost in a category valued per hour."""
    return round_half_up(Fraction(hours) * Fraction(hourly_rate), CENT)


def percentage(figure: Decimal, obligation: Decimal | None) -> Decimal | None:
    """Return ``figure`` as a percentage of the obligation with one decimal, or None."""
    if obligation is None or obligation <= 0:
        return None
    return round_half_up(Fraction(figure) * 100 / Fraction(obligation), TENTH)


@dataclass(frozen=True)
class CostEntry:
    """A cost (kosten) as far as valuation needs it."""

    date: date
    amount: Decimal


@dataclass(frozen=True)
class Progress:
    """SR actual and SR forecast of a project, in euros and percent."""

    actual: Decimal
    forecast: Decimal
    actual_percentage: Decimal | None
    forecast_percentage: Decimal | None


def project_progress(
    candidates: Iterable[CandidateValuation],
    costs: Iterable[CostEntry],
    obligation: Decimal | None,
    today: date,
) -> Progress:
    """Compute SR actual (up to ``today``) and SR forecast of one project."""
    actual = Decimal("0.00")
    forecast = Decimal("0.00")
    for candidate in candidates:
        actual += candidate.value(today)
        forecast += candidate.value()
    for cost in costs:
        forecast += cost.amount
        if cost.date <= today:
            actual += cost.amount
    return Progress(
        actual=actual,
        forecast=forecast,
        actual_percentage=percentage(actual, obligation),
        forecast_percentage=percentage(forecast, obligation),
    )


def effective_obligation(
    agreement_type: str,
    amount: Decimal | None,
    fixed_amount: Decimal | None,
) -> Decimal | None:
    """Return the obligation that percentages are measured against.

    For a framework agreement (raamovereenkomst) the fixed amount replaces the
    estimate once set. Best effort without a target has none.
    """
    if agreement_type == "FRAMEWORK" and fixed_amount is not None:
        return fixed_amount
    return amount
