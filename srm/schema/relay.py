"""Relay global ids, the Node interface and offset-based connections."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

T = TypeVar("T")

MAX_PAGE_SIZE = 100
MAX_OFFSET = 10_000_000  # deeper pages are refused; use filters instead
DEFAULT_PAGE_SIZE = 20


def to_global_id(type_name: str, object_id: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(
        base64.urlsafe_b64encode(f"{type_name}:{object_id}".encode()).decode()
    )


def from_global_id(global_id: str) -> tuple[str, uuid.UUID] | None:
    """Decode a global id into type name and UUID; None for anything malformed."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
        type_name, _, raw_id = text.partition(":")
        return type_name, uuid.UUID(raw_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def decode_id(global_id: str | None, expected_type: str) -> uuid.UUID | None:
    """Return the UUID of a global id of ``expected_type``, else None."""
    if not global_id:
        return None
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] != expected_type:
        return None
    return decoded[1]


@strawberry.interface(description="Object with a global id (Relay Node).")
class Node:
    id: strawberry.ID


@strawberry.type(description="Position in a paginated list (paginering).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int = strawberry.field(
        description="Number of items matching the filter."
    )


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        prefix, _, number = text.partition(":")
        offset = int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if prefix != "offset" or not 0 <= offset <= MAX_OFFSET:
        return None
    return offset


@dataclass
class PageWindow:
    """Offset and size of the requested page, before the total is known."""

    offset: int
    limit: int
    from_end: bool = False  # last/before without a known total


def build_connection(items: list[T], *, offset: int, total: int) -> Connection[T]:
    edges = [
        Edge(cursor=encode_cursor(offset + i), node=item)
        for i, item in enumerate(items)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=offset + len(items) < total,
            has_previous_page=offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )
