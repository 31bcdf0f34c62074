"""How a school's file names its columns and codes: the mapping file, and the spellings understood without one.

A mapping (YAML, see ``course_config/mapping.example.yaml``) names a file's own columns and codes for
gapkit's canonical ones (`gapkit.records.COLUMNS` and ``PUBLISHED_COLUMNS``).
"""
from __future__ import annotations

import re
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from pathlib import Path

from gapkit.readers._raw import LEVEL_COLUMN, DataError
from gapkit.records import COLUMNS, PERFORMANCE_LEVELS, PROFICIENT_LEVEL, PUBLISHED_COLUMNS


def _key(value: str) -> str:
    """Comparison key of a code: whole numbers lose a trailing ``.0``; case, spaces and punctuation are ignored."""
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d+\.0*", text):
        text = text.split(".")[0]
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _marker_key(text) -> str:
    """Comparison key of a marker in a number cell ("--", "*", "< 5%"): case and spaces ignored, nothing else."""
    return re.sub(r"\s+", "", str(text).casefold())


def _aliases(table: dict) -> dict[str, object]:
    return {_key(spelling): canonical for canonical, spellings in table.items() for spelling in spellings}


#: Spellings understood without a mapping file. Ambiguous ones (an EL flag of Y/N, "Non-EL") need a mapping.
BUILTIN_CODES = {
    "el_status": _aliases({
        "EL": ["EL", "ELL", "LEP", "English Learner", "English Language Learner", "Limited English Proficient",
               "Current EL", "EB", "Emergent Bilingual", "ML", "Multilingual Learner"],
        "RFEP": ["RFEP", "R-FEP", "Reclassified", "Reclassified Fluent English Proficient", "Former EL",
                 "Former ELL", "Former English Learner", "FEL"],
        "IFEP": ["IFEP", "I-FEP", "Initially Fluent", "Initially Fluent English Proficient"],
        "EO": ["EO", "English Only"],
    }),
    "race_ethnicity": _aliases({
        "Hispanic/Latino": ["Hispanic/Latino", "Hispanic", "Latino", "Latina", "Latinx", "Hispanic or Latino"],
        "American Indian/Alaska Native": ["American Indian/Alaska Native", "American Indian",
                                          "American Indian or Alaska Native", "Native American", "AI/AN"],
        "Asian": ["Asian"],
        "Black/African American": ["Black/African American", "Black", "African American",
                                   "Black or African American"],
        "Native Hawaiian/Pacific Islander": ["Native Hawaiian/Pacific Islander", "Native Hawaiian",
                                             "Pacific Islander", "Native Hawaiian or Other Pacific Islander",
                                             "NHPI"],
        "White": ["White"],
        "Two or more races": ["Two or more races", "Two or more", "Multiracial", "Multi-racial", "Two+"],
    }),
    "gender": _aliases({"F": ["F", "Female"], "M": ["M", "Male"], "X": ["X", "Nonbinary", "Non-binary"]}),
    "school_level": _aliases({
        "elementary": ["elementary", "elem", "ES"], "middle": ["middle", "MS", "junior high"],
        "high": ["high", "HS", "high school"],
    }),
    "subject": _aliases({
        "math": ["math", "mathematics", "maths"],
        "ela": ["ela", "English language arts", "ELA/literacy", "reading", "English"],
    }),
}
BOOLEAN_CODES = _aliases({True: ["Y", "Yes", "1", "True", "T"], False: ["N", "No", "0", "False", "F"]})

#: Published number columns whose markers a mapping may give a meaning (``codes: n_tested: {"--": 0}``).
NUMBER_MARKER_COLUMNS = ("n_tested", "n_scored", "levels", "mean_scale_score", "percent_proficient")
#: What a marker may mean besides a number: hidden by the source, or not reported at all.
MARKER_MEANINGS = ("suppressed", "missing")

