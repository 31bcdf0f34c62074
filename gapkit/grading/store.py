"""The kit's two tables in the nbgrader gradebook: what each reflection said when graded, and who grades what.

They live in the same database as nbgrader's tables (SQLite or PostgreSQL), so every facilitator
and every autograding process sees the same state. nbgrader's migrations never touch them.

* ``gapkit_answer``: per assignment, participant and reflection, a fingerprint of the answer last
  autograded, whether the reflection cell had to be put back, and whether a rewritten answer is
  waiting to be graded again;
* ``gapkit_grader``: per assignment and participant, the facilitator who grades that submission
  (set by ``gapkit course assign`` or by the first save in formgrader). Only that facilitator's saves
  are accepted, so one facilitator's score can never end up beside another's comment.
"""
from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import os
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

__all__ = ["AnswerRecord", "answer_fingerprint", "engine", "ensure_tables", "get_answers", "put_answer",
           "grader_of", "claim", "assign", "release", "graders"]

metadata = sa.MetaData()

answers = sa.Table(
    "gapkit_answer", metadata,
    sa.Column("assignment", sa.String(128), primary_key=True),
    sa.Column("student", sa.String(128), primary_key=True),
    sa.Column("reflection", sa.String(128), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("words", sa.Integer, nullable=False, default=0),
    sa.Column("cell", sa.String(16), nullable=False, default="ok"),
    sa.Column("regrade", sa.Boolean, nullable=False, default=False),
    sa.Column("previous_score", sa.Float, nullable=True),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

grader_table = sa.Table(
    "gapkit_grader", metadata,
    sa.Column("assignment", sa.String(128), primary_key=True),
    sa.Column("student", sa.String(128), primary_key=True),
    sa.Column("grader", sa.String(128), nullable=False),
    sa.Column("since", sa.DateTime, nullable=False),
)


@dataclass(frozen=True)
class AnswerRecord:
    """What the kit knows about one reflection of one submission."""

    reflection: str
    fingerprint: str
    words: int
    cell: str  # "ok", "deleted" (put back) or "moved" (put back in its place)
    regrade: bool
    previous_score: float | None


def answer_fingerprint(text: str) -> str:
    """A fingerprint of an answer: equal for the same text, whatever whitespace surrounds it."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)


@functools.lru_cache(maxsize=8)
def _engine(db_url: str, pid: int) -> sa.Engine:
    kwargs = {"connect_args": {"timeout": 60}} if db_url.startswith("sqlite") else {"pool_pre_ping": True}
    return sa.create_engine(db_url, **kwargs)


def engine(db_url: str) -> sa.Engine:
    """One engine per database and process (a forked worker gets its own connections)."""
    return _engine(db_url, os.getpid())


_READY: set = set()


def ensure_tables(db_url: str) -> None:
    """Create the kit's tables if they are missing (safe when two processes do it at once)."""
    if (db_url, os.getpid()) in _READY:
        return
    eng = engine(db_url)
    try:
        metadata.create_all(eng, checkfirst=True)
    except (IntegrityError, OperationalError, ProgrammingError):
        # Another process created them between the check and the CREATE.
        if not sa.inspect(eng).has_table(answers.name) or not sa.inspect(eng).has_table(grader_table.name):
            raise
    _READY.add((db_url, os.getpid()))


def get_answers(db_url: str, assignment: str, student: str | None = None) -> dict:
    """``{(student, reflection): AnswerRecord}`` for `assignment` (one participant's if `student` is given)."""
    query = sa.select(answers).where(answers.c.assignment == assignment)
    if student is not None:
        query = query.where(answers.c.student == student)
    with engine(db_url).connect() as conn:
        rows = conn.execute(query).mappings().all()
    return {(r["student"], r["reflection"]): AnswerRecord(r["reflection"], r["fingerprint"], r["words"], r["cell"],
                                                           bool(r["regrade"]), r["previous_score"]) for r in rows}


def put_answer(db_url: str, assignment: str, student: str, record: AnswerRecord) -> None:
    """Insert or replace the record of one reflection."""
    key = {"assignment": assignment, "student": student, "reflection": record.reflection}
    values = {"fingerprint": record.fingerprint, "words": record.words, "cell": record.cell,
              "regrade": record.regrade, "previous_score": record.previous_score, "updated_at": _now()}
    with engine(db_url).begin() as conn:
        where = sa.and_(*(answers.c[k] == v for k, v in key.items()))
        if conn.execute(sa.update(answers).where(where).values(**values)).rowcount == 0:
            conn.execute(sa.insert(answers).values(**key, **values))


# ---------------------------------------------------------------------------------------------
# Who grades which submission
# ---------------------------------------------------------------------------------------------

def grader_of(db_url: str, assignment: str, student: str) -> str | None:
    """The facilitator who grades this submission, or ``None`` while nobody does."""
    query = sa.select(grader_table.c.grader).where(grader_table.c.assignment == assignment,
                                                   grader_table.c.student == student)
    with engine(db_url).connect() as conn:
        return conn.execute(query).scalar_one_or_none()


def claim(db_url: str, assignment: str, student: str, grader: str) -> str:
    """Make `grader` the grader of this submission unless someone already is; return who is.

    The primary key makes this atomic: when two facilitators claim at once, exactly one insert
    succeeds and both are told the same name.
    """
    try:
        with engine(db_url).begin() as conn:
            conn.execute(sa.insert(grader_table).values(assignment=assignment, student=student, grader=grader,
                                                        since=_now()))
        return grader
    except IntegrityError:
        owner = grader_of(db_url, assignment, student)
        if owner is None:  # released in between: try once more
            return claim(db_url, assignment, student, grader)
        return owner


def assign(db_url: str, assignment: str, student: str, grader: str) -> None:
    """Give this submission to `grader` (replacing any earlier grader)."""
    with engine(db_url).begin() as conn:
        where = sa.and_(grader_table.c.assignment == assignment, grader_table.c.student == student)
        if conn.execute(sa.update(grader_table).where(where).values(grader=grader, since=_now())).rowcount == 0:
            conn.execute(sa.insert(grader_table).values(assignment=assignment, student=student, grader=grader,
                                                        since=_now()))


def release(db_url: str, assignment: str, student: str | None = None) -> int:
    """Free one submission (or every submission of `assignment`) for any facilitator; return how many."""
    query = sa.delete(grader_table).where(grader_table.c.assignment == assignment)
    if student is not None:
        query = query.where(grader_table.c.student == student)
    with engine(db_url).begin() as conn:
        return conn.execute(query).rowcount


def graders(db_url: str, assignment: str) -> dict[str, str]:
    """``{student: grader}`` for `assignment`."""
    query = sa.select(grader_table.c.student, grader_table.c.grader).where(grader_table.c.assignment == assignment)
    with engine(db_url).connect() as conn:
        return dict(conn.execute(query).all())
