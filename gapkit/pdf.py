"""Printable PDFs: a small document model, rendered with fpdf2 and a Unicode font.

A document is a title and a list of parts (`Heading`, `Paragraph`, `Bullets`, `Table`,
`WritingSpace`, `PageBreak`). `markdown_parts` turns course Markdown (headings, paragraphs,
lists, tables, block quotes) into parts, so anything the kit already writes as Markdown (a
module's objectives, a participant's reflections, an action plan) prints the same way.
`render` lays the parts out on Letter or A4 pages and returns the PDF's bytes.

Text is set in DejaVu Sans, which matplotlib ships, so every character the course uses prints
(em dashes, "Castañeda", Spanish and other Latin-script languages, check boxes). Inline Markdown
keeps ``**bold**`` and ``*italic*``; other markup is printed as plain text.

A PDF records `source_digest` (a digest of what was printed) in its keywords: `pdf_digest` reads
it back, so a build can tell whether a committed PDF is out of date without comparing bytes
that change with the fpdf2 version.

Examples
--------
>>> data = render([Heading("Equity lens"), Bullets(("Who benefits?", "Who is missing?"))],
...               title="Equity-lens card")
>>> data[:5]
b'%PDF-'
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from gapkit._validation import one_of

__all__ = ["PAGE_SIZES", "Heading", "Paragraph", "Bullets", "Table", "WritingSpace", "PageBreak",
           "markdown_parts", "render", "source_digest", "pdf_digest", "font_path"]

#: Paper sizes `render` accepts.
PAGE_SIZES = ("letter", "a4")

_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf",
               "BI": "DejaVuSans-BoldOblique.ttf"}
_FAMILY = "DejaVu"
_BODY = 10.5            # body text size, points
_HEADINGS = {1: 17, 2: 13.5, 3: 11.5}
_LINE = 1.45            # line height as a multiple of the font size
_ACCENT = (0, 90, 140)  # headings: dark blue, 7:1 contrast on white
_RULE = (150, 150, 150)
_DIGEST_TAG = "gapkit-source-digest:"


@dataclass(frozen=True)
class Heading:
    """A heading; level 1 (a section), 2 or 3."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text with inline ``**bold**`` and ``*italic*``; ``quote`` indents it."""

    text: str
    quote: bool = False


@dataclass(frozen=True)
class Bullets:
    """A list; ``numbered`` for 1., 2., ...; ``boxes`` puts a tick box before each item."""

    items: tuple[str, ...]
    numbered: bool = False
    boxes: bool = False


@dataclass(frozen=True)
class Table:
    """A table with a header row (none when `header` is empty); empty cells are room to write.

    ``widths`` are relative column widths (default equal); ``row_height`` is the least height
    of a body row in millimetres (room to write by hand).
    """

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] | None = None
    row_height: float = 0


@dataclass(frozen=True)
class WritingSpace:
    """A label followed by ruled lines to write on."""

    label: str
    lines: int = 4


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


PART_TYPES = (Heading, Paragraph, Bullets, Table, WritingSpace, PageBreak)


@lru_cache(maxsize=1)
def _font_folder() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def font_path(style: str = "") -> Path:
    """The DejaVu Sans file for `style` (``""``, ``"B"``, ``"I"`` or ``"BI"``), from matplotlib."""
    one_of(style, "style", _FONT_FILES)
    return _font_folder() / _FONT_FILES[style]


# ---------------------------------------------------------------------------------------------
# Markdown to parts
# ---------------------------------------------------------------------------------------------

def _inline(tokens) -> str:
    """Inline mistune tokens as text with ``**bold**`` and ``*italic*`` kept."""
    out = []
    for t in tokens or ():
        kind = t["type"]
        if kind in ("text", "codespan", "inline_html"):
            out.append(t.get("raw", ""))
        elif kind == "strong":
            out.append(f"**{_inline(t['children'])}**")
        elif kind == "emphasis":
            out.append(f"*{_inline(t['children'])}*")
        elif kind in ("softbreak", "linebreak"):
            out.append(" ")
        elif kind == "link":
            label = _inline(t["children"])
            url = t.get("attrs", {}).get("url", "")
            out.append(label if not url or url == label else f"{label} ({url})")
        else:
            out.append(_inline(t.get("children")) or t.get("raw", ""))
    return "".join(out)