#: Cells read as missing (compared after stripping spaces, ignoring case).
MISSING = frozenset({"", "na", "n/a", "null", "none", "nan", "#n/a"})
#: Markers a report card uses for a number it does not show.
SUPPRESSED = {_key(v) for v in ("*", "**", "***", "N/A", "NA", "--", "-", "PS", "S", "DS", "n<10", "suppressed",
                                 "NR", "†", "‡")}

@dataclass(frozen=True)
class Mapping:
    """How a local file names its columns and codes.

    Attributes
    ----------
    columns : dict
        Canonical column -> the file's column name.
    codes : dict
        Canonical column -> {local code: canonical value}. Local codes are matched ignoring case,
        spaces and punctuation.
    missing : tuple of str
        Extra cell values that mean "missing" in this file.
    sheet : str, int or None
        Excel sheet to read (None: the only sheet with data; a workbook with several is refused).
    header_row : int
        The spreadsheet row of the header (rows above it, such as a title, are left out).
    footer : tuple of str
        Footnotes start at the first row whose first filled cell starts with one of these texts; that row
        and every row after it are left out (and counted in the data-quality summary).
    decimal, thousands : str or None
        How numbers are written (``decimal: ","`` for ``2450,5``); None: found from the file's own cells,
        and a file whose cells could be read either way is refused.
    ranges : dict
        Number column -> (lowest, highest) plausible value (scale scores: ``math_scale: [2100, 2900]``).
    performance_levels : int or None
        How many performance levels the test has (None: 4, the default, assumed with a warning).
    proficient : int or None
        The lowest level that counts as proficient (None: 3, assumed with a warning).
    denominator : {'tested', 'scored'}
        Published files: whether the level counts add up to ``n_tested`` or to ``n_scored`` (students
        with a score).
    constants : dict
        Canonical column -> one value for every row, for a file that lacks the column (``year: 2024``).
    level_units : {'count', 'percent'}
        Published files: whether ``level_<k>`` columns hold counts or percents of ``n_tested``.
    layout : str
        Published files: how the rows are laid out, a key of `gapkit.readers.published.LAYOUTS`
        (``'long'``: one row per cell and student group).
    source : str
        Where the mapping came from (for messages).
    """

    columns: dict = field(default_factory=dict)
    codes: dict = field(default_factory=dict)
    missing: tuple = ()
    sheet: object = None
    level_units: str = "count"
    layout: str = "long"
    source: str = "mapping"
    header_row: int = 1
    footer: tuple = ()
    decimal: str | None = None
    thousands: str | None = None
    ranges: dict = field(default_factory=dict)
    performance_levels: int | None = None
    proficient: int | None = None
    denominator: str = "tested"
    constants: dict = field(default_factory=dict)
    wide: dict = field(default_factory=dict)

    @property
    def levels(self) -> int:
        """How many performance levels (`gapkit.records.PERFORMANCE_LEVELS` unless the mapping says)."""
        return self.performance_levels or len(PERFORMANCE_LEVELS)

    @property
    def proficient_level(self) -> int:
        """The lowest proficient level (`gapkit.records.PROFICIENT_LEVEL` unless the mapping says)."""
        return self.proficient or PROFICIENT_LEVEL


_MAPPING_KEYS = ("columns", "codes", "missing", "sheet", "level_units", "layout", "header_row", "footer",
                 "decimal", "thousands", "ranges", "performance_levels", "proficient", "denominator", "constants",
                 "wide")
#: How a number may be written: the decimal mark and the thousands separator (None: none).
DECIMAL_MARKS = (".", ",")
THOUSANDS_MARKS = (",", ".", " ", "'", None)


