"""Input checks shared by every public function (the style of statsmodels' ``tools.validation``).

Each public function validates and normalises its arguments with a private ``_<name>_iv`` helper (or one its
family shares) built on these. A message has three parts: the argument's name in backticks, the value
it got, and the rule or the allowed set, e.g. "`n_focal` must be a non-negative integer; got -3.".
The array checks name the first bad element the same way, "`n_focal[3]` ..." (or "`counts[1, 2]`"),
so a batch function reports exactly what its scalar counterpart would for that element.

Scalars: `int_like`, `float_like`, `proportion_like`, `level_like`, `one_of`, `label_tuple`.
Arrays: `array_like`, `check_finite`, `check_proportions`, `check_at_most`.
Tables: `frame_like`, `check_columns`, `column_list`. Messages: `plain`.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np
import pandas as pd


# ---------------------------------------------------------------------------------------------
# Scalars
# ---------------------------------------------------------------------------------------------

def _integer_rule(minimum) -> str:
    if minimum is None:
        return "an integer"
    return {0: "a non-negative integer", 1: "a positive integer"}.get(minimum, f"an integer of at least {minimum}")


def _is_bool(value) -> bool:
    return isinstance(value, (bool, np.bool_))


def plain(value):
    """A value as a message shows it: a NumPy scalar as the Python value it holds."""
    return value.item() if isinstance(value, np.generic) else value


def int_like(value, name: str, *, minimum: int | None = None) -> int:
    """`value` as an ``int`` (a whole float such as ``40.0`` is accepted; a boolean is not).

    Raises ``TypeError`` for a value that is not a whole number, ``ValueError`` below `minimum`.

    >>> int_like(40.0, "n_focal", minimum=0)
    40
    >>> int_like(-3, "n_focal", minimum=0)
    Traceback (most recent call last):
    ...
    ValueError: `n_focal` must be a non-negative integer; got -3.
    """
    rule = _integer_rule(minimum)
    whole = isinstance(value, numbers.Integral) or (
        isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer())
    if _is_bool(value) or not whole:
        raise TypeError(f"`{name}` must be {rule}; got {plain(value)!r}.")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` must be {rule}; got {value}.")
    return value


def float_like(value, name: str, *, allow_nan: bool = False, minimum: float | None = None) -> float:
    """`value` as a finite ``float`` (NaN too when `allow_nan`), at least `minimum` when given.

    >>> float_like(-3.0, "sd_focal", minimum=0)
    Traceback (most recent call last):
    ...
    ValueError: `sd_focal` must be a non-negative number; got -3.0.
    """
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a number; got {plain(value)!r}.")
    value = float(value)
    if math.isnan(value) and allow_nan:
        return value
    if not math.isfinite(value):
        raise ValueError(f"`{name}` must be finite; got {value}.")
    if minimum is not None and value < minimum:
        rule = "a non-negative number" if minimum == 0 else f"a number of at least {minimum}"
        raise ValueError(f"`{name}` must be {rule}; got {value}.")
    return value


def proportion_like(value, name: str, *, allow_nan: bool = False) -> float:
    """`value` as a ``float`` between 0 and 1; with `allow_nan`, NaN, ``None`` and ``pd.NA`` give NaN."""
    rule = f"`{name}` must be a proportion between 0 and 1; got"
    if allow_nan and (value is None or value is pd.NA):
        return math.nan
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"{rule} {plain(value)!r}.")
    value = float(value)
    if math.isnan(value) and allow_nan:
        return value
    if not 0 <= value <= 1:  # NaN fails too
        raise ValueError(f"{rule} {value!r}.")
    return value


def level_like(level, name: str = "level") -> float:
    """A confidence level strictly between 0 and 1."""
    level = float_like(level, name)
    if not 0 < level < 1:
        raise ValueError(f"`{name}` must be between 0 and 1; got {level}.")
    return level


def one_of(value, name: str, options: Iterable):
    """`value` if it is one of `options`.

    >>> one_of("score", "interval", ("newcombe", "wald"))
    Traceback (most recent call last):
    ...
    ValueError: `interval` ('score') not recognized; must be one of 'newcombe', 'wald'.
    """
    options = tuple(options)
    try:
        known = value in options
    except TypeError:  # an unhashable value against dict keys
        known = False
    if not known:
        allowed = ", ".join(repr(o) for o in options)
        raise ValueError(f"`{name}` ({value!r}) not recognized; must be one of {allowed}.")
    return value


def label_tuple(value) -> tuple:
    """A label or a sequence of labels, as a tuple (``None`` gives an empty tuple)."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes, bool, numbers.Number)):
        return (value,)
    return tuple(value)


# ---------------------------------------------------------------------------------------------
# Arrays: the same rules, naming the first bad element
# ---------------------------------------------------------------------------------------------

def _element(name: str, mask: np.ndarray) -> str:
    """``name[i]`` (or ``name[i, j]``) for the first element where `mask` holds."""
    index = np.unravel_index(int(np.argmax(mask)), mask.shape)
    return f"{name}[{', '.join(str(int(i)) for i in index)}]"


def _first(array: np.ndarray, mask: np.ndarray):
    return plain(array[np.unravel_index(int(np.argmax(mask)), mask.shape)])


