"""Helpers shared by resolvers: paging arguments, transactions and the viewer."""

from __future__ import annotations

from strawberry.types import Info

from srm.context import Context
from srm.domain.access import Viewer
from srm.domain.errors import Unauthenticated
from srm.schema.errors import bad_request
from srm.schema.relay import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, decode_cursor


def context_of(info: Info) -> Context:
    return info.context  # type: ignore[no-any-return]


def require_viewer(info: Info) -> Viewer:
    viewer = context_of(info).viewer
    if viewer is None:
        raise Unauthenticated
    return viewer


def _check_size(name: str, value: int | None) -> None:
    if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
        raise bad_request(f"{name} must be between 0 and {MAX_PAGE_SIZE}, got {value}.")


def _offset_of(name: str, cursor: str | None) -> int | None:
    if cursor is None:
        return None
    offset = decode_cursor(cursor)
    if offset is None:
        raise bad_request(f"{name} is not a cursor of this list; use an edge's cursor.")
    return offset


def page_window(first: int | None, after: str | None) -> tuple[int, int]:
    """Return (offset, limit) for forward paging with ``first`` and ``after``."""
    _check_size("first", first)
    after_offset = _offset_of("after", after)
    offset = 0 if after_offset is None else after_offset + 1
    return offset, DEFAULT_PAGE_SIZE if first is None else first


def backward_window(
    last: int | None, before: str | None, total: int
) -> tuple[int, int]:
    """Return (offset, limit) for backward paging with ``last`` and ``before``."""
    _check_size("last", last)
    before_offset = _offset_of("before", before)
    end = total if before_offset is None else min(before_offset, total)
    size = DEFAULT_PAGE_SIZE if last is None else last
    start = max(0, end - size)
    return start, end - start
