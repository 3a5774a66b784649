"""Asset health through HTTP: each reason from the facts that cause it, the list's filter and sort computed in
SQL agreeing with the rules function, the batch endpoint, roles and tenants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select, update

from backend.assets.models import Asset
from backend.db.engine import open_database
from backend.health import rules
from backend.health.service import scope, score_expression
from tests.helpers import assert_error

pytestmark = pytest.mark.anyio

MISSING_ID = "01890000-0000-7000-8000-000000000000"
NOW = datetime.now(UTC)
TODAY = NOW.date()


def days(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


async def write_columns(settings: Any, asset_id: str, **values: Any) -> None:
    """Facts the API has no field for (set by audits and check-outs): written to the row directly."""
    database = open_database(settings.database_url)
    async with database.write_sessions() as session:
        await session.execute(update(Asset).where(Asset.id == UUID(asset_id)).values(**values))
        await session.commit()
    await database.dispose()


async def sql_scores(settings: Any, tenant: Any) -> dict[str, int]:
    database = open_database(settings.database_url)
    async with database.read_sessions() as session:
        score = score_expression(await scope(session, tenant.tenant_id))
        rows = (await session.execute(select(Asset.tag, score).where(Asset.tenant_id == tenant.tenant_id))).all()
    await database.dispose()
    return {tag: score for tag, score in rows}


async def health(tenant: Any, item: dict) -> dict:
    r = await tenant.get(f"/inventory-items/{item['id']}/health")
    assert r.status_code == 200, r.text
    return r.json()


def codes(answer: dict) -> set[str]:
    return {reason["code"] for reason in answer["reasons"]}


class Fleet:
    """Assets of one tenant, each with the facts for a chosen set of reasons."""

    def __init__(self, tenant: Any, settings: Any) -> None:
        self.tenant, self.settings = tenant, settings
        self.category: dict | None = None
        self.person: dict | None = None

    async def make(self, tag: str, *reasons: str, status: str | None = None) -> dict:
        tenant = self.tenant
        body: dict[str, Any] = {"name": f"Asset {tag}", "tag": tag}
        columns: dict[str, Any] = {}
        if status:
            body["status"] = status
        if "missing_in_last_audit" in reasons:
            columns["missed_last_audit"] = True
        if "warranty_expired" in reasons:
            body["warrantyExpiry"] = days(-1)
        if "warranty_expiring" in reasons:
            body["warrantyExpiry"] = days(30)
        if "past_life_expectancy" in reasons:
            if self.category is None:
                self.category = await tenant.created("/categories", name="Laptops", lifeExpectancyMonths=36)
            body["categoryId"], body["purchaseDate"] = self.category["id"], "2020-01-01"
        if "checkout_overdue" in reasons:
            if self.person is None:
                self.person = await tenant.created("/people", name="Dana")
            body["assigneeId"] = self.person["id"]
            columns["due_back_at"] = NOW - timedelta(days=2)
        item = await tenant.created("/inventory-items", **body)
        if "not_verified_90d" in reasons:
            columns["last_verified_at"] = NOW - timedelta(days=120)
        else:
            columns["last_verified_at"] = NOW - timedelta(days=1)
        if "maintenance_overdue" in reasons:
            await tenant.created("/maintenance/schedules", itemId=item["id"], title="Service", intervalValue=1,
                                 intervalUnit="months", nextDueDate=days(-2))
        await write_columns(self.settings, item["id"], **columns)
        return item


async def test_each_reason_is_reported_with_its_weight_and_a_link(tenant, settings):
    fleet = Fleet(tenant, settings)
    for code in rules.WEIGHTS:
        item = await fleet.make(f"R-{code}", code)
        answer = await health(tenant, item)
        assert codes(answer) == {code}
        [reason] = answer["reasons"]
        assert reason["weight"] == rules.WEIGHTS[code] and answer["score"] == 100 - rules.WEIGHTS[code]
        assert reason["message"] and reason["link"].startswith("/api/v1/")
        assert item["id"] in reason["link"]
    ok = await fleet.make("R-fine")
    assert await health(tenant, ok) == {"score": 100, "badge": "HEALTHY", "reasons": []}


async def test_the_reasons_links_lead_somewhere(tenant, settings):
    item = await Fleet(tenant, settings).make("LINK-1", "maintenance_overdue")
    [reason] = (await health(tenant, item))["reasons"]
    r = await tenant.get(reason["link"].removeprefix("/api/v1"))
    assert r.status_code == 200 and len(r.json()["items"]) == 1


async def test_never_verified_counts_from_creation_and_missing_status_counts_as_missing(tenant, settings):
    old = await tenant.created("/inventory-items", name="Old")
    await write_columns(settings, old["id"], created_at=NOW - timedelta(days=91))
    assert codes(await health(tenant, old)) == {"not_verified_90d"}
    young = await tenant.created("/inventory-items", name="Young")
    assert codes(await health(tenant, young)) == set()
    lost = await tenant.created("/inventory-items", name="Lost", status="missing")
    answer = await health(tenant, lost)
    assert codes(answer) == {"missing_in_last_audit"} and answer["badge"] == "AT_RISK"


async def test_a_deleted_schedule_or_a_future_one_is_not_overdue(tenant):
    item = await tenant.created("/inventory-items", name="Pump")
    late = await tenant.created("/maintenance/schedules", itemId=item["id"], title="x", intervalValue=1,
                                intervalUnit="days", nextDueDate=days(-1))
    await tenant.created("/maintenance/schedules", itemId=item["id"], title="y", intervalValue=1,
                         intervalUnit="days", nextDueDate=days(0))
    assert codes(await health(tenant, item)) == {"maintenance_overdue"}
    await tenant.delete(f"/maintenance/schedules/{late['id']}")
    assert codes(await health(tenant, item)) == set()


async def test_retired_assets_are_not_scored(tenant, settings):
    item = await Fleet(tenant, settings).make("RET-1", "missing_in_last_audit", "maintenance_overdue", status="retired")
    answer = await health(tenant, item)
    assert (answer["score"], answer["badge"], codes(answer)) == (100, "HEALTHY", {"retired"})


async def test_the_asset_carries_its_health_on_get_and_in_lists(tenant, settings):
    item = await Fleet(tenant, settings).make("ON-1", "warranty_expired")
    expected = await health(tenant, item)
    assert (await tenant.get(f"/inventory-items/{item['id']}")).json()["health"] == expected
    [listed] = await tenant.walk("/inventory-items")
    assert listed["health"] == expected
    assert item["health"] == expected  # the answer to the create too


COMBINATIONS = [
    (), ("warranty_expiring",), ("warranty_expired",), ("not_verified_90d",), ("past_life_expectancy",),
    ("checkout_overdue",), ("maintenance_overdue",), ("missing_in_last_audit",),
    ("maintenance_overdue", "checkout_overdue"), ("not_verified_90d", "warranty_expired"),
    ("maintenance_overdue", "checkout_overdue", "not_verified_90d"),
    ("missing_in_last_audit", "past_life_expectancy", "warranty_expiring"),
    tuple(code for code in rules.WEIGHTS if code != "warranty_expiring"),  # every reason: score 0
    ("past_life_expectancy", "not_verified_90d"),  # ties with checkout_overdue + warranty_expired below
    ("checkout_overdue", "warranty_expired"),
]


async def edge_cases(tenant: Any, settings: Any) -> list[dict]:
    """Assets just either side of each boundary."""
    category = await tenant.created("/categories", name="Tablets", lifeExpectancyMonths=1)
    end_of_life = rules.add_months(TODAY, -1)
    made = [
        await tenant.created("/inventory-items", name="e", tag="E-1", warrantyExpiry=days(31)),
        await tenant.created("/inventory-items", name="e", tag="E-2", warrantyExpiry=days(0)),
        await tenant.created("/inventory-items", name="e", tag="E-3", categoryId=category["id"],
                             purchaseDate=end_of_life.isoformat()),
        await tenant.created("/inventory-items", name="e", tag="E-4", categoryId=category["id"],
                             purchaseDate=(end_of_life - timedelta(days=1)).isoformat()),
        await tenant.created("/inventory-items", name="e", tag="E-5"),
        await tenant.created("/inventory-items", name="e", tag="E-6"),
    ]
    await tenant.created("/maintenance/schedules", itemId=made[4]["id"], title="today", intervalValue=1,
                         intervalUnit="days", nextDueDate=days(0))
    await write_columns(settings, made[5]["id"], last_verified_at=datetime.combine(
        TODAY - timedelta(days=90), datetime.min.time(), UTC) + timedelta(seconds=1))
    return made


async def test_list_sort_and_filter_in_sql_agree_with_the_rules(tenant, settings):
    fleet = Fleet(tenant, settings)
    made = [await fleet.make(f"H-{n:02d}", *reasons) for n, reasons in enumerate(COMBINATIONS)]
    made.append(await fleet.make("H-99", "missing_in_last_audit", status="retired"))
    made += await edge_cases(tenant, settings)
    by_tag = {item["tag"]: await health(tenant, item) for item in made}
    assert {tag: codes(answer) for tag, answer in by_tag.items() if tag.startswith("H-") and tag != "H-99"} == {
        f"H-{n:02d}": set(reasons) for n, reasons in enumerate(COMBINATIONS)}
    # the SQL expression scores every asset as the rules function does
    assert await sql_scores(settings, tenant) == {tag: answer["score"] for tag, answer in by_tag.items()}

    for order, sign in (("risk_first", 1), ("healthy_first", -1)):
        listed = await tenant.walk("/inventory-items", limit=3, healthSort=order, sort="-name")
        assert [item["health"] for item in listed] == [by_tag[item["tag"]] for item in listed]
        keys = [(sign * item["health"]["score"], item["tag"]) for item in listed]
        assert keys == sorted(keys) and len(keys) == len(made)
        assert all(a != b for a, b in pairwise(keys))
    for badge in rules.BADGES:
        listed = await tenant.walk("/inventory-items", limit=2, healthBadge=badge, healthSort="risk_first")
        assert {item["tag"] for item in listed} == {tag for tag, answer in by_tag.items() if answer["badge"] == badge}
    assert {item["tag"] for item in await tenant.walk("/inventory-items", healthBadge="AT_RISK", q="H-0")} == {
        tag for tag, answer in by_tag.items() if answer["badge"] == "AT_RISK" and tag.startswith("H-0")}


@pytest.mark.parametrize(("params", "field"), [
    pytest.param({"healthBadge": "GREEN"}, "healthBadge", id="badge"),
    pytest.param({"healthSort": "worst"}, "healthSort", id="sort"),
    pytest.param({"healthSort": "risk_first", "cursor": "bm9wZQ"}, "cursor", id="cursor"),
    pytest.param({"healthSort": "risk_first", "limit": 0}, "limit", id="limit"),
])
async def test_bad_health_list_controls_are_a_400_naming_them(tenant, params, field):
    await tenant.created("/inventory-items", name="Pump")
    assert_error(await tenant.get("/inventory-items", params=params), 400, field)


async def test_a_cursor_from_another_sort_is_refused(tenant):
    for n in range(3):
        await tenant.created("/inventory-items", name=f"Pump {n}")
    page = (await tenant.get("/inventory-items", params={"limit": 1})).json()
    assert_error(await tenant.get("/inventory-items", params={"limit": 1, "healthSort": "risk_first",
                                                              "cursor": page["nextCursor"]}), 400, "cursor")


async def test_health_of_many_assets_at_once(tenant, settings):
    fleet = Fleet(tenant, settings)
    sick, fine = await fleet.make("B-1", "missing_in_last_audit"), await fleet.make("B-2")
    r = await tenant.as_role("technician").post("/inventory-items/health/batch",
                                                json={"ids": [fine["id"], sick["id"], fine["id"]]})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [item["id"] for item in items] == [fine["id"], sick["id"]]
    assert {k: v for k, v in items[1].items() if k != "id"} == await health(tenant, sick)


async def test_a_bad_batch_is_refused(tenant, other_tenant):
    mine = await tenant.created("/inventory-items", name="Mine")
    theirs = await other_tenant.created("/inventory-items", name="Theirs")
    body = assert_error(await tenant.post("/inventory-items/health/batch", json={"ids": [mine["id"], theirs["id"],
                                                                                         MISSING_ID]}), 404, "ids")
    assert body["details"]["ids"] == [theirs["id"], MISSING_ID]
    assert_error(await tenant.post("/inventory-items/health/batch", json={"ids": []}), 400, "ids")
    assert_error(await tenant.post("/inventory-items/health/batch", json={"ids": [MISSING_ID] * 201}), 400, "ids")
    assert_error(await tenant.post("/inventory-items/health/batch", json={"ids": ["nope"]}), 400, "ids[0]")


async def test_one_asset_s_health_is_tenant_scoped(tenant, other_tenant):
    theirs = await other_tenant.created("/inventory-items", name="Theirs")
    assert_error(await tenant.get(f"/inventory-items/{theirs['id']}/health"), 404)
    assert_error(await tenant.get("/inventory-items/nope/health"), 400, "inventoryItemId")
    assert_error(await tenant.get(f"/inventory-items/{theirs['id']}/health", auth=False), 401)


async def test_a_category_s_life_expectancy_is_set_changed_and_cleared(tenant):
    made = await tenant.created("/categories", name="Chairs", lifeExpectancyMonths=120)
    assert made["lifeExpectancyMonths"] == 120
    r = await tenant.patch(f"/categories/{made['id']}", json={"lifeExpectancyMonths": None})
    assert r.status_code == 200 and r.json()["lifeExpectancyMonths"] is None
    for bad in (0, 1201, "ten"):
        assert_error(await tenant.post("/categories", json={"name": "Desks", "lifeExpectancyMonths": bad}), 400,
                     "lifeExpectancyMonths")
    item = await tenant.created("/inventory-items", name="Chair", categoryId=made["id"],
                                purchaseDate=(date.today() - timedelta(days=400)).isoformat())
    assert codes(await health(tenant, item)) == set()
    await tenant.patch(f"/categories/{made['id']}", json={"lifeExpectancyMonths": 12})
    assert codes(await health(tenant, item)) == {"past_life_expectancy"}
