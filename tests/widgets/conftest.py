"""A tiny course written to a temporary folder, loaded with the real loader."""
import textwrap

import pytest

from gapkit.content import load_course

COURSE_YAML = """\
schema_version: 2
title: Tiny course
cohort: Test cohort
min_n: 10
dataset: datasets/sample_district/students.csv
tracks:
  - id: tiny
    title: Tiny track
    audience: testers
    assignment_prefix: t
    description: A track of one module.
    objectives: [Test the widgets.]
    modules:
      - 01-tiny
"""

MODULE = """\
---
schema_version: 2
id: 01-tiny
title: A tiny module
domain: Foundations
sources:
  - title: A test source
    organisation: Test organisation
---

::: objectives
- Say what a gap is.
:::

::: text minutes=10
## A heading in the text

Some **bold** text.
:::

::: instructor
SECRET FACILITATOR NOTE: do not show participants.
:::

::: reflection minutes=3
id: t-reflect
prompt: >-
  What gap worries you most?
guiding_questions:
  - Which students?
graded: true
points: 2
pass: 1
rubric:
  - name: Evidence
    points: 2
    levels:
      2: {descriptor: Specific evidence., anchor: "Grade 5 ELs, 21% proficient."}
      0: {descriptor: None., anchor: "(Nothing.)"}
:::

::: check minutes=1
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

::: check minutes=1
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

::: practice
intro: Two exercises answered in a box.
:::

::: task minutes=2
id: gap-number
points: 1
name: gap_points
text: What is the gap, in points?
input: number
unit: percentage points
model: 12
tests: |-
  assert gap_points is not None, "Give the gap."
hidden_tests: |-
  assert abs(gap_points - 12) < 0.5, "Not the gap."
:::

::: task minutes=2
id: gap-choice
points: 1
name: gap_reading
text: Which reading is right?
input: choice
options:
  - The focal group is behind.
  - The focal group is ahead.
model: A
tests: |-
  assert gap_reading in ("A", "B"), "Choose A or B."
hidden_tests: |-
  assert gap_reading == "A", "Look at the sign."
reason:
  id: t-why
  prompt: Why is that the right reading?
  points: 1
  pass: 1
  rubric:
    - name: Reason
      points: 1
      levels:
        1: {descriptor: Names the convention., anchor: "Reference minus focal is positive."}
        0: {descriptor: No reason., anchor: "(None.)"}
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


TWO_TRACKS = """\
schema_version: 2
title: Two tracks
cohort: Test cohort
min_n: 10
dataset: datasets/sample_district/students.csv
tracks:
  - id: first
    title: First track
    audience: leaders
    assignment_prefix: m
    description: The first.
    objectives: [Lead.]
    modules: [00-intro, 01-tiny]
  - id: second
    title: Second track
    audience: teachers
    assignment_prefix: e
    description: The second.
    objectives: [Teach.]
    modules: [01-tiny]
"""


@pytest.fixture(scope="session")
def two_tracks(tmp_path_factory):
    root = tmp_path_factory.mktemp("two")
    (root / "course_config").mkdir()
    (root / "modules").mkdir()
    (root / "course_config" / "course.yaml").write_text(TWO_TRACKS, encoding="utf-8")
    (root / "modules" / "01-tiny.md").write_text(textwrap.dedent(MODULE), encoding="utf-8")
    intro = textwrap.dedent(MODULE).replace("id: 01-tiny", "id: 00-intro").replace("title: A tiny module",
                                                                                 "title: An intro")
    for old in ("t-reflect", "t-single", "t-multi", "t-why"):
        intro = intro.replace(f"id: {old}", f"id: intro-{old}")
    (root / "modules" / "00-intro.md").write_text(intro, encoding="utf-8")
    return load_course(root)
