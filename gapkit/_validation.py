"""Shared input checks. Messages name the argument, the value and the rule."""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterable


def validate_int(value, name: str, *, minimum: int | None = None) -> int:
    """Return `value` as an int, or raise naming `name` and the rule."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer():
            value = int(value)
        else:
            raise TypeError(f"`{name}` must be an integer; got {value!r}.")
    value = int(value)
    if minimum is not None and value < minimum:
        rule = "a non-negative integer" if minimum == 0 else f"an integer of at least {minimum}"
        raise ValueError(f"`{name}` must be {rule}; got {value}.")
    return value


def validate_real(value, name: str, *, finite: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a number; got {value!r}.")
    value = float(value)
    if finite and not math.isfinite(value):
        raise ValueError(f"`{name}` must be finite; got {value}.")
    return value


def validate_level(level) -> float:
    level = validate_real(level, "level")
    if not 0 < level < 1:
        raise ValueError(f"`level` must be between 0 and 1; got {level}.")
    return level


def validate_choice(value, name: str, options: Iterable[str]) -> str:
    options = tuple(options)
    if value not in options:
        allowed = ", ".join(repr(o) for o in options)
        raise ValueError(f"`{name}` ({value!r}) not recognized; must be one of {allowed}.")
    return value


def validate_columns(frame, columns: Iterable[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = ", ".join(map(str, frame.columns))
        raise ValueError(f"`{name}` column(s) {', '.join(map(repr, missing))} not in the data; columns are: {have}.")


def as_tuple(value) -> tuple:
    """A label or a sequence of labels, as a tuple."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes, bool, numbers.Number)):
        return (value,)
    return tuple(value)
