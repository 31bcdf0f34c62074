# nbgrader configuration for the EL-equity course.
#
# `gapkit course init COURSE_DIR` copies this file to the root of a course folder; nbgrader reads
# it from there (run every facilitator command with the course folder as working directory).
# The course folder is laid out the way nbgrader expects (docs/facilitating.md has the whole cycle):
#
#   COURSE_DIR/
#     nbgrader_config.py   this file
#     gradebook.db         the SQLite gradebook (unless GAPKIT_NBGRADER_DB_URL points elsewhere)
#     source/<assignment>/ the source notebooks with solutions, tests and mark schemes
#     release/             what participants fetch (solutions, hidden tests, mark schemes removed)
#     submitted/           what `nbgrader collect` gathered: submitted/<participant>/<assignment>/
#     autograded/          executed, autograded copies
#     feedback/            HTML feedback per participant
#
# Settings a facilitator may change without editing this file (environment variables):
#
#   GAPKIT_COURSE_ID          the course id participants fetch from (default "el-equity")
#   GAPKIT_NBGRADER_EXCHANGE  the exchange folder shared by facilitator and participants
#                             (default /srv/nbgrader/exchange; nbgrader's own default is
#                             /usr/local/share/nbgrader/exchange, so participants need it set too)
#   GAPKIT_NBGRADER_DB_URL    the gradebook database. Default: SQLite in the course folder, right
#                             for one facilitator. When several facilitators grade at once, use a
#                             PostgreSQL server, e.g. postgresql://grader@db.example.org:5432/elequity
#                             (SQLAlchemy 2 with psycopg 3; the password can come from ~/.pgpass).
import os

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

course_root = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = course_root
c.CourseDirectory.course_id = os.environ.get("GAPKIT_COURSE_ID", "el-equity")
c.CourseDirectory.db_url = os.environ.get(
    "GAPKIT_NBGRADER_DB_URL", "sqlite:///" + os.path.join(course_root, "gradebook.db")
)
c.Exchange.root = os.environ.get("GAPKIT_NBGRADER_EXCHANGE", "/srv/nbgrader/exchange")

# An unanswered exercise leaves its variable at None and the tests below it explain what to do,
# instead of nbgrader's default `raise NotImplementedError()`.
c.ClearSolutions.code_stub = {"python": "# Write your code here."}
c.ClearSolutions.text_stub = "Write your answer here."

# Reflections: the participant's answers live in the journal file next to the notebook
# (gapkit.journal). nbgrader copies every extra file from submitted/ to autograded/ and then
# overwrites those that also exist in source/. A journal must never be overwritten by the
# facilitator's copy, so it is excluded for every assignment in source/; and a journal left in
# source/ (a facilitator trying the widget) is removed from release/ after generate_assignment.
from gapkit.course import JOURNAL_FILE, drop_journal_from_release  # noqa: E402

_source = os.path.join(course_root, "source")
_assignments = sorted(os.listdir(_source)) if os.path.isdir(_source) else []
c.Autograde.exclude_overwriting = {a: [JOURNAL_FILE] for a in _assignments}
c.GenerateAssignment.post_convert_hook = drop_journal_from_release
# Autograding must read each submission's own journal (next to its notebook), never a journal
# named by GAPKIT_JOURNAL in the facilitator's shell (`gapkit serve --journal` sets it).
os.environ.pop("GAPKIT_JOURNAL", None)

# Feedback shows scores, comments, the participant's reflections and the rubric (the mark scheme),
# but never the hidden tests: they are removed (and tracebacks from them cut to the error line)
# before the HTML is written. Order: grades first (they read the cells), the CSS header last.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "gapkit.course.RemoveHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# A slow kernel start on a busy server should not fail a submission.
c.Execute.startup_timeout = 120

# The grading cycle (gapkit.grading): collect takes the newest submission; deadlines, the late
# policy and the per-cell time limit come from grading.yaml in this folder; autograding restores
# deleted reflection cells, shows rubrics cleanly and flags reflections rewritten after grading.
from gapkit.grading import configure_nbgrader  # noqa: E402

configure_nbgrader(c, course_root)
