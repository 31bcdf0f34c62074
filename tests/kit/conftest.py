"""The real repository's course and kit, and copies of them to break."""
import shutil

import pytest

from gapkit.content import load_course
from gapkit.kit import load_kit
from kit_helpers import ROOT


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
