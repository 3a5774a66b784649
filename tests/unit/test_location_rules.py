"""The location tree rules on random forests: paths, cycle checks, subtrees, door-label codes."""

from __future__ import annotations

import re
from uuid import UUID

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from backend.locations import rules
from backend.locations.schemas import LocationCode

Tree = dict[UUID, tuple[UUID | None, str]]

names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)


@st.composite
def forests(draw: st.DrawFn, min_size: int = 1, max_size: int = 25) -> Tree:
    """A random forest {id: (parent, name)}: each node's parent is None or a node drawn before it,
    so there is never a cycle; ids are random, so dict order says nothing about the shape."""
    ids = draw(st.lists(st.uuids(), min_size=min_size, max_size=max_size, unique=True))
    tree: Tree = {}
    for i, node in enumerate(ids):
        parent = draw(st.none() | st.sampled_from(ids[:i])) if i else None
        tree[node] = (parent, draw(names))
    order = draw(st.permutations(ids))
    return {node: tree[node] for node in order}


@st.composite
def forest_and_node(draw: st.DrawFn) -> tuple[Tree, UUID]:
    tree = draw(forests())
    return tree, draw(st.sampled_from(sorted(tree)))


@st.composite
def any_parent_maps(draw: st.DrawFn) -> Tree:
    """Any map at all, cycles and dangling parents included: what a corrupted table could hold."""
    ids = draw(st.lists(st.uuids(), min_size=1, max_size=15, unique=True))
    parents = st.none() | st.sampled_from(ids) | st.uuids()
    return {node: (draw(parents), draw(names)) for node in ids}


def chain_to_root(tree: Tree, node: UUID) -> list[UUID]:
    """node, its parent, …, its root: walked by hand, trusting that the forest has no cycle."""
    chain = [node]
    while (parent := tree[chain[-1]][0]) is not None:
        chain.append(parent)
    return chain


@given(forest_and_node())
def test_path_joins_names_from_the_root_down(case: tuple[Tree, UUID]) -> None:
    tree, node = case
    expected = " > ".join(tree[n][1] for n in reversed(chain_to_root(tree, node)))
    assert rules.path_of(tree, node) == expected


@given(forest_and_node())
def test_path_of_a_child_is_its_parents_path_and_its_own_name(case: tuple[Tree, UUID]) -> None:
    tree, node = case
    parent, name = tree[node]
    if parent is None:
        assert rules.path_of(tree, node) == name
    else:
        assert rules.path_of(tree, node) == f"{rules.path_of(tree, parent)} > {name}"


@given(forest_and_node(), st.data())
def test_a_new_childs_path_is_built_from_its_parents_stored_path(case: tuple[Tree, UUID], data: st.DataObject) -> None:
    """create() builds the path from the parent's stored path; it must agree with path_of on the new tree."""
    tree, parent = case
    child = data.draw(st.uuids().filter(lambda u: u not in tree), label="new child")
    grown = {**tree, child: (parent, "Room 204")}
    assert rules.child_path(rules.path_of(tree, parent), "Room 204") == rules.path_of(grown, child)
    assert rules.child_path(None, "HQ") == "HQ"


@given(forest_and_node())
def test_ancestors_walk_from_the_node_up_to_its_root(case: tuple[Tree, UUID]) -> None:
    tree, node = case
    assert rules.ancestors(tree, node) == chain_to_root(tree, node)


@given(forests(), st.data())
def test_moving_is_a_cycle_exactly_when_the_new_parent_is_the_node_or_below_it(tree: Tree, data: st.DataObject) -> None:
    node = data.draw(st.sampled_from(sorted(tree)), label="node")
    new_parent = data.draw(st.none() | st.sampled_from(sorted(tree)), label="new parent")
    below_or_same = new_parent is not None and node in chain_to_root(tree, new_parent)
    assert rules.would_cycle(tree, node, new_parent) is below_or_same


@given(forest_and_node())
def test_a_node_can_never_move_under_itself_but_always_to_the_top(case: tuple[Tree, UUID]) -> None:
    tree, node = case
    assert rules.would_cycle(tree, node, node)
    assert not rules.would_cycle(tree, node, None)


@given(forest_and_node())
def test_no_descendant_can_become_the_parent(case: tuple[Tree, UUID]) -> None:
    tree, node = case
    for other in tree:
        if other != node and node in chain_to_root(tree, other):
            assert rules.would_cycle(tree, node, other)


