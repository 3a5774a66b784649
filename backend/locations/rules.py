"""The location tree: paths, cycles, codes. Pure functions over {id: (parent_id, name)}."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

PATH_SEPARATOR = " > "
CODE_PREFIX = "LOC-"
MAX_PATH_LENGTH = 4000  # the width of locations.path

Tree = Mapping[UUID, tuple[UUID | None, str]]


def format_location_code(number: int) -> str:
    return f"{CODE_PREFIX}{number:04d}"


def ancestors(tree: Tree, node: UUID | None) -> list[UUID]:
    """node, its parent, … up to the root; stops at a cycle instead of looping."""
    seen: list[UUID] = []
    while node is not None and node not in seen and node in tree:
        seen.append(node)
        node = tree[node][0]
    return seen


def would_cycle(tree: Tree, node: UUID, new_parent: UUID | None) -> bool:
    """True when putting node under new_parent would make node its own ancestor."""
    return new_parent is not None and node in ancestors(tree, new_parent)


def path_of(tree: Tree, node: UUID) -> str:
    return PATH_SEPARATOR.join(tree[n][1] for n in reversed(ancestors(tree, node)))


def child_path(parent_path: str | None, name: str) -> str:
    return f"{parent_path}{PATH_SEPARATOR}{name}" if parent_path else name


def subtree(tree: Tree, root: UUID) -> list[UUID]:
    """root and every location below it."""
    children: dict[UUID | None, list[UUID]] = {}
    for node, (parent, _) in tree.items():
        children.setdefault(parent, []).append(node)
    found, seen, stack = [], {root}, [root]
    while stack:
        node = stack.pop()
        found.append(node)
        # `seen` keeps a corrupted (cyclic) table from looping forever.
        below = [child for child in children.get(node, ()) if child not in seen]
        seen.update(below)
        stack.extend(below)
    return found