def read_mapping(mapping) -> Mapping:
    """Read a mapping from a YAML file (path) or a dict with the same keys; ``None`` gives the empty mapping.

    Raises
    ------
    DataError
        The file is missing or not YAML, or a key or canonical name is unknown.
    """
    if mapping is None:
        return Mapping()
    if isinstance(mapping, Mapping):
        return mapping
    source = "mapping"
    if isinstance(mapping, (str, Path)):
        import yaml

        path = Path(mapping)
        source = path.name
        if not path.is_file():
            raise DataError(f"{path}: mapping file not found.", path=path)
        try:
            mapping = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
        except yaml.YAMLError as error:
            raise DataError(f"{path.name}: not a readable YAML mapping file ({error}).", path=path) from None
        except UnicodeDecodeError:
            raise DataError(f"{path.name}: the mapping file must be saved as UTF-8 text.", path=path) from None
    if not isinstance(mapping, MappingABC):
        raise DataError(f"{source}: a mapping must be a set of keys ({', '.join(_MAPPING_KEYS)}); "
                        f"got {type(mapping).__name__}.", path=source)
    unknown = [k for k in mapping if k not in _MAPPING_KEYS]
    if unknown:
        raise DataError(f"{source}: unknown key(s) {', '.join(map(repr, unknown))}; "
                        f"a mapping has: {', '.join(_MAPPING_KEYS)}.", path=source)
    known = tuple(dict.fromkeys([*COLUMNS, *PUBLISHED_COLUMNS]))
    columns = dict(mapping.get("columns") or {})
    for name, local in columns.items():
        if name not in known and not LEVEL_COLUMN.fullmatch(str(name)):
            raise DataError(f"{source}: `columns` names {name!r}, which is not a gapkit column; "
                            f"gapkit columns are: {', '.join(known)}, level_1, level_2, ...", path=source)
        if not isinstance(local, (str, int)):
            raise DataError(f"{source}: `columns.{name}` must be the name of a column in your file; "
                            f"got {local!r}.", path=source)
    codes = {}
    for name, table in (mapping.get("codes") or {}).items():
        if name not in (*known, "levels") and not LEVEL_COLUMN.fullmatch(str(name)):
            raise DataError(f"{source}: `codes` names {name!r}, which is not a gapkit column (`levels` means every "
                            f"level column).", path=source)
        if not isinstance(table, MappingABC):
            raise DataError(f"{source}: `codes.{name}` must map local codes to gapkit codes, one per line "
                            f"(e.g. LEP: EL); got {table!r}.", path=source)
        column = COLUMNS.get(name)
        allowed = column.codes if column is not None and column.kind == "code" else None
        for local, canonical in table.items():
            if allowed is not None and canonical not in allowed:
                raise DataError(f"{source}: `codes.{name}` maps {local!r} to {canonical!r}; gapkit's codes for "
                                f"{name} are: {', '.join(map(str, allowed))}.", path=source)
            if column is not None and column.kind == "yes/no" and not isinstance(canonical, bool):
                raise DataError(f"{source}: `codes.{name}` maps {local!r} to {canonical!r}; it must be true or "
                                f"false.", path=source)
            if name in NUMBER_MARKER_COLUMNS and not (canonical in MARKER_MEANINGS or (
                    isinstance(canonical, (int, float)) and not isinstance(canonical, bool) and canonical >= 0)):
                raise DataError(f"{source}: `codes.{name}` maps {local!r} to {canonical!r}; a marker in a count or "
                                f"percent column means a number (such as 0) or one of: "
                                f"{', '.join(MARKER_MEANINGS)}.", path=source)
        marker = name in NUMBER_MARKER_COLUMNS or LEVEL_COLUMN.fullmatch(str(name))
        codes[name] = {(_marker_key(local) if marker else _key(local)): canonical for local, canonical in table.items()}
    level_units = mapping.get("level_units", "count")
    if level_units not in ("count", "percent"):
        raise DataError(f"{source}: `level_units` ({level_units!r}) not recognized; must be 'count' or "
                        f"'percent'.", path=source)
    layout = mapping.get("layout", "long")
    from gapkit.readers.published import LAYOUTS  # the layouts live with the published reader

    if layout not in LAYOUTS:
        raise DataError(f"{source}: `layout` ({layout!r}) not recognized; must be one of "
                        f"{', '.join(map(repr, LAYOUTS))}.", path=source)
    missing = tuple(str(v) for v in (mapping.get("missing") or ()))
    options = _options_iv(mapping, source, known)
    return Mapping(columns={str(k): str(v) for k, v in columns.items()}, codes=codes, missing=missing,
                   sheet=mapping.get("sheet"), level_units=level_units, layout=layout, source=source, **options)