def _block_text(token) -> str:
    """The text of a block token (a paragraph, or a list item's paragraphs)."""
    if token["type"] in ("paragraph", "block_text", "heading"):
        return _inline(token.get("children"))
    return " ".join(_block_text(c) for c in token.get("children") or ())


def _parts_of(tokens, *, quote=False):
    parts = []
    for t in tokens:
        kind = t["type"]
        if kind == "heading":
            parts.append(Heading(_inline(t["children"]), min(max(t["attrs"]["level"] - 1, 1), 3)))
        elif kind == "paragraph":
            parts.append(Paragraph(_inline(t["children"]), quote=quote))
        elif kind == "list":
            items = tuple(_block_text(item) for item in t["children"])
            parts.append(Bullets(items, numbered=bool(t["attrs"].get("ordered"))))
        elif kind == "table":
            head = next(c for c in t["children"] if c["type"] == "table_head")
            body = next((c for c in t["children"] if c["type"] == "table_body"), {"children": []})
            header = tuple(_inline(cell["children"]) for cell in head["children"])
            rows = tuple(tuple(_inline(cell["children"]) for cell in row["children"]) for row in body["children"])
            parts.append(Table(header, rows))
        elif kind == "block_quote":
            parts += _parts_of(t["children"], quote=True)
        elif kind == "block_code":
            parts.append(Paragraph(t.get("raw", "").rstrip(), quote=True))
        elif kind == "thematic_break":
            continue
        elif t.get("children"):
            parts += _parts_of(t["children"], quote=quote)
    return parts


def markdown_parts(markdown: str) -> list:
    """Course Markdown as document parts.

    Headings become `Heading` (``#`` and ``##`` level 1, ``###`` level 2, deeper level 3),
    paragraphs `Paragraph`, lists `Bullets`, pipe tables `Table`, and block quotes indented
    paragraphs. Bold and italic are kept; links print their label (and address when it differs).

    >>> markdown_parts("## Key points\\n\\n- Gaps are **reference minus focal**.")
    [Heading(text='Key points', level=1), Bullets(items=('Gaps are **reference minus focal**.',), numbered=False, boxes=False)]
    """
    if not isinstance(markdown, str):
        raise TypeError(f"`markdown` must be a string; got {type(markdown).__name__}.")
    import mistune

    parse = mistune.create_markdown(renderer=None, plugins=["table", "strikethrough"])
    return _parts_of(parse(markdown))


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------

def source_digest(parts, *, title: str, subtitle: str = "", footer: str = "") -> str:
    """A digest of what a document prints: equal digests, equal text and layout instructions."""
    payload = {"title": title, "subtitle": subtitle, "footer": footer,
               "parts": [[type(p).__name__, asdict(p)] for p in parts]}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def pdf_digest(data: bytes) -> str | None:
    """The `source_digest` a PDF made by `render` records, or ``None`` for any other file."""
    m = re.search(rb"gapkit-source-digest:([0-9a-f]{16})", data)
    return m.group(1).decode() if m else None


def _render_iv(parts, title, page_size):
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"`title` must be a non-empty string; got {title!r}.")
    one_of(page_size, "page_size", PAGE_SIZES)
    parts = list(parts)
    bad = [i for i, p in enumerate(parts) if not isinstance(p, PART_TYPES)]
    if bad:
        raise TypeError(f"`parts` item {bad[0]} is a {type(parts[bad[0]]).__name__}; each part must be one of "
                        f"{', '.join(t.__name__ for t in PART_TYPES)}.")
    return parts


_ESCAPES = re.compile(r"(\\|__|--|~~)")


def _fpdf_markdown(text: str) -> str:
    """Our inline Markdown (``**b**``, ``*i*``) in fpdf2's dialect (``**b**``, ``__i__``), other markers escaped."""
    text = " ".join(str(text).split())
    text = _ESCAPES.sub(lambda m: "\\" + m.group(1) if m.group(1) != "\\" else "\\\\", text)
    return re.sub(r"(?<![*\w])\*(?!\*)(\S(?:.*?\S)?)\*(?![*\w])", r"__\1__", text)


