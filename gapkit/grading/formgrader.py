"""One grader per submission in formgrader: a Jupyter server extension that refuses saves from anyone else.

formgrader saves a score and a comment in two separate requests. When two facilitators grade the same
submission at once, their four requests interleave, and the gradebook can end up with one
facilitator's score beside the other's comment, with no error. PostgreSQL does not prevent that:
each request is a correct transaction of its own.

So every submission has one grader (`gapkit.grading.store`): the facilitator named by
``gapkit course assign``, or else the first one whose save reaches the server. A save from anyone
else is refused with HTTP 409 and a message naming the grader, which the formgrader page shows; the
page then reloads with the grader's values. The claim is atomic in the database (a primary key), so
with any interleaving exactly one facilitator's saves land.

Who is saving: ``$GAPKIT_GRADER`` if set; behind JupyterHub, the logged-in hub user; else the
operating-system user running the server. Installed with gapkit (``jupyter_server_config.d``), it
is active wherever formgrader is.
"""
from __future__ import annotations

import getpass
import json
import os

from jupyter_server.utils import url_path_join
from nbgrader.server_extensions.formgrader import apihandlers, handlers
from nbgrader.server_extensions.formgrader.base import check_notebook_dir, check_xsrf
from tornado import web

from gapkit.grading import store as _store

__all__ = ["grader_name", "GradeHandler", "CommentHandler", "SubmissionHandler"]

#: Shown on the formgrader page when a save is refused: the message, then a reload.
_PAGE_SCRIPT = """<script>
$(document).ajaxError(function (event, xhr) {
  if (xhr.status !== 409) { return; }
  var message = (xhr.responseJSON && xhr.responseJSON.message) || xhr.responseText;
  window.alert(message);
  window.location.reload();
});
</script>"""


def grader_name(handler=None) -> str:
    """Who is grading: ``$GAPKIT_GRADER``, else the JupyterHub user, else the operating-system user."""
    name = os.environ.get("GAPKIT_GRADER", "").strip()
    if name:
        return name
    if handler is not None and os.environ.get("JUPYTERHUB_API_URL"):
        user = handler.current_user
        name = getattr(user, "username", None) or (user.get("name") if isinstance(user, dict) else None)
        if name:
            return str(name)
    return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()


class _OneGrader:
    """Mixin: before a save, make sure the saving facilitator is the submission's grader."""

    def _refused(self, submitted_notebook) -> bool:
        submission = submitted_notebook.assignment  # nbgrader's SubmittedAssignment
        assignment, student = submission.assignment.name, submission.student.id
        # End formgrader's read transaction first: with SQLite, the claim below could not commit
        # while this server's own session holds the database.
        self.gradebook.db.commit()
        me = grader_name(self)
        _store.ensure_tables(self.db_url)
        owner = _store.claim(self.db_url, assignment, student, me)
        if owner == me:
            return False
        self.log.warning("formgrader: %s's save to %s of %s refused; %s grades it", me, assignment, student, owner)
        self.set_status(409)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": (
            f"Not saved: {owner} is grading {student}'s {assignment}, so only {owner}'s scores and comments are "
            f"kept. The page will now show {owner}'s grading. To take it over: "
            f"gapkit course assign {assignment} --student {student} --grader {me}"),
            "grader": owner}))
        return True


class GradeHandler(_OneGrader, apihandlers.GradeHandler):
    """formgrader's score saving, for the submission's grader only."""

    @web.authenticated
    @check_xsrf
    @check_notebook_dir
    def put(self, grade_id):
        try:
            grade = self.gradebook.find_grade_by_id(grade_id)
        except apihandlers.MissingEntry:
            raise web.HTTPError(404) from None
        if not self._refused(grade.notebook):
            super().put(grade_id)


class CommentHandler(_OneGrader, apihandlers.CommentHandler):
    """formgrader's comment saving, for the submission's grader only."""

    @web.authenticated
    @check_xsrf
    @check_notebook_dir
    def put(self, grade_id):
        try:
            comment = self.gradebook.find_comment_by_id(grade_id)
        except apihandlers.MissingEntry:
            raise web.HTTPError(404) from None
        if not self._refused(comment.notebook):
            super().put(grade_id)


class SubmissionHandler(handlers.SubmissionHandler):
    """formgrader's grading page, which also shows why a save was refused."""

    def write(self, chunk):
        if isinstance(chunk, str) and "</body>" in chunk:
            chunk = chunk.replace("</body>", _PAGE_SCRIPT + "\n</body>", 1)
        super().write(chunk)


def _jupyter_server_extension_points():
    return [{"module": "gapkit.grading.formgrader"}]


def _load_jupyter_server_extension(serverapp):
    web_app = serverapp.web_app
    base = web_app.settings["base_url"]
    ours = [
        (url_path_join(base, r"formgrader/api/grade/([^/]+)"), GradeHandler),
        (url_path_join(base, r"formgrader/api/comment/([^/]+)"), CommentHandler),
        (url_path_join(base, r"formgrader/submissions/([^/]+)/?"), SubmissionHandler),
    ]
    routers = (web_app.default_router, web_app.wildcard_router)
    before = [list(router.rules) for router in routers]
    web_app.add_handlers(".*$", ours)
    # tornado tries its rules in the order they were added and formgrader's may be there already,
    # so ours go first.
    for router, old in zip(routers, before):
        added = [rule for rule in router.rules if rule not in old]
        router.rules[:] = added + [rule for rule in router.rules if rule not in added]
    serverapp.log.info("gapkit: formgrader keeps one grader per submission (grader here: %s)", grader_name())
