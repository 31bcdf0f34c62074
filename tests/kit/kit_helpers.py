"""Helpers for the kit tests: where the repository is, and reading a PDF's text independently."""
import io
from pathlib import Path

import pypdf

ROOT = Path(__file__).resolve().parents[2]


def pdf_text(data: bytes) -> str:
    """A PDF's text as pypdf extracts it, whitespace collapsed (an independent reader of what we wrote)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def words(text: str, n: int = 4) -> str:
    """The first `n` words of a piece of course text, Markdown emphasis removed."""
    return " ".join(text.replace("**", "").replace("*", "").split()[:n])