class _Doc:
    def __init__(self, *, title, subtitle, footer, page_size, digest, styles):
        from fpdf import FPDF

        pdf = FPDF(orientation="portrait", unit="mm", format=page_size)
        # Reading a font face takes about half a second: load the italic faces only when used.
        for style in styles:
            pdf.add_font(_FAMILY, style, str(font_path(style)))
        pdf.set_margins(18, 16, 18)
        pdf.set_auto_page_break(True, margin=18)
        pdf.set_title(title)
        pdf.set_author("gapkit course kit")
        pdf.set_creator("gapkit")
        pdf.set_keywords(f"{_DIGEST_TAG}{digest}")
        # A fixed date keeps the file the same from one build to the next.
        pdf.set_creation_date(_dt.datetime(2025, 1, 1, tzinfo=_dt.timezone.utc))
        footer_text = footer

        def _footer():
            pdf.set_y(-12)
            pdf.set_font(_FAMILY, "", 8)
            pdf.set_text_color(80, 80, 80)
            left = footer_text or title
            pdf.cell(0, 5, left, align="L")
            pdf.set_x(pdf.l_margin)
            pdf.cell(0, 5, f"Page {pdf.page_no()} of {{nb}}", align="R")

        pdf.footer = _footer
        self.pdf = pdf
        pdf.add_page()
        pdf.set_font(_FAMILY, "B", 19)
        pdf.set_text_color(*_ACCENT)
        pdf.multi_cell(0, 8.5, title, align="L", new_x="LMARGIN", new_y="NEXT")
        if subtitle:
            pdf.set_font(_FAMILY, "", 11)
            pdf.set_text_color(60, 60, 60)
            pdf.multi_cell(0, 6, _fpdf_markdown(subtitle), markdown=True, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(*_ACCENT)
        pdf.set_line_width(0.6)
        pdf.ln(1.5)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(3)
        self.body()

    def body(self, size=_BODY, style=""):
        self.pdf.set_font(_FAMILY, style, size)
        self.pdf.set_text_color(20, 20, 20)
        self.pdf.set_draw_color(*_RULE)
        self.pdf.set_line_width(0.2)

    def line_height(self, size=_BODY):
        return size * _LINE * 0.3528  # points to millimetres

    def heading(self, part: Heading):
        pdf = self.pdf
        size = _HEADINGS[min(max(part.level, 1), 3)]
        # Keep a heading with at least a few lines of what follows it.
        if pdf.get_y() + 30 > pdf.page_break_trigger:
            pdf.add_page()
        pdf.ln(2.5 if part.level > 1 else 4)
        pdf.set_font(_FAMILY, "B", size)
        pdf.set_text_color(*_ACCENT)
        pdf.multi_cell(0, self.line_height(size) * 0.9, _fpdf_markdown(part.text).replace("**", ""), markdown=True,
                       align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        self.body()

    def paragraph(self, part: Paragraph):
        pdf = self.pdf
        if part.quote:
            pdf.set_x(pdf.l_margin + 6)
        width = pdf.w - pdf.r_margin - pdf.get_x()
        pdf.multi_cell(width, self.line_height(), _fpdf_markdown(part.text), markdown=True, align="L",
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.8)

    def bullets(self, part: Bullets):
        pdf = self.pdf
        indent = 7
        for i, item in enumerate(part.items, start=1):
            marker = "☐" if part.boxes else (f"{i}." if part.numbered else "•")
            y = pdf.get_y()
            if y + self.line_height() > pdf.page_break_trigger:
                pdf.add_page()
            pdf.set_x(pdf.l_margin)
            pdf.set_font(_FAMILY, "B" if part.numbered else "", _BODY + (2 if part.boxes else 0))
            pdf.cell(indent, self.line_height(), marker)
            self.body()
            pdf.multi_cell(pdf.w - pdf.r_margin - pdf.get_x(), self.line_height(), _fpdf_markdown(item),
                           markdown=True, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(0.8)
        pdf.ln(1.5)

    def table(self, part: Table):
        pdf = self.pdf
        from fpdf.fonts import FontFace

        ncols = len(part.header) or max((len(r) for r in part.rows), default=1)
        widths = part.widths or (1,) * ncols
        self.body(9.5)
        pdf.set_draw_color(110, 110, 110)
        head = FontFace(emphasis="BOLD", color=(20, 20, 20), fill_color=(228, 236, 244))
        with pdf.table(col_widths=widths, headings_style=head, line_height=self.line_height(9.5),
                       text_align="LEFT", markdown=True, padding=1.6,
                       first_row_as_headings=bool(part.header), repeat_headings=1) as table:
            if part.header:
                row = table.row()
                for cell in part.header:
                    row.cell(_fpdf_markdown(cell))
            for values in part.rows:
                cells = list(values) + [""] * (ncols - len(values))
                row = table.row(min_height=part.row_height or None)
                for cell in cells[:ncols]:
                    row.cell(_fpdf_markdown(cell))
        pdf.ln(3)
        self.body()

    def writing_space(self, part: WritingSpace):
        pdf = self.pdf
        gap = 8
        needed = self.line_height() + gap * min(part.lines, 3)
        if pdf.get_y() + needed > pdf.page_break_trigger:
            pdf.add_page()
        self.body(_BODY, "B")
        pdf.multi_cell(0, self.line_height(), _fpdf_markdown(part.label), markdown=True, align="L",
                       new_x="LMARGIN", new_y="NEXT")
        self.body()
        for _ in range(part.lines):
            if pdf.get_y() + gap > pdf.page_break_trigger:
                pdf.add_page()
            y = pdf.get_y() + gap
            pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
            pdf.set_y(y)
        pdf.ln(4)


def _styles(parts, subtitle) -> tuple[str, ...]:
    """The font faces a document needs: regular and bold always, the italic ones when some text has italics."""
    texts = [subtitle]
    for p in parts:
        if isinstance(p, (Heading, Paragraph, WritingSpace)):
            texts.append(getattr(p, "text", "") or getattr(p, "label", ""))
        elif isinstance(p, Bullets):
            texts += p.items
        elif isinstance(p, Table):
            texts += [*p.header, *(c for row in p.rows for c in row)]
    italic = any(p.quote for p in parts if isinstance(p, Paragraph)) or \
        any("__" in _fpdf_markdown(t).replace("\\__", "") for t in texts)
    return ("", "B", "I", "BI") if italic else ("", "B")


def render(parts, *, title: str, subtitle: str = "", footer: str = "", page_size: str = "letter",
           path=None) -> bytes:
    """Lay out a document and return the PDF's bytes (written to `path` too when given).

    Parameters
    ----------
    parts : sequence of Heading, Paragraph, Bullets, Table, WritingSpace or PageBreak
        The document, in order (see `markdown_parts` for Markdown).
    title : str
        Printed at the top of the first page and in the PDF's metadata.
    subtitle : str, optional
        A line under the title (e.g. the course and cohort).
    footer : str, optional
        The left side of every page's footer (default: the title); page numbers are on the right.
    page_size : {'letter', 'a4'}, optional
        Paper size (default Letter, the size schools in the United States print on).
    path : path-like, optional
        Where to write the file. The folder must exist.

    Returns
    -------
    bytes
        The PDF. It records `source_digest` of its input (read back with `pdf_digest`).
    """
    parts = _render_iv(parts, title, page_size)
    digest = source_digest(parts, title=title, subtitle=subtitle, footer=footer)
    doc = _Doc(title=title, subtitle=subtitle, footer=footer, page_size=page_size, digest=digest,
               styles=_styles(parts, subtitle))
    draw = {Heading: doc.heading, Paragraph: doc.paragraph, Bullets: doc.bullets, Table: doc.table,
            WritingSpace: doc.writing_space}
    for part in parts:
        if isinstance(part, PageBreak):
            doc.pdf.add_page()
        else:
            draw[type(part)](part)
    data = bytes(doc.pdf.output())
    if path is not None:
        Path(path).write_bytes(data)
    return data
