"""SQL form of the valuation formula, so project lists can sort on progress.

It evaluates the same formula as ``srm.domain.valuation`` from the valuation
terms stored on each candidate; ``tests/test_progress_sql.py`` checks that both
give the same figures.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from srm.models import Candidate, Cost, Project

_candidate = Candidate.__table__.c  # type: ignore[attr-defined]
_cost = Cost.__table__.c  # type: ignore[attr-defined]
_project = Project.__table__.c  # type: ignore[attr-defined]

# Sums over many entries can pass NUMERIC(14, 2) of one entry: keep them unbounded.
SUM_TYPE = sa.Numeric()


def candidate_value_sql(
    as_of: date | sa.ColumnElement[date] | None,
) -> sa.ColumnElement:
    """Return the rounded value of a candidate up to ``as_of``, or for the whole period."""
    last_day: sa.ColumnElement = _candidate.last_day
    if as_of is not None:
        last_day = sa.func.least(_candidate.last_day, sa.cast(as_of, sa.Date))
    days = last_day - _candidate.first_day + 1
    # Unbounded NUMERIC keeps the quotient exact enough for one rounding at the end.
    numerator = (
        sa.cast(_candidate.yearly_value, sa.Numeric)
        * sa.cast(_candidate.hours_counted, sa.Numeric)
        * days
    )
    exact = numerator / (sa.cast(_candidate.fulltime_hours, sa.Numeric) * 365)
    return sa.case(
        (last_day < _candidate.first_day, sa.literal(0, SUM_TYPE)),
        else_=sa.func.round(exact, 2),
    )


def obligation_sql() -> sa.ColumnElement:
    """Return the project's obligation: for FRAMEWORK the fixed amount once set."""
    return sa.case(
        (
            _project.agreement_type == "FRAMEWORK",
            sa.func.coalesce(_project.fixed_amount, _project.obligation_amount),
        ),
        else_=_project.obligation_amount,
    )


def progress_columns(today: date) -> tuple[list[sa.Label[Any]], list[sa.FromClause]]:
    """Return progress columns of a project row and the lateral subqueries they read.

    Each subquery is correlated to ``project.id``, so a filtered or paged
    project query only values the candidates and costs of its own rows.
    """
    candidates = (
        sa.select(
            sa.func.coalesce(sa.func.sum(candidate_value_sql(today)), 0).label(
                "actual"
            ),
            sa.func.coalesce(sa.func.sum(_candidate.value_forecast), 0).label(
                "forecast"
            ),
        )
        .where(_candidate.project_id == _project.id)
        .lateral("candidate_totals")
    )
    costs = (
        sa.select(
            sa.func.coalesce(
                sa.func.sum(sa.case((_cost.date <= today, _cost.amount), else_=0)), 0
            ).label("actual"),
            sa.func.coalesce(sa.func.sum(_cost.amount), 0).label("forecast"),
        )
        .where(_cost.project_id == _project.id)
        .lateral("cost_totals")
    )
    actual = candidates.c.actual + costs.c.actual
    forecast = candidates.c.forecast + costs.c.forecast
    obligation = obligation_sql()
    columns = [
        sa.cast(actual, SUM_TYPE).label("progress_actual"),
        sa.cast(forecast, SUM_TYPE).label("progress_forecast"),
        sa.func.round(100 * actual / obligation, 1).label("progress_actual_percentage"),
        sa.func.round(100 * forecast / obligation, 1).label(
            "progress_forecast_percentage"
        ),
    ]
    return columns, [candidates, costs]
