"""The grading bridge, end to end with the real tools: a notebook executed without a browser shows the
saved reflection as Markdown, and nbconvert's HTML exporter (used by formgrader and generate_feedback)
shows that text."""
import json

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from gapkit.content import find_root, load_course

pytestmark = pytest.mark.slow


def _first_reflection():
    course = load_course(find_root())
    return next(r for m in course.modules for r in m.reflections)


@pytest.fixture
def executed(tmp_path, monkeypatch):
    monkeypatch.delenv("GAPKIT_JOURNAL", raising=False)
    for name in ("GAPKIT_DISPLAY", "JPY_SESSION_NAME", "VOILA_KERNEL_ID", "VOILA_PREHEAT", "VOILA_BASE_URL",
                 "VOILA_SERVER_URL", "VOILA_APP_PORT"):
        monkeypatch.delenv(name, raising=False)
    reflection = _first_reflection()

    def run(answer):
        folder = tmp_path / ("answered" if answer else "blank")
        folder.mkdir()
        if answer:
            (folder / "reflections.json").write_text(json.dumps({
                "format": "gapkit-journal", "version": 1, "checks": {}, "plans": {},
                "reflections": {reflection.id: {"text": answer, "words": 0, "saved_at": ""}}}), encoding="utf-8")
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbformat.v4.new_code_cell(f"from gapkit.widgets import reflection\n"
                                              f"reflection({reflection.id!r})")]
        NotebookClient(nb, resources={"metadata": {"path": str(folder)}}, kernel_name="python3").execute()
        html, _ = HTMLExporter().from_notebook_node(nb)
        return nb, html
    return run


class TestGradingBridge:
    def test_answer_in_output_and_html(self, executed):
        """Is the journal's answer the cell's Markdown output, and visible in the exported HTML?"""
        nb, html = executed("Grade 7 math: the EL gap is 30 points.\n\nNext step: co-planning.")
        output = nb.cells[0].outputs[0]
        assert set(output["data"]) == {"text/markdown", "text/plain"}
        assert "Grade 7 math: the EL gap is 30 points." in output["data"]["text/markdown"]
        assert "<strong>Your reflection</strong>" in html
        assert "Grade 7 math: the EL gap is 30 points." in html and "Next step: co-planning." in html

    def test_blank_answer_said_clearly(self, executed):
        """With no journal file, does the HTML say no answer was written?"""
        _, html = executed(None)
        assert "No answer was written." in html
