"""Health rules: the score is 100 minus the weights of the reasons that hold; badges follow the score."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from backend.health import rules

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def facts(**changes) -> rules.Facts:
    base = dict(asset_id=uuid4(), status="available", missed_last_audit=False, has_assignee=False, due_back_at=None,
                warranty_expiry=None, purchase_date=None, life_expectancy_months=None,
                last_verified_at=NOW - timedelta(days=1), created_at=NOW - timedelta(days=400), earliest_due=None)
    return rules.Facts(**{**base, **changes})


def codes(health: rules.Health) -> set[str]:
    return {r.code for r in health.reasons}


def test_an_asset_with_nothing_wrong_is_healthy_with_no_reasons():
    health = rules.assess(facts(), NOW)
    assert (health.score, health.badge, health.reasons) == (100, "HEALTHY", ())


def test_each_reason_is_triggered_by_its_fact_and_costs_its_weight():
    cases = {
        "missing_in_last_audit": facts(missed_last_audit=True),
        "maintenance_overdue": facts(earliest_due=TODAY - timedelta(days=1)),
        "checkout_overdue": facts(has_assignee=True, due_back_at=NOW - timedelta(minutes=1)),
        "past_life_expectancy": facts(purchase_date=date(2020, 1, 1), life_expectancy_months=36),
        "not_verified_90d": facts(last_verified_at=NOW - timedelta(days=92)),
        "warranty_expired": facts(warranty_expiry=TODAY - timedelta(days=1)),
        "warranty_expiring": facts(warranty_expiry=TODAY + timedelta(days=30)),
    }
    for code, asset in cases.items():
        health = rules.assess(asset, NOW)
        assert codes(health) == {code}
        assert health.score == 100 - rules.WEIGHTS[code]
        assert health.reasons[0].weight == rules.WEIGHTS[code] and health.reasons[0].message


def test_the_boundaries_are_where_the_documentation_puts_them():
    assert codes(rules.assess(facts(earliest_due=TODAY), NOW)) == set()  # due today is not overdue
    assert codes(rules.assess(facts(warranty_expiry=TODAY + timedelta(days=31)), NOW)) == set()
    assert codes(rules.assess(facts(warranty_expiry=TODAY), NOW)) == {"warranty_expiring"}
    assert codes(rules.assess(facts(status="missing"), NOW)) == {"missing_in_last_audit"}
    assert codes(rules.assess(facts(has_assignee=False, due_back_at=NOW - timedelta(days=3)), NOW)) == set()
    assert codes(rules.assess(facts(has_assignee=True, due_back_at=NOW + timedelta(minutes=1)), NOW)) == set()
    # never verified: counts from creation
    assert codes(rules.assess(facts(last_verified_at=None, created_at=NOW - timedelta(days=91)), NOW)) == {"not_verified_90d"}
    assert codes(rules.assess(facts(last_verified_at=None, created_at=NOW - timedelta(days=89)), NOW)) == set()
    # purchased 2023-03-15 with 36 months: the end is today, not yet past
    assert codes(rules.assess(facts(purchase_date=date(2023, 3, 15), life_expectancy_months=36), NOW)) == set()
    assert codes(rules.assess(facts(purchase_date=date(2023, 3, 14), life_expectancy_months=36), NOW)) == {
        "past_life_expectancy"}


def test_a_missing_asset_is_at_risk_and_an_overdue_maintenance_needs_attention():
    assert rules.assess(facts(missed_last_audit=True), NOW).badge == "AT_RISK"
    assert rules.assess(facts(earliest_due=TODAY - timedelta(days=3)), NOW).badge == "ATTENTION"
    assert rules.assess(facts(warranty_expiry=TODAY - timedelta(days=3)), NOW).badge == "HEALTHY"


def test_retired_assets_are_not_scored():
    health = rules.assess(facts(status="retired", missed_last_audit=True, earliest_due=date(2000, 1, 1)), NOW)
    assert (health.score, health.badge, [r.code for r in health.reasons]) == (100, "HEALTHY", ["retired"])


moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
maybe_dates = st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2110, 1, 1))
any_facts = st.builds(
    rules.Facts, asset_id=st.uuids(), status=st.sampled_from(["available", "in_use", "missing", "retired"]),
    missed_last_audit=st.booleans(), has_assignee=st.booleans(), due_back_at=st.none() | moments,
    warranty_expiry=maybe_dates, purchase_date=maybe_dates,
    life_expectancy_months=st.none() | st.integers(1, 1200), last_verified_at=st.none() | moments,
    created_at=moments, earliest_due=maybe_dates)


@given(any_facts, moments)
def test_the_score_is_100_minus_the_reasons_weights_and_the_badge_follows(asset, now):
    health = rules.assess(asset, now)
    assert 0 <= health.score <= 100
    assert health.score == 100 - sum(r.weight for r in health.reasons)
    low, high = rules.score_range(health.badge)
    assert low <= health.score <= high
    assert len(codes(health)) == len(health.reasons)
    assert not {"warranty_expired", "warranty_expiring"} <= codes(health)
    assert all(r.weight == rules.WEIGHTS.get(r.code, 0) for r in health.reasons)


@given(st.integers(0, 100))
def test_every_score_has_exactly_one_badge(score):
    assert [b for b in rules.BADGES if rules.score_range(b)[0] <= score <= rules.score_range(b)[1]] == [
        rules.badge_for(score)]


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)), st.integers(0, 1200))
def test_add_months_clamps_to_the_end_of_the_month(day, months):
    later = rules.add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == min(day.day, calendar.monthrange(later.year, later.month)[1])


def test_january_31_plus_one_month_is_the_end_of_february():
    assert rules.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert rules.add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)), st.integers(1, 1200),
       st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)))
def test_the_life_threshold_compares_like_adding_months(purchased, months, today):
    # what the SQL compares (a date per life expectancy) against what the calendar says
    assert (purchased < rules.life_ends_before(today, months)) == (rules.add_months(purchased, months) < today)


def test_the_life_threshold_at_the_end_of_a_month():
    assert rules.life_ends_before(date(2026, 3, 31), 1) == date(2026, 3, 1)  # bought Feb 28: ended Mar 28
    assert rules.life_ends_before(date(2026, 3, 15), 1) == date(2026, 2, 15)
