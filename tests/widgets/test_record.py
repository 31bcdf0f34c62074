"""The take-home record: every reflection, check answer and the action plan, as Markdown (and PDF)."""
import base64
import datetime as dt
import re

from gapkit.journal import Journal
from gapkit.widgets import record_markdown, take_home_record


def _journal(tmp_path):
    journal = Journal(tmp_path / "j.json")
    journal.save_reflection("t-reflect", "Grade 5 *newcomers* in math.\n\nSecond paragraph: #2 priority.")
    journal.put("checks", "t-single", {"chosen": [1], "correct": False})
    return journal


class TestRecordMarkdown:
    def test_holds_what_was_written(self, tiny_course, tmp_path):
        """Does the record hold the reflection as typed (Markdown characters escaped), its prompt, and each
        check with the option chosen and whether it was right?"""
        md = record_markdown(tiny_course, _journal(tmp_path), today=dt.date(2026, 3, 2))
        assert "as saved on 02 March 2026" in md and "## Module 0: A tiny module" in md
        assert "*What gap worries you most?*" in md
        assert "> Grade 5 \\*newcomers\\* in math.\n>\n> Second paragraph: \\#2 priority." in md
        assert re.search(r"- A gap of \+5 .* \*\*Your answer:\*\* The focal group is ahead\. \(not the expected answer\)\.", md)
        assert "t-multi" not in md and "Which are EL groups?" not in md  # not answered: not listed

    def test_untouched_module_says_so(self, tiny_course, tmp_path):
        """Does a module with nothing written say so, rather than disappear?"""
        md = record_markdown(tiny_course, Journal(tmp_path / "empty.json"))
        assert "_Nothing written in this module yet._" in md


class TestRecordWidget:
    def test_download_links_carry_the_record(self, tiny_course, tmp_path):
        """Does "Prepare my record" offer the Markdown file whose bytes are the record read at that moment?"""
        journal = _journal(tmp_path)
        widget = take_home_record(journal=journal, course=tiny_course)
        journal.save_reflection("t-reflect", "Written after the page was opened.")
        widget.button.click()
        href = re.search(r'download="my-course-record.md" href="data:text/markdown;base64,([^"]+)"', widget.links.value)
        assert href and "Written after the page was opened." in base64.b64decode(href.group(1)).decode("utf-8")
        assert widget.text == base64.b64decode(href.group(1)).decode("utf-8")


class TestRecordPdf:
    def test_pdf_holds_the_answers(self, tiny_course, tmp_path):
        """Does the PDF open (pypdf, an independent reader) and hold the reflection and the check answer?"""
        import io

        from pypdf import PdfReader

        journal = _journal(tmp_path)
        journal.save_reflection("t-reflect", "Grade 5 newcomers in math, Castañeda's second prong.\n\nNext: #2 priority.")
        widget = take_home_record(journal=journal, course=tiny_course)
        widget.button.click()
        assert 'download="my-course-record.pdf"' in widget.links.value and widget.pdf[:5] == b"%PDF-"
        text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(widget.pdf)).pages)
        assert "Grade 5 newcomers in math, Castañeda's second prong." in text and "Next: #2 priority." in text
        assert "The focal group is ahead." in text and "Module 0: A tiny module" in text
