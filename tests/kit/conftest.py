"""The real repository's course and kit, and copies of them to break."""
import io
import shutil
from pathlib import Path

import pypdf
import pytest

from gapkit.content import load_course
from gapkit.kit import load_kit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def course():
    return load_course(ROOT)


@pytest.fixture(scope="session")
def kit(course):
    return load_kit(ROOT, course=course)


@pytest.fixture
def repo_copy(tmp_path):
    """The course's text files (course config, modules, kit) copied to a folder a test may change."""
    for folder in ("course_config", "modules", "kit"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def pdf_text(data: bytes) -> str:
    """A PDF's text as pypdf extracts it, whitespace collapsed (an independent reader of what we wrote)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def words(text: str, n: int = 4) -> str:
    """The first `n` words of a piece of course text, Markdown emphasis removed."""
    return " ".join(text.replace("**", "").replace("*", "").split()[:n])
