"""Course widgets: thin shells over pure functions, testable without a browser.

Each widget observes its controls with ``observe(..., names="value")``, keeps its last ``.result``
and has a programmatic trigger, so tests set ``.value`` or call ``.click()`` and read ``.result``.

* `reflection` -- a prompt with an autosaving answer box; executed without a browser it shows the
  saved answer as Markdown (the grading bridge, see `display_mode`).
* `knowledge_check` -- single or multiple choice with feedback on each chosen option (`grade_check`).
* `gap_explorer` -- subject, measure, comparison, school, grade and year; chart, table and sentence
  (`explore`).
* `action_plan` -- focus goals saved in the journal, exported to Markdown and HTML.
* `proficiency_view` -- an English-proficiency analysis (growth, reclassification, long-term ELs,
  former ELs) as sentences and a suppressed table.
* `task_widget` / `practice_answer` -- a practice exercise answered in a box instead of code, and
  the answer read back for grading.
* `take_home_record` -- the participant's reflections, check answers and plan as one PDF and Markdown file.
* `lesson` / `home` -- a module's whole lesson page, and the course home page.
"""
from gapkit.widgets._common import display_mode
from gapkit.widgets.answer import TaskWidget, practice_answer, task_widget
from gapkit.widgets.check import CheckResult, CheckWidget, grade_check, knowledge_check
from gapkit.widgets.explorer import Exploration, ExplorerWidget, explore, gap_explorer
from gapkit.widgets.lesson import HOME_NOTEBOOK, HomePage, LessonPage, home, lesson
from gapkit.widgets.plan import ActionPlanWidget, Goal, Plan, action_plan, export_plan
from gapkit.widgets.proficiency import ProficiencyWidget, proficiency_view
from gapkit.widgets.record import RecordWidget, record_markdown, take_home_record
from gapkit.widgets.reflection import ReflectionWidget, reflection

__all__ = [
    "display_mode",
    "reflection", "ReflectionWidget",
    "knowledge_check", "grade_check", "CheckWidget", "CheckResult",
    "gap_explorer", "explore", "ExplorerWidget", "Exploration",
    "action_plan", "export_plan", "ActionPlanWidget", "Plan", "Goal",
    "proficiency_view", "ProficiencyWidget",
    "task_widget", "practice_answer", "TaskWidget",
    "lesson", "home", "LessonPage", "HomePage", "HOME_NOTEBOOK",
    "take_home_record", "record_markdown", "RecordWidget",
]
