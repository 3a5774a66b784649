"""The asset tag sequence against a model of its rule, with Hypothesis choosing the story:
generated tags take the tenant's next number, skip numbers a hand-typed tag already holds, follow a
changed prefix, padding or random part at once, and a hand-typed tag already in use is refused."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from backend.assets.rules import format_tag, tag_key
from tests.conftest import make_tenant

pytestmark = pytest.mark.anyio

generate = st.just(("generate", None))
typed = st.tuples(st.just("typed"), st.integers(min_value=1, max_value=12))
reformat = st.tuples(st.just("format"), st.tuples(st.sampled_from(["AST-", "IT-", "", "x."]), st.integers(1, 7)))
randomize = st.tuples(st.just("random"), st.sampled_from([0, 4, 6]))
stories = st.lists(st.one_of(generate, generate, typed, reformat, randomize), min_size=1, max_size=14)


@hypothesis_settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(story=stories)
async def test_generated_tags_follow_the_sequence_rule(app, client, settings, story):
    tenant = await make_tenant(app, client, settings)
    prefix, padding, random_chars, counter, taken = "AST-", 6, 0, 0, set()
    for action, value in story:
        if action == "random":
            random_chars = value
            r = await tenant.patch("/tenant", json={"tagRandomChars": random_chars})
            assert r.status_code == 200, r.text
            continue
        if action == "format":
            prefix, padding = value
            r = await tenant.patch("/tenant", json={"tagPrefix": prefix, "tagPadding": padding})
            assert r.status_code == 200, r.text
            continue
        if action == "typed":
            tag = format_tag(prefix, padding, value)
            r = await tenant.post("/inventory-items", json={"name": "Typed", "tag": tag})
            if tag_key(tag) in taken:
                assert r.status_code == 409, r.text
            else:
                assert r.status_code == 201, r.text
                taken.add(tag_key(tag))
            continue
        counter += 1
        while tag_key(format_tag(prefix, padding, counter)) in taken:
            counter += 1
        expected = re.escape(format_tag(prefix, padding, counter))
        if random_chars:  # then a dash and random characters of Crockford's base 32 without I, L, O and U
            expected += f"-[0-9A-HJKMNP-TV-Z]{{{random_chars}}}"
        r = await tenant.post("/inventory-items", json={"name": "Generated"})
        assert r.status_code == 201, r.text
        assert re.fullmatch(expected, r.json()["tag"]), (expected, r.json()["tag"])
        taken.add(tag_key(r.json()["tag"]))
    listed = await tenant.walk("/inventory-items")
    assert sorted(tag_key(a["tag"]) for a in listed) == sorted(taken)
