from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from msgspec import UNSET, Meta, UnsetType

from backend.assets.schemas import FieldKey
from backend.customfields.rules import FIELD_TYPES
from backend.wire import LongText, Name, Out, Page, ShortText, Wire

FieldType = Literal[FIELD_TYPES]  # type: ignore[valid-type]  # the one list lives with the rules
# The count (1..200, distinct, non-blank) is checked by rules.options_problem, so the error says which option.
Options = Annotated[list[ShortText], Meta(max_length=1000)]


class CustomFieldIn(Wire):
    key: FieldKey
    name: Name
    type: FieldType
    options: Options | None = None
    required: bool = False
    description: LongText = ""


class CustomFieldPatch(Wire):
    # key and type are accepted only unchanged: values on assets are stored under the key, in the type.
    key: FieldKey | UnsetType = UNSET
    type: FieldType | UnsetType = UNSET
    name: Name | UnsetType = UNSET
    options: Options | None | UnsetType = UNSET
    required: bool | UnsetType = UNSET
    description: LongText | UnsetType = UNSET


class CustomFieldOut(Out):
    id: UUID
    key: str
    name: str
    type: str
    options: list[Any]
    required: bool
    description: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


CustomFieldPage = Page[CustomFieldOut]
