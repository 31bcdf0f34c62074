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
from gapkit.records import COLUMNS, PUBLISHED_COLUMNS


def _key(value: str) -> str:
    """Comparison key of a code: whole numbers lose a trailing ``.0``; case, spaces and punctuation are ignored."""
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d+\.0*", text):
        text = text.split(".")[0]
    return re.sub(r"[^0-9a-z]", "", text.casefold())


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
    sheet : str or int
        Excel sheet to read (default: the first).
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
    sheet: object = 0
    level_units: str = "count"
    layout: str = "long"
    source: str = "mapping"


_MAPPING_KEYS = ("columns", "codes", "missing", "sheet", "level_units", "layout")


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
        if name not in known and not LEVEL_COLUMN.fullmatch(str(name)):
            raise DataError(f"{source}: `codes` names {name!r}, which is not a gapkit column.", path=source)
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
        codes[name] = {_key(local): canonical for local, canonical in table.items()}
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
    return Mapping(columns={str(k): str(v) for k, v in columns.items()}, codes=codes, missing=missing,
                   sheet=mapping.get("sheet", 0), level_units=level_units, layout=layout, source=source)
