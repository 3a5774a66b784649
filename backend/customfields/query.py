"""A custom field's value inside assets.custom_fields, read the same way on SQLite and PostgreSQL.

Each construct is the value under a key when it has the wanted JSON kind and NULL otherwise, so a value of
another kind (left by a deleted definition of another type) never matches and never breaks a cast."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, String, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class _JsonValue(FunctionElement[Any]):
    inherit_cache = True

    def __init__(self, column: ColumnElement[Any], key: str) -> None:
        super().__init__(column, bindparam(None, key, type_=String()))


class JsonText(_JsonValue):
    name = "json_text"
    inherit_cache = True
    type = String()


class JsonNumber(_JsonValue):
    name = "json_number"
    inherit_cache = True
    type = Float()


class JsonBoolean(_JsonValue):
    name = "json_boolean"
    inherit_cache = True
    type = Boolean()


class JsonPresent(_JsonValue):
    """True where the key is there at all (even holding null)."""

    name = "json_present"
    inherit_cache = True
    type = Boolean()


# `{c}` is the JSON column, `{k}` the key as SQL text. SQLite reads it by path; PostgreSQL's `json -> unknown`
# is ambiguous (text key or array index), hence the cast of the key.
_SQLITE = {
    JsonText: "CASE WHEN json_type({c}, '$.' || {k}) = 'text' THEN json_extract({c}, '$.' || {k}) END",
    JsonNumber: "CASE WHEN json_type({c}, '$.' || {k}) IN ('integer', 'real') THEN json_extract({c}, '$.' || {k}) END",
    JsonBoolean: "CASE json_type({c}, '$.' || {k}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END",
    JsonPresent: "(json_type({c}, '$.' || {k}) IS NOT NULL)",
}
_POSTGRESQL = {
    JsonText: "CASE WHEN json_typeof({c} -> CAST({k} AS TEXT)) = 'string' THEN {c} ->> CAST({k} AS TEXT) END",
    JsonNumber: "CASE WHEN json_typeof({c} -> CAST({k} AS TEXT)) = 'number' "
                "THEN CAST({c} ->> CAST({k} AS TEXT) AS DOUBLE PRECISION) END",
    JsonBoolean: "CASE WHEN json_typeof({c} -> CAST({k} AS TEXT)) = 'boolean' "
                 "THEN CAST({c} ->> CAST({k} AS TEXT) AS BOOLEAN) END",
    JsonPresent: "(({c} -> CAST({k} AS TEXT)) IS NOT NULL)",
}


def _render(templates: dict[type, str], element: _JsonValue, compiler: SQLCompiler, **kw: Any) -> str:
    column, key = list(element.clauses)
    return templates[type(element)].format(c=compiler.process(column, **kw), k=compiler.process(key, **kw))


@compiles(_JsonValue, "sqlite")
def _sqlite(element: _JsonValue, compiler: SQLCompiler, **kw: Any) -> str:
    return _render(_SQLITE, element, compiler, **kw)


@compiles(_JsonValue, "postgresql")
def _postgresql(element: _JsonValue, compiler: SQLCompiler, **kw: Any) -> str:
    return _render(_POSTGRESQL, element, compiler, **kw)


def value_clause(column: ColumnElement[Any], key: str, field_type: str, value: Any) -> ColumnElement[bool]:
    """Assets whose value under `key` equals `value` (already parsed for the type); None: no value."""
    typed: ColumnElement[Any]
    if field_type == "number":
        typed = JsonNumber(column, key)
    elif field_type == "boolean":
        typed = JsonBoolean(column, key)
    else:
        typed = JsonText(column, key)
    if value is None:
        return typed.is_(None)
    if field_type == "number":
        return typed == float(value)
    if field_type == "text":  # text is matched ignoring case, as `q` is
        return typed.ilike(value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"), escape="\\")
    return typed == value
