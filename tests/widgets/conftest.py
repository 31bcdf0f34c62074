"""A tiny course written to a temporary folder, loaded with the real loader."""
import textwrap

import pytest

from gapkit.content import load_course

COURSE_YAML = """\
schema_version: 1
title: Tiny course
cohort: Test cohort
min_n: 10
dataset: datasets/sample_district/students.csv
modules:
  - 01-tiny
"""

MODULE = """\
---
schema_version: 1
id: 01-tiny
title: A tiny module
domain: Foundations
minutes:
  teaching: 10
  exercises: 5
sources:
  - title: A test source
    organisation: Test organisation
---

::: objectives
- Say what a gap is.
:::

::: text
## A heading in the text

Some **bold** text.
:::

::: instructor
SECRET FACILITATOR NOTE: do not show participants.
:::

::: reflection
id: t-reflect
prompt: >-
  What gap worries you most?
guiding_questions:
  - Which students?
graded: true
points: 2
rubric:
  - name: Evidence
    points: 2
    levels:
      2: Specific evidence.
      0: None.
:::

::: check
id: t-single
question: A gap of +5 (reference minus focal) means?
type: single
options:
  - text: The focal group is behind.
    correct: true
    explanation: Positive means the focal group is behind.
  - text: The focal group is ahead.
    correct: false
    explanation: That would be a negative gap.
:::

::: check
id: t-multi
question: Which are EL groups?
type: multiple
options:
  - text: Former EL
    correct: true
    explanation: Reclassified students are former ELs.
  - text: Ever EL
    correct: true
    explanation: Current plus former ELs.
  - text: English only
    correct: false
    explanation: They were never ELs.
:::

::: keypoints
- Gaps are reference minus focal.
:::
"""


@pytest.fixture(scope="session")
def tiny_course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    (root / "course_config").mkdir()
    (root / "modules").mkdir()
    (root / "course_config" / "course.yaml").write_text(COURSE_YAML, encoding="utf-8")
    (root / "modules" / "01-tiny.md").write_text(textwrap.dedent(MODULE), encoding="utf-8")
    return load_course(root)


@pytest.fixture
def headless(monkeypatch):
    """As nbgrader or papermill run a notebook: no front end."""
    monkeypatch.setenv("GAPKIT_DISPLAY", "markdown")


@pytest.fixture
def live(monkeypatch):
    monkeypatch.setenv("GAPKIT_DISPLAY", "widget")
