"""Table-driven tests of the valuation formula in ``srm.domain.valuation``.

Every expected figure is worked out by hand in the comment of its row, so a
failure means the module and the formula disagree. Money is Decimal throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from srm.domain.enums import AgreementType
from srm.domain.valuation import (
    CENT,
    TENTH,
    BonusTerms,
    CandidateValuation,
    CostEntry,
    add_months,
    age_on,
    applicable_bonuses,
    cost_amount_for_hours,
    effective_obligation,
    percentage,
    project_progress,
    round_half_up,
    today_in_amsterdam,
    value_candidate,
)

FULLTIME_HOURS = Decimal("36")

AGE_BONUS = BonusTerms(
    code="age_50_plus", kind="yearly", yearly_value=Decimal("5000.00"), min_age=50
)
PERMANENT_BONUS = BonusTerms(
    code="permanent_contract", kind="yearly", yearly_value=Decimal("2500.00")
)
TRAINING_BONUS = BonusTerms(
    code="training_costs", kind="actual_costs", yearly_value=None
)
POLICY_BONUSES = (AGE_BONUS, PERMANENT_BONUS, TRAINING_BONUS)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param(date(2025, 1, 31), 1, date(2025, 2, 28), id="jan31_common"),
        pytest.param(date(2024, 1, 31), 1, date(2024, 2, 29), id="jan31_leap"),
        pytest.param(date(2025, 3, 31), 1, date(2025, 4, 30), id="mar31_to_april"),
        pytest.param(date(2025, 11, 30), 3, date(2026, 2, 28), id="across_year"),
        pytest.param(date(2025, 3, 15), 12, date(2026, 3, 15), id="twelve_months"),
        pytest.param(date(2024, 2, 29), 12, date(2025, 2, 28), id="feb29_plus_year"),
        pytest.param(date(2025, 2, 1), 24, date(2027, 2, 1), id="24_months"),
        pytest.param(date(2025, 5, 20), 0, date(2025, 5, 20), id="zero_months"),
    ],
)
def test_add_months_result(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("date_of_birth", "on", "expected"),
    [
        pytest.param(date(1975, 3, 10), date(2025, 3, 10), 50, id="birthday"),
        pytest.param(date(1975, 3, 10), date(2025, 3, 9), 49, id="day_before"),
        # Born on 29 February: one year older on 28 February in a common year.
        pytest.param(date(2004, 2, 29), date(2025, 2, 28), 21, id="feb29_on_feb28"),
        pytest.param(date(2004, 2, 29), date(2025, 2, 27), 20, id="feb29_on_feb27"),
        pytest.param(date(2004, 2, 29), date(2025, 3, 1), 21, id="feb29_on_mar1"),
        # In a leap year the birthday itself exists, so 28 February is too early.
        pytest.param(date(2004, 2, 29), date(2028, 2, 28), 23, id="feb29_leap_feb28"),
        pytest.param(date(2004, 2, 29), date(2028, 2, 29), 24, id="feb29_leap_feb29"),
    ],
)
def test_age_on_date(date_of_birth: date, on: date, expected: int) -> None:
    assert age_on(date_of_birth, on) == expected


@pytest.mark.parametrize(
    ("date_of_birth", "start", "chosen", "expected_codes"),
    [
        # Age 50 on the start date: the age bonus applies without being chosen.
        pytest.param(
            date(1975, 3, 10), date(2025, 3, 10), (), ["age_50_plus"], id="birthday"
        ),
        # Age 49 on the start date, one day short of 50.
        pytest.param(date(1975, 3, 11), date(2025, 3, 10), (), [], id="day_before"),
        # 2026 is a common year, so someone born on 29 Feb 1976 turns 50 on 28 Feb.
        pytest.param(
            date(1976, 2, 29),
            date(2026, 2, 28),
            (),
            ["age_50_plus"],
            id="feb29_turns_50",
        ),
        pytest.param(date(1976, 2, 29), date(2026, 2, 27), (), [], id="feb29_still_49"),
        pytest.param(
            date(1990, 1, 1),
            date(2025, 1, 1),
            ("permanent_contract",),
            ["permanent_contract"],
            id="chosen_yearly",
        ),
        # Choosing the age bonus does not make it apply below the minimum age.
        pytest.param(
            date(1990, 1, 1),
            date(2025, 1, 1),
            ("age_50_plus",),
            [],
            id="chosen_too_young",
        ),
        # An actual-costs bonus has no yearly value, so it adds nothing.
        pytest.param(
            date(1990, 1, 1),
            date(2025, 1, 1),
            ("training_costs",),
            [],
            id="actual_costs",
        ),
        pytest.param(
            date(1960, 1, 1),
            date(2025, 1, 1),
            ("permanent_contract", "training_costs"),
            ["age_50_plus", "permanent_contract"],
            id="age_and_chosen",
        ),
    ],
)
def test_bonuses_applicable(
    date_of_birth: date,
    start: date,
    chosen: tuple[str, ...],
    expected_codes: list[str],
) -> None:
    selected = applicable_bonuses(POLICY_BONUSES, chosen, date_of_birth, start)

    assert [bonus.code for bonus in selected] == expected_codes


@dataclass(frozen=True)
class CandidateCase:
    """One row of the candidate table: inputs and expected results."""

    start: date
    end: date
    yearly_value: Decimal
    hours_per_week: Decimal
    expected_days: int
    expected_value: Decimal
    project_start: date = date(2020, 1, 1)
    project_end: date = date(2030, 12, 31)
    fulltime_hours: Decimal = FULLTIME_HOURS
    max_months: int | None = None
    as_of: date | None = None


CANDIDATE_CASES = [
    pytest.param(
        # 1 Jan to 30 Jun 2025 = 31+28+31+30+31+30 = 181 days
        # 40000 * 24/36 * 181/365 = 13223.744...
        CandidateCase(
            start=date(2025, 1, 1),
            end=date(2025, 6, 30),
            yearly_value=Decimal("40000.00"),
            hours_per_week=Decimal("24"),
            expected_days=181,
            expected_value=Decimal("13223.74"),
        ),
        id="part_time",
    ),
    pytest.param(
        # 40 of 36 hours counts as factor 1: 40000 * 1 * 181/365 = 19835.616...
        CandidateCase(
            start=date(2025, 1, 1),
            end=date(2025, 6, 30),
            yearly_value=Decimal("40000.00"),
            hours_per_week=Decimal("40"),
            expected_days=181,
            expected_value=Decimal("19835.62"),
        ),
        id="above_fulltime",
    ),
    pytest.param(
        # A policy with a 40-hour week: 40000 * 32/40 * 181/365 = 15868.493...
        CandidateCase(
            start=date(2025, 1, 1),
            end=date(2025, 6, 30),
            yearly_value=Decimal("40000.00"),
            hours_per_week=Decimal("32"),
            fulltime_hours=Decimal("40"),
            expected_days=181,
            expected_value=Decimal("15868.49"),
        ),
        id="fulltime_40",
    ),
    pytest.param(
        # Only the project period counts: 1 Mar to 31 Aug 2025
        # = 31+30+31+30+31+31 = 184 days
        # 30000 * 184/365 = 15123.287...
        CandidateCase(
            start=date(2024, 6, 1),
            end=date(2026, 6, 30),
            project_start=date(2025, 3, 1),
            project_end=date(2025, 8, 31),
            yearly_value=Decimal("30000.00"),
            hours_per_week=Decimal("36"),
            expected_days=184,
            expected_value=Decimal("15123.29"),
        ),
        id="around_project",
    ),
    pytest.param(
        # The cap runs from the candidate start, not the project start:
        # cap_end = 1 Oct 2025 - 1 day = 30 Sep 2025.
        # 1 Jan to 30 Sep 2025 = 181+31+31+30 = 273 days
        # 25000 * 273/365 = 18698.630...
        CandidateCase(
            start=date(2024, 10, 1),
            end=date(2026, 6, 30),
            project_start=date(2025, 1, 1),
            project_end=date(2026, 12, 31),
            yearly_value=Decimal("25000.00"),
            hours_per_week=Decimal("36"),
            max_months=12,
            expected_days=273,
            expected_value=Decimal("18698.63"),
        ),
        id="cap_12_mid_period",
    ),
    pytest.param(
        # cap_end = 1 Feb 2027 - 1 day = 31 Jan 2027, so 2 * 365 = 730 days
        # (no 29 February in between)
        # 30000 * 18/36 * 730/365 = 30000.00
        CandidateCase(
            start=date(2025, 2, 1),
            end=date(2028, 1, 31),
            yearly_value=Decimal("30000.00"),
            hours_per_week=Decimal("18"),
            max_months=24,
            expected_days=730,
            expected_value=Decimal("30000.00"),
        ),
        id="cap_24_mid_period",
    ),
    pytest.param(
        # No cap: 1 Feb 2025 to 31 Jan 2028 = 3 * 365 = 1095 days
        # (29 Feb 2028 falls after the end)
        # 30000 * 18/36 * 1095/365 = 45000.00
        CandidateCase(
            start=date(2025, 2, 1),
            end=date(2028, 1, 31),
            yearly_value=Decimal("30000.00"),
            hours_per_week=Decimal("18"),
            max_months=None,
            expected_days=1095,
            expected_value=Decimal("45000.00"),
        ),
        id="cap_none",
    ),
    pytest.param(
        # cap_end = 1 Apr 2027 - 1 day lies after the end, so the cap changes nothing:
        # 1 Apr to 30 Sep 2025 = 30+31+30+31+31+30 = 183 days
        # 20000 * 183/365 = 10027.397...
        CandidateCase(
            start=date(2025, 4, 1),
            end=date(2025, 9, 30),
            yearly_value=Decimal("20000.00"),
            hours_per_week=Decimal("36"),
            max_months=24,
            expected_days=183,
            expected_value=Decimal("10027.40"),
        ),
        id="cap_24_not_reached",
    ),
    pytest.param(
        # 31 Jan 2025 + 1 month = 28 Feb 2025, so cap_end = 27 Feb 2025.
        # 31 Jan to 27 Feb = 1 + 27 = 28 days
        # 36500 * 28/365 = 2800.00
        CandidateCase(
            start=date(2025, 1, 31),
            end=date(2025, 12, 31),
            yearly_value=Decimal("36500.00"),
            hours_per_week=Decimal("36"),
            max_months=1,
            expected_days=28,
            expected_value=Decimal("2800.00"),
        ),
        id="cap_1_from_jan31",
    ),
    pytest.param(
        # 31 Jan 2024 + 1 month = 29 Feb 2024, so cap_end = 28 Feb 2024.
        # 31 Jan to 28 Feb = 1 + 28 = 29 days
        # 36500 * 29/365 = 2900.00
        CandidateCase(
            start=date(2024, 1, 31),
            end=date(2024, 12, 31),
            yearly_value=Decimal("36500.00"),
            hours_per_week=Decimal("36"),
            max_months=1,
            expected_days=29,
            expected_value=Decimal("2900.00"),
        ),
        id="cap_1_from_jan31_leap",
    ),
    pytest.param(
        # 2024 has 366 days but the divisor stays 365: 36500 * 366/365 = 36600.00
        CandidateCase(
            start=date(2024, 1, 1),
            end=date(2024, 12, 31),
            yearly_value=Decimal("36500.00"),
            hours_per_week=Decimal("36"),
            expected_days=366,
            expected_value=Decimal("36600.00"),
        ),
        id="leap_year_whole",
    ),
    pytest.param(
        # February 2024 = 29 days
        # 40000 * 24/36 * 29/365 = 2118.721...
        CandidateCase(
            start=date(2024, 2, 1),
            end=date(2024, 2, 29),
            yearly_value=Decimal("40000.00"),
            hours_per_week=Decimal("24"),
            expected_days=29,
            expected_value=Decimal("2118.72"),
        ),
        id="leap_february",
    ),
    pytest.param(
        # Counted up to 31 Mar 2025 = 31+28+31 = 90 days
        # 40000 * 24/36 * 90/365 = 6575.342...
        CandidateCase(
            start=date(2025, 1, 1),
            end=date(2025, 6, 30),
            yearly_value=Decimal("40000.00"),
            hours_per_week=Decimal("24"),
            as_of=date(2025, 3, 31),
            expected_days=90,
            expected_value=Decimal("6575.34"),
        ),
        id="as_of_mid_period",
    ),
    pytest.param(
        # as_of before the first day: last_day < first_day, so 0 days
        CandidateCase(
            start=date(2025, 1, 1),
            end=date(2025, 6, 30),
            yearly_value=Decimal("40000.00"),
            hours_per_week=Decimal("24"),
            as_of=date(2024, 12, 31),
            expected_days=0,
            expected_value=Decimal("0.00"),
        ),
        id="as_of_before_start",
    ),
    pytest.param(
        # The candidate ends before the project starts: 0 days
        CandidateCase(
            start=date(2024, 1, 1),
            end=date(2024, 12, 31),
            project_start=date(2025, 1, 1),
            project_end=date(2025, 12, 31),
            yearly_value=Decimal("40000.00"),
            hours_per_week=Decimal("36"),
            expected_days=0,
            expected_value=Decimal("0.00"),
        ),
        id="before_project",
    ),
    pytest.param(
        # 1 Jan to 14 Mar 2025 = 31+28+14 = 73 days = 365/5
        # 100.05 * 18/36 * 73/365 = 100.05 / 10 = 10.005, exactly half a cent,
        # so half up gives 10.01 where half even would give 10.00.
        CandidateCase(
            start=date(2025, 1, 1),
            end=date(2025, 3, 14),
            yearly_value=Decimal("100.05"),
            hours_per_week=Decimal("18"),
            expected_days=73,
            expected_value=Decimal("10.01"),
        ),
        id="half_cent_up",
    ),
    pytest.param(
        # 100.04 / 10 = 10.004, below half a cent
        CandidateCase(
            start=date(2025, 1, 1),
            end=date(2025, 3, 14),
            yearly_value=Decimal("100.04"),
            hours_per_week=Decimal("18"),
            expected_days=73,
            expected_value=Decimal("10.00"),
        ),
        id="below_half_cent",
    ),
    pytest.param(
        # 365.00 * 0.18/36 * 1/365 = 0.18/36 = 0.005, half a cent
        CandidateCase(
            start=date(2025, 1, 1),
            end=date(2025, 1, 1),
            yearly_value=Decimal("365.00"),
            hours_per_week=Decimal("0.18"),
            expected_days=1,
            expected_value=Decimal("0.01"),
        ),
        id="one_day_half_cent",
    ),
]


@pytest.mark.parametrize("case", CANDIDATE_CASES)
def test_candidate_days_and_value(case: CandidateCase) -> None:
    valuation = value_candidate(
        candidate_start=case.start,
        candidate_end=case.end,
        project_start=case.project_start,
        project_end=case.project_end,
        hours_per_week=case.hours_per_week,
        fulltime_hours_per_week=case.fulltime_hours,
        block_yearly_value=case.yearly_value,
        max_months=case.max_months,
    )
    value = valuation.value(case.as_of)

    assert valuation.days(case.as_of) == case.expected_days
    assert value == case.expected_value
    assert value.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("date_of_birth", "expected_value"),
    [
        # 10 Mar to 31 Dec 2025 = 365 - (31+28+9) = 297 days
        # age 50 on the start: (30000 + 5000) * 297/365 = 28479.452...
        pytest.param(date(1975, 3, 10), Decimal("28479.45"), id="birthday"),
        # age 49 on the start: 30000 * 297/365 = 24410.958...
        pytest.param(date(1975, 3, 11), Decimal("24410.96"), id="day_before"),
    ],
)
def test_candidate_age_bonus(date_of_birth: date, expected_value: Decimal) -> None:
    start = date(2025, 3, 10)
    bonuses = applicable_bonuses(POLICY_BONUSES, (), date_of_birth, start)
    valuation = value_candidate(
        candidate_start=start,
        candidate_end=date(2025, 12, 31),
        project_start=date(2025, 1, 1),
        project_end=date(2025, 12, 31),
        hours_per_week=FULLTIME_HOURS,
        fulltime_hours_per_week=FULLTIME_HOURS,
        block_yearly_value=Decimal("30000.00"),
        max_months=None,
        bonuses=bonuses,
    )

    assert valuation.days() == 297
    assert valuation.value() == expected_value


@pytest.mark.parametrize(
    ("hours", "hourly_rate", "expected"),
    [
        # 7.5 * 100.00 = 750.00
        pytest.param(Decimal("7.5"), Decimal("100.00"), Decimal("750.00"), id="whole"),
        # 0.5 * 10.01 = 5.005, half a cent, rounds up
        pytest.param(Decimal("0.5"), Decimal("10.01"), Decimal("5.01"), id="half_cent"),
        # 2.25 * 33.33 = 74.9925
        pytest.param(
            Decimal("2.25"), Decimal("33.33"), Decimal("74.99"), id="round_down"
        ),
        # 1.25 * 45.50 = 56.875
        pytest.param(
            Decimal("1.25"), Decimal("45.50"), Decimal("56.88"), id="round_up"
        ),
        # 0.1 * 0.04 = 0.004
        pytest.param(Decimal("0.1"), Decimal("0.04"), Decimal("0.00"), id="to_zero"),
    ],
)
def test_cost_hourly_amount(
    hours: Decimal, hourly_rate: Decimal, expected: Decimal
) -> None:
    amount = cost_amount_for_hours(hours, hourly_rate)

    assert amount == expected
    assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "quantum", "expected"),
    [
        pytest.param(Decimal("0.005"), CENT, Decimal("0.01"), id="half_cent"),
        pytest.param(Decimal("0.0049999"), CENT, Decimal("0.00"), id="below_half_cent"),
        # As a binary float 2.675 lies just below the half and would round down.
        pytest.param(Decimal("2.675"), CENT, Decimal("2.68"), id="float_trap"),
        pytest.param(Fraction(1, 3), CENT, Decimal("0.33"), id="third"),
        pytest.param(Fraction(2, 3), CENT, Decimal("0.67"), id="two_thirds"),
        pytest.param(Decimal("12.25"), TENTH, Decimal("12.3"), id="half_tenth"),
        pytest.param(Decimal("99.95"), TENTH, Decimal("100.0"), id="carry_to_100"),
    ],
)
def test_round_half_up_quantum(
    value: Fraction | Decimal, quantum: Decimal, expected: Decimal
) -> None:
    rounded = round_half_up(value, quantum)

    assert rounded == expected
    assert rounded.as_tuple().exponent == quantum.as_tuple().exponent


@pytest.mark.parametrize(
    ("figure", "obligation", "expected"),
    [
        # 100 * 1225.00 / 10000.00 = 12.25, rounds up where half even gives 12.2
        pytest.param(
            Decimal("1225.00"), Decimal("10000.00"), Decimal("12.3"), id="x25"
        ),
        # 100 * 1224.99 / 10000.00 = 12.2499
        pytest.param(
            Decimal("1224.99"), Decimal("10000.00"), Decimal("12.2"), id="below_x25"
        ),
        # 100 * 5.00 / 10000.00 = 0.05
        pytest.param(Decimal("5.00"), Decimal("10000.00"), Decimal("0.1"), id="x05"),
        # 100 * 1000 / 3000 = 33.33...
        pytest.param(
            Decimal("1000.00"), Decimal("3000.00"), Decimal("33.3"), id="third"
        ),
        # 100 * 2000 / 3000 = 66.66...
        pytest.param(
            Decimal("2000.00"), Decimal("3000.00"), Decimal("66.7"), id="two_thirds"
        ),
        # 100 * 15000 / 10000 = 150
        pytest.param(
            Decimal("15000.00"), Decimal("10000.00"), Decimal("150.0"), id="above_100"
        ),
        pytest.param(Decimal("0.00"), Decimal("10000.00"), Decimal("0.0"), id="zero"),
        pytest.param(Decimal("1000.00"), None, None, id="no_obligation"),
        pytest.param(Decimal("1000.00"), Decimal("0.00"), None, id="zero_obligation"),
    ],
)
def test_percentage_rounding(
    figure: Decimal, obligation: Decimal | None, expected: Decimal | None
) -> None:
    result = percentage(figure, obligation)

    assert result == expected
    if expected is not None:
        assert result is not None
        assert result.as_tuple().exponent == -1


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 28 March 2026 is still winter time (UTC+1): 23:30Z is 00:30 on 29 March.
        pytest.param(
            datetime(2026, 3, 28, 23, 30, tzinfo=UTC), date(2026, 3, 29), id="mar_after"
        ),
        # 22:59Z is 23:59 on 28 March.
        pytest.param(
            datetime(2026, 3, 28, 22, 59, tzinfo=UTC),
            date(2026, 3, 28),
            id="mar_before",
        ),
        # Summer time (UTC+2): 22:00Z on 30 June is midnight of 1 July.
        pytest.param(
            datetime(2026, 6, 30, 22, 0, tzinfo=UTC),
            date(2026, 7, 1),
            id="summer_after",
        ),
        pytest.param(
            datetime(2026, 6, 30, 21, 59, tzinfo=UTC),
            date(2026, 6, 30),
            id="summer_before",
        ),
        # Summer time ends at 01:00Z on 25 Oct 2026, so 22:30Z is 23:30 local.
        pytest.param(
            datetime(2026, 10, 25, 22, 30, tzinfo=UTC),
            date(2026, 10, 25),
            id="oct_before",
        ),
        pytest.param(
            datetime(2026, 10, 25, 23, 0, tzinfo=UTC),
            date(2026, 10, 26),
            id="oct_after",
        ),
    ],
)
def test_today_amsterdam_midnight(moment: datetime, expected: date) -> None:
    assert today_in_amsterdam(moment) == expected


def candidate_terms(
    first_day: date, last_day: date, yearly_value: str, hours: str = "36"
) -> CandidateValuation:
    """Build valuation terms directly, against a 36-hour full-time week."""
    return CandidateValuation(
        first_day=first_day,
        last_day=last_day,
        yearly_value=Decimal(yearly_value),
        hours_counted=Decimal(hours),
        fulltime_hours=FULLTIME_HOURS,
    )


TODAY = date(2026, 3, 29)

# 1 Jan to 31 Dec 2026, 36500 a year full time: 100.00 a day.
# Actual up to 29 Mar = 31+28+29 = 88 days = 8800.00, forecast 36500.00.
WHOLE_YEAR_2026 = candidate_terms(date(2026, 1, 1), date(2026, 12, 31), "36500.00")
COST_IN_FEBRUARY = CostEntry(date=date(2026, 2, 1), amount=Decimal("200.00"))


@pytest.mark.parametrize(
    (
        "candidates",
        "costs",
        "obligation",
        "expected_actual",
        "expected_forecast",
        "expected_actual_percentage",
        "expected_forecast_percentage",
    ),
    [
        # 1 Jul to 31 Dec 2026 = 31+31+30+31+30+31 = 184 days, all after today.
        # Forecast: 40000 * 24/36 * 184/365 = 13442.922...
        # 100 * 13442.92 / 100000 = 13.44292 -> 13.4
        pytest.param(
            [candidate_terms(date(2026, 7, 1), date(2026, 12, 31), "40000", "24")],
            [],
            Decimal("100000.00"),
            Decimal("0.00"),
            Decimal("13442.92"),
            Decimal("0.0"),
            Decimal("13.4"),
            id="future_period",
        ),
        # A cost dated today counts as actual, one dated tomorrow only in the forecast.
        # Actual 250 + 1000 = 1250.00 (12.5% of 10000), forecast 1750.00 (17.5%).
        pytest.param(
            [],
            [
                CostEntry(date=date(2026, 1, 15), amount=Decimal("250.00")),
                CostEntry(date=TODAY, amount=Decimal("1000.00")),
                CostEntry(date=date(2026, 3, 30), amount=Decimal("500.00")),
            ],
            Decimal("10000.00"),
            Decimal("1250.00"),
            Decimal("1750.00"),
            Decimal("12.5"),
            Decimal("17.5"),
            id="costs_around_today",
        ),
        # Actual 8800 + 200 = 9000.00 (18.0%), forecast 36500 + 200 = 36700.00
        # (36700 / 50000 = 73.4%).
        pytest.param(
            [WHOLE_YEAR_2026],
            [COST_IN_FEBRUARY],
            Decimal("50000.00"),
            Decimal("9000.00"),
            Decimal("36700.00"),
            Decimal("18.0"),
            Decimal("73.4"),
            id="candidate_and_cost",
        ),
        # Each entry is rounded before summing: 100.05 * 18/36 * 73/365 = 10.005
        # rounds to 10.01 per candidate, so two give 20.02 (the exact sum is 20.01).
        # 100 * 20.02 / 100.00 = 20.02 -> 20.0
        pytest.param(
            [
                candidate_terms(date(2025, 1, 1), date(2025, 3, 14), "100.05", "18"),
                candidate_terms(date(2025, 1, 1), date(2025, 3, 14), "100.05", "18"),
            ],
            [],
            Decimal("100.00"),
            Decimal("20.02"),
            Decimal("20.02"),
            Decimal("20.0"),
            Decimal("20.0"),
            id="rounds_per_candidate",
        ),
        pytest.param(
            [],
            [],
            Decimal("1000.00"),
            Decimal("0.00"),
            Decimal("0.00"),
            Decimal("0.0"),
            Decimal("0.0"),
            id="empty",
        ),
    ],
)
def test_progress_actual_forecast(
    candidates: list[CandidateValuation],
    costs: list[CostEntry],
    obligation: Decimal,
    expected_actual: Decimal,
    expected_forecast: Decimal,
    expected_actual_percentage: Decimal,
    expected_forecast_percentage: Decimal,
) -> None:
    progress = project_progress(candidates, costs, obligation, TODAY)

    assert progress.actual == expected_actual
    assert progress.forecast == expected_forecast
    assert progress.actual_percentage == expected_actual_percentage
    assert progress.forecast_percentage == expected_forecast_percentage


@pytest.mark.parametrize(
    (
        "agreement_type",
        "amount",
        "fixed_amount",
        "expected_obligation",
        "expected_actual_percentage",
        "expected_forecast_percentage",
    ),
    [
        # Figures from WHOLE_YEAR_2026 plus the February cost: actual 9000.00,
        # forecast 36700.00.
        # 9000 / 50000 = 18.0%, 36700 / 50000 = 73.4%
        pytest.param(
            AgreementType.OBLIGATION,
            Decimal("50000.00"),
            None,
            Decimal("50000.00"),
            Decimal("18.0"),
            Decimal("73.4"),
            id="obligation",
        ),
        # The estimate counts until a fixed amount is set:
        # 9000 / 80000 = 11.25% -> 11.3, 36700 / 80000 = 45.875% -> 45.9
        pytest.param(
            AgreementType.FRAMEWORK,
            Decimal("80000.00"),
            None,
            Decimal("80000.00"),
            Decimal("11.3"),
            Decimal("45.9"),
            id="framework_estimate",
        ),
        # The fixed amount replaces the estimate:
        # 9000 / 60000 = 15.0%, 36700 / 60000 = 61.166...% -> 61.2
        pytest.param(
            AgreementType.FRAMEWORK,
            Decimal("80000.00"),
            Decimal("60000.00"),
            Decimal("60000.00"),
            Decimal("15.0"),
            Decimal("61.2"),
            id="framework_fixed",
        ),
        # 9000 / 45000 = 20.0%, 36700 / 45000 = 81.555...% -> 81.6
        pytest.param(
            AgreementType.BEST_EFFORT,
            Decimal("45000.00"),
            None,
            Decimal("45000.00"),
            Decimal("20.0"),
            Decimal("81.6"),
            id="best_effort_target",
        ),
        pytest.param(
            AgreementType.BEST_EFFORT,
            None,
            None,
            None,
            None,
            None,
            id="best_effort_none",
        ),
    ],
)
def test_progress_obligation_types(
    agreement_type: AgreementType,
    amount: Decimal | None,
    fixed_amount: Decimal | None,
    expected_obligation: Decimal | None,
    expected_actual_percentage: Decimal | None,
    expected_forecast_percentage: Decimal | None,
) -> None:
    obligation = effective_obligation(agreement_type, amount, fixed_amount)
    progress = project_progress(
        [WHOLE_YEAR_2026], [COST_IN_FEBRUARY], obligation, TODAY
    )

    assert obligation == expected_obligation
    assert progress.actual == Decimal("9000.00")
    assert progress.forecast == Decimal("36700.00")
    assert progress.actual_percentage == expected_actual_percentage
    assert progress.forecast_percentage == expected_forecast_percentage
