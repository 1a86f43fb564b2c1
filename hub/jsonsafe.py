"""Strict JSON at every boundary: what one client writes, every other client and database can read.

Python's json module accepts NaN and Infinity, integers of any size, lone surrogates (`"\\ud800"`),
NUL characters and nesting deep enough to exhaust the interpreter's stack. Browsers and Go clients
refuse the first three in an answer, PostgreSQL refuses NUL in text, and deep nesting raises
RecursionError. `loads` refuses them all with a ValueError that says what was found; `dumps` never
writes a value that `loads` would refuse.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 64
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

_UNSTORABLE_CHARACTER = re.compile("[\x00\ud800-\udfff]")


class UnsafeJson(ValueError):
    """The text is JSON that Hubbub will not store or pass on; the message says why."""


def _refuse_constant(name: str) -> Any:
    raise UnsafeJson(f"{name} is not a JSON number")


def _bounded_int(text: str) -> int:
    # int() of a huge digit string is itself quadratic; the length check comes first.
    if len(text.lstrip("-")) > 19 or not INT64_MIN <= (value := int(text)) <= INT64_MAX:
        raise UnsafeJson(f"the integer {text[:24]}{'…' if len(text) > 24 else ''} does not fit in 64 bits")
    return value


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UnsafeJson(f"the number {text[:24]} is too large")
    return value


def check_text(value: str, where: str = "a string") -> str:
    """Refuses NUL and lone surrogates in text that will be stored or sent on."""
    found = _UNSTORABLE_CHARACTER.search(value)
    if found:
        kind = "a NUL character" if found.group() == "\x00" else "a lone surrogate"
        raise UnsafeJson(f"{where} contains {kind} at position {found.start()}")
    return value


def _check_parsed(value: Any) -> None:
    """Every string and key storable, nesting within MAX_DEPTH; walked level by level, not recursively."""
    level, depth = [value], 0
    while level:
        nested: list[Any] = []
        for item in level:
            if isinstance(item, str):
                check_text(item)
            elif isinstance(item, (dict, list)):
                if depth == MAX_DEPTH:
                    raise UnsafeJson(f"the JSON nests more than {MAX_DEPTH} levels deep")
                if isinstance(item, dict):
                    for key in item:
                        check_text(key, "a key")
                    nested.extend(item.values())
                else:
                    nested.extend(item)
        level, depth = nested, depth + 1


def loads(raw: str | bytes | bytearray) -> Any:
    """Parses JSON and refuses what `dumps` could not write back (raises ValueError)."""
    text = raw if isinstance(raw, str) else bytes(raw).decode("utf-8")
    try:
        value = json.loads(
            text, parse_constant=_refuse_constant, parse_int=_bounded_int, parse_float=_finite_float
        )
    except RecursionError:
        raise UnsafeJson(f"the JSON nests more than {MAX_DEPTH} levels deep") from None
    _check_parsed(value)
    return value


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(inner) for key, inner in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(inner) for inner in value]
    return value


def dumps(value: Any, **options: Any) -> str:
    """JSON text without NaN or Infinity: a value stored before the input checks existed reads as null."""
    options.setdefault("separators", (",", ":"))
    try:
        return json.dumps(value, allow_nan=False, **options)
    except ValueError:
        return json.dumps(_finite(value), allow_nan=False, **options)
