"""The take-home record, as a participant gets it: written on a lesson page, downloaded from the course home."""
import time

import pytest
from playwright.sync_api import expect

from gapkit.content import load_course

from lesson_browser import ROOT, off_machine, open_lesson

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _text_of_pdf(path) -> str:
    from pypdf import PdfReader  # an independent reader, not the library that wrote the file

    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(str(path)).pages)


def test_record_downloads_hold_the_answers(page, voila_server, journal_path):
    """Does a reflection written on a lesson page come back in the PDF record (read with pypdf) and in the
    Markdown record, both downloaded from the course home?"""
    course = load_course(ROOT)
    module = course.module("05-family-community")
    answer = f"Family nights in three home languages, with childcare and a bus. ({time.time():.0f})"
    open_lesson(page, voila_server, f"{module.id}.ipynb")
    box = page.locator(".gapkit-reflection").first.get_by_label("Your answer")
    box.click()
    box.press_sequentially(answer, delay=5)
    # "Saved at" shows after the first keystroke; the word count tells when the kernel has the whole answer.
    card = page.locator(".gapkit-reflection").first
    expect(card.locator(".gapkit-wordcount")).to_have_text(f"{len(answer.split())} words", timeout=60_000)
    expect(card.locator(".gapkit-status")).to_contain_text("Saved at", timeout=30_000)

    open_lesson(page, voila_server, "00-course-home.ipynb")
    page.get_by_role("button", name="Prepare my record (PDF and text)").click()
    pdf_link = page.get_by_role("link", name="Download the PDF")
    expect(pdf_link).to_be_visible(timeout=60_000)
    with page.expect_download() as pdf_download:
        pdf_link.click()
    with page.expect_download() as md_download:
        page.get_by_role("link", name="Download the text file (Markdown)").click()
    assert pdf_download.value.suggested_filename == "my-course-record.pdf"

    pdf_path = pdf_download.value.path()
    assert pdf_path.read_bytes()[:5] == b"%PDF-"
    text = _text_of_pdf(pdf_path)
    assert answer in text and f"Module {module.number}: {module.title}" in text
    assert answer in md_download.value.path().read_text(encoding="utf-8")
    assert off_machine(page.requests) == []