def _options_iv(mapping, source, known) -> dict:
    """The mapping's options about rows, numbers and levels, checked."""
    def fail(message):
        raise DataError(f"{source}: {message}", path=source)

    def whole(key, low):
        value = mapping.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            fail(f"`{key}` must be a whole number, {low} or more; got {value!r}.")
        return value

    sheet = mapping.get("sheet")
    if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, (str, int))):
        fail(f"`sheet` must be a sheet's name or its number (0 for the first); got {sheet!r}.")
    footer = mapping.get("footer") or ()
    footer = (footer,) if isinstance(footer, str) else footer
    if not isinstance(footer, (list, tuple)) or not all(isinstance(f, str) and f.strip() for f in footer):
        fail(f"`footer` must be a text, or a list of texts, that footnote rows start with; got {footer!r}.")
    decimal, thousands = mapping.get("decimal"), mapping.get("thousands", "unset")
    if decimal is not None and decimal not in DECIMAL_MARKS:
        fail(f"`decimal` ({decimal!r}) not recognized; must be '.' or ','.")
    if thousands != "unset" and thousands not in THOUSANDS_MARKS:
        fail(f"`thousands` ({thousands!r}) not recognized; must be ',', '.', ' ', \"'\" or null (none).")
    if decimal is not None and thousands == decimal:
        fail(f"`decimal` and `thousands` are both {decimal!r}.")
    if decimal is not None and thousands == "unset":
        thousands = {".": ",", ",": "."}[decimal]
    ranges = {}
    for name, bounds in (mapping.get("ranges") or {}).items():
        if name not in ("math_scale", "ela_scale", "mean_scale_score"):
            fail(f"`ranges` names {name!r}; ranges are for math_scale, ela_scale and mean_scale_score.")
        if not (isinstance(bounds, (list, tuple)) and len(bounds) == 2
                and all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds)
                and bounds[0] < bounds[1]):
            fail(f"`ranges.{name}` must be [lowest, highest] plausible value; got {bounds!r}.")
        ranges[name] = (float(bounds[0]), float(bounds[1]))
    levels, proficient = whole("performance_levels", 2), whole("proficient", 1)
    if levels is not None and levels > 9:
        fail(f"`performance_levels` ({levels}) must be 9 or fewer.")
    if proficient is not None and proficient > (levels or len(PERFORMANCE_LEVELS)):
        fail(f"`proficient` ({proficient}) is above the highest performance level "
             f"({levels or len(PERFORMANCE_LEVELS)}); set "
             f"`performance_levels` too.")
    denominator = mapping.get("denominator", "tested")
    if denominator not in ("tested", "scored"):
        fail(f"`denominator` ({denominator!r}) not recognized; must be 'tested' (level counts add up to n_tested) "
             f"or 'scored' (they add up to n_scored, the students with a score).")
    constants = dict(mapping.get("constants") or {})
    for name, value in constants.items():
        if name not in ("year", "grade", "subject", "school_id", "school_name"):
            fail(f"`constants` names {name!r}; constants are for year, grade, subject, school_id and "
                 f"school_name.")
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            fail(f"`constants.{name}` must be one value (such as 2024); got {value!r}.")
    wide = mapping.get("wide") or {}
    if not isinstance(wide, MappingABC):
        fail(f"`wide` must be a set of keys (groups, measures); got {wide!r}.")
    return dict(header_row=whole("header_row", 1) or 1, footer=tuple(f.strip() for f in footer), decimal=decimal,
                thousands=None if thousands == "unset" else (thousands or ""), ranges=ranges, performance_levels=levels,
                proficient=proficient, denominator=denominator,
                constants={k: str(v) for k, v in constants.items()}, wide=dict(wide))