def array_like(values, name: str, *, ndim: int = 1, kind: str = "number", minimum: int | None = None) -> np.ndarray:
    """`values` as a float array of `ndim` dimensions whose elements pass `int_like` or `float_like`.

    ``kind="integer"`` also checks that every element is a whole number of at least `minimum`;
    ``kind="number"`` checks only that each is a number (see `check_finite` for NaN and infinity).

    >>> array_like([40, 35, -1], "n_focal", kind="integer", minimum=0)
    Traceback (most recent call last):
    ...
    ValueError: `n_focal[2]` must be a non-negative integer; got -1.
    """
    try:
        out = np.asarray(values)
    except ValueError:  # ragged nested sequences
        raise ValueError(f"`{name}` must be a rectangular array; got rows of different lengths.") from None
    if out.ndim != ndim:
        shape = "1-D array" if ndim == 1 else "2-D array (comparisons x levels)"
        raise ValueError(f"`{name}` must be a {shape}; got {out.ndim} dimension(s).")
    integral = kind == "integer"
    wrong = f"be {_integer_rule(minimum)}" if integral else "be a number"
    if out.dtype.kind in "iuf":
        out = out.astype(float, copy=False)
    else:  # objects, booleans, strings, dates: look at each element as it was given
        elements = out if out.dtype.kind == "O" else np.asarray(values, dtype=object).reshape(out.shape)
        bad = np.frompyfunc(lambda v: _is_bool(v) or not isinstance(v, numbers.Real), 1, 1)(elements)
        bad = np.asarray(bad, dtype=bool)
        if bad.any():
            raise TypeError(f"`{_element(name, bad)}` must {wrong}; got {_first(elements, bad)!r}.")
        out = elements.astype(float)
    if integral:
        with np.errstate(invalid="ignore"):
            fraction = ~np.isfinite(out) | (out != np.floor(out))
        if fraction.any():
            raise TypeError(f"`{_element(name, fraction)}` must {wrong}; got {float(_first(out, fraction))!r}.")
        if minimum is not None:
            low = out < minimum
            if low.any():
                raise ValueError(f"`{_element(name, low)}` must {wrong}; got {int(_first(out, low))}.")
    return out


def check_finite(values: np.ndarray, name: str, *, allow_nan=None, minimum: float | None = None) -> None:
    """Raise naming the first element that is not finite (NaN allowed where `allow_nan` holds) or below `minimum`."""
    bad = ~np.isfinite(values)
    if allow_nan is not None:
        bad &= ~(np.isnan(values) & allow_nan)
    if bad.any():
        raise ValueError(f"`{_element(name, bad)}` must be finite; got {float(_first(values, bad))}.")
    if minimum is not None:
        low = values < minimum
        if low.any():
            rule = "a non-negative number" if minimum == 0 else f"a number of at least {minimum}"
            raise ValueError(f"`{_element(name, low)}` must be {rule}; got {float(_first(values, low))}.")


def check_proportions(values: np.ndarray, name: str) -> None:
    """Raise naming the first element that is not a proportion between 0 and 1."""
    with np.errstate(invalid="ignore"):
        bad = ~((values >= 0) & (values <= 1))
    if bad.any():
        raise ValueError(f"`{_element(name, bad)}` must be a proportion between 0 and 1; "
                         f"got {float(_first(values, bad))!r}.")


def check_at_most(values: np.ndarray, name: str, bound: np.ndarray, bound_name: str) -> None:
    """Raise naming the first element of `values` above the same element of `bound`."""
    over = values > bound
    if over.any():
        i = int(np.argmax(over))
        raise ValueError(f"`{name}[{i}]` must not exceed `{bound_name}[{i}]` ({int(bound[i])}); "
                         f"got {int(values[i])}.")


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------

def frame_like(value, name: str, *, what: str = "") -> pd.DataFrame:
    """`value` if it is a DataFrame; `what` says which kind (e.g. ``"a gap table"``)."""
    if not isinstance(value, pd.DataFrame):
        kind = f" ({what})" if what else ""
        raise TypeError(f"`{name}` must be a pandas DataFrame{kind}; got {type(value).__name__}.")
    return value


def check_columns(frame: pd.DataFrame, names: Iterable, name: str) -> None:
    """Raise naming every one of `names` that is not a column of `frame`, and the columns it has.

    >>> check_columns(pd.DataFrame({"grade": [3], "n": [30]}), ["school"], "dims")
    Traceback (most recent call last):
    ...
    ValueError: `dims` column 'school' is not in the table; columns are 'grade', 'n'.
    """
    missing = [c for c in names if c not in frame.columns]
    if missing:
        have = ", ".join(repr(c) for c in frame.columns)
        which = f"column {missing[0]!r} is" if len(missing) == 1 else \
            f"columns {', '.join(map(repr, missing))} are"
        raise ValueError(f"`{name}` {which} not in the table; columns are {have}.")


def column_list(value, name: str, frame: pd.DataFrame, *, allow_empty: bool = True) -> tuple:
    """A column name or a sequence of names, each a column of `frame` and none twice, as a tuple."""
    if isinstance(value, str):
        value = (value,)
    try:
        value = tuple(value)
    except TypeError:
        raise TypeError(f"`{name}` must be a sequence of column names; got {value!r}.") from None
    if not value and not allow_empty:
        raise ValueError(f"`{name}` must name at least one column; got an empty sequence.")
    check_columns(frame, value, name)
    if len(set(value)) != len(value):
        raise ValueError(f"`{name}` names a column twice; got {value!r}.")
    return value