@given(forest_and_node())
def test_subtree_is_the_node_and_every_descendant_and_nothing_else(case: tuple[Tree, UUID]) -> None:
    tree, root = case
    found = rules.subtree(tree, root)
    assert len(found) == len(set(found)), "a location is listed twice"
    assert set(found) == {n for n in tree if root in chain_to_root(tree, n)}
    assert root in found


@given(forests())
def test_the_subtrees_of_the_roots_cover_the_forest_once(tree: Tree) -> None:
    roots = [n for n, (parent, _) in tree.items() if parent is None]
    covered = [n for root in roots for n in rules.subtree(tree, root)]
    assert sorted(covered) == sorted(tree)


@given(forest_and_node())
def test_moving_a_node_keeps_its_subtree_and_the_forest_acyclic(case: tuple[Tree, UUID]) -> None:
    """Every move that would_cycle allows leaves a forest in which the node carries the same subtree."""
    tree, node = case
    before = set(rules.subtree(tree, node))
    for new_parent in [None, *tree]:
        if rules.would_cycle(tree, node, new_parent):
            continue
        moved = {**tree, node: (new_parent, tree[node][1])}
        assert set(rules.subtree(moved, node)) == before
        for n in moved:
            chain = rules.ancestors(moved, n)
            assert moved[chain[-1]][0] is None, "a move made a cycle"


@given(any_parent_maps(), st.data())
def test_ancestors_end_even_when_the_map_has_a_cycle(tree: Tree, data: st.DataObject) -> None:
    node = data.draw(st.sampled_from(sorted(tree)))
    chain = rules.ancestors(tree, node)
    assert chain[0] == node
    assert len(chain) == len(set(chain)) <= len(tree)
    for child, parent in zip(chain, chain[1:], strict=False):
        assert tree[child][0] == parent
    stop = tree[chain[-1]][0]
    assert stop is None or stop not in tree or stop in chain


@given(any_parent_maps(), st.data())
def test_cycle_check_path_and_subtree_end_even_when_the_map_has_a_cycle(tree: Tree, data: st.DataObject) -> None:
    """A corrupted table must not hang the server: every rule answers on any map."""
    node = data.draw(st.sampled_from(sorted(tree)))
    other = data.draw(st.sampled_from(sorted(tree)))
    rules.would_cycle(tree, node, other)
    assert rules.path_of(tree, node).endswith(tree[node][1])
    found = rules.subtree(tree, node)
    assert found[0] == node
    assert len(found) == len(set(found)) and set(found) <= set(tree)


def test_ancestors_of_nothing_or_of_an_unknown_node_are_empty() -> None:
    tree: Tree = {UUID(int=1): (None, "HQ")}
    assert rules.ancestors(tree, None) == []
    assert rules.ancestors(tree, UUID(int=2)) == []


def test_the_example_from_the_contract() -> None:
    hq, floor, room = UUID(int=1), UUID(int=2), UUID(int=3)
    tree: Tree = {room: (floor, "Room 204"), floor: (hq, "Floor 2"), hq: (None, "HQ")}
    assert rules.path_of(tree, room) == "HQ > Floor 2 > Room 204"
    assert rules.subtree(tree, floor) in ([floor, room], [room, floor])
    assert rules.would_cycle(tree, hq, room)
    assert not rules.would_cycle(tree, room, hq)


@given(st.integers(min_value=1, max_value=10**12))
def test_location_codes_are_loc_and_the_number_padded_to_four_digits(number: int) -> None:
    code = rules.format_location_code(number)
    assert re.fullmatch(r"LOC-\d{4,}", code)
    assert int(code.removeprefix("LOC-")) == number
    assert len(code) == 4 + max(4, len(str(number)))


@given(st.integers(min_value=1, max_value=10**12), st.integers(min_value=1, max_value=10**12))
def test_different_numbers_never_share_a_code(a: int, b: int) -> None:
    assert (rules.format_location_code(a) == rules.format_location_code(b)) == (a == b)


@given(st.integers(min_value=1, max_value=10**12))
def test_a_generated_code_is_one_a_user_could_type_back(number: int) -> None:
    """PATCH {code} takes what the API itself gave out (fits the code's length and characters)."""
    code = rules.format_location_code(number)
    if len(code) <= 32:
        assert msgspec.convert(code, LocationCode) == code


def test_the_first_codes() -> None:
    assert [rules.format_location_code(n) for n in (1, 2, 42, 9999, 10000)] == [
        "LOC-0001", "LOC-0002", "LOC-0042", "LOC-9999", "LOC-10000"]
