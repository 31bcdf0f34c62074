"""The PDF maker: every part prints, in a Unicode font, and the text reads back with pypdf."""
import io

import pypdf
import pytest

from gapkit import pdf


def text_of(data: bytes) -> str:
    """All text of a PDF as pypdf extracts it, whitespace collapsed."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture(scope="module")
def document():
    parts = [
        pdf.Heading("Derechos — Castañeda v. Pickard"),
        pdf.Paragraph("The **three-part** test asks about *theory*, practice and results."),
        pdf.Bullets(("Niños y familias", "Élèves — «langue»"), numbered=True),
        pdf.Bullets(("Policy", "Schedule"), boxes=True),
        pdf.Table(("Look-for", "Seen?"), (("Objectives posted", ""), ("Pairs talk", "")), widths=(3, 1), row_height=12),
        pdf.WritingSpace("What will you do next Monday?", lines=3),
        pdf.PageBreak(),
        pdf.Paragraph("A quoted answer with a -- double dash and __underscores__.", quote=True),
    ]
    return parts, pdf.render(parts, title="Test handout", subtitle="Spring cohort")


class TestRender:
    def test_opens_and_holds_every_part(self, document):
        """Does pypdf open the file and find the text of every part, accents and dashes included?"""
        _, data = document
        reader = pypdf.PdfReader(io.BytesIO(data))
        assert len(reader.pages) == 2
        text = text_of(data)
        for expected in ("Test handout", "Spring cohort", "Derechos — Castañeda v. Pickard",
                         "The three-part test asks about theory, practice and results.", "Niños y familias",
                         "Élèves — «langue»", "☐ Policy", "Objectives posted", "Pairs talk",
                         "What will you do next Monday?", "-- double dash and __underscores__", "Page 2 of 2"):
            assert expected in text, expected

    def test_bold_is_set_in_the_bold_font(self, document):
        """Is **bold** printed with the bold face (not as literal asterisks)?"""
        _, data = document
        fonts = set()
        for page in pypdf.PdfReader(io.BytesIO(data)).pages:
            for font in page["/Resources"]["/Font"].values():
                fonts.add(str(font.get_object()["/BaseFont"]))
        assert any("Bold" in f for f in fonts) and any("Oblique" in f for f in fonts)
        assert "**" not in text_of(data)

    def test_same_input_same_bytes_and_digest(self, document):
        """Is the output reproducible, and does the recorded digest change with the text?"""
        parts, data = document
        assert pdf.render(parts, title="Test handout", subtitle="Spring cohort") == data
        assert pdf.pdf_digest(data) == pdf.source_digest(parts, title="Test handout", subtitle="Spring cohort")
        other = pdf.render(parts[:-1], title="Test handout", subtitle="Spring cohort")
        assert pdf.pdf_digest(other) != pdf.pdf_digest(data)
        assert pdf.pdf_digest(b"%PDF-1.4 not ours") is None

    def test_writes_the_file(self, tmp_path):
        """Is the PDF written to `path` when one is given?"""
        out = tmp_path / "card.pdf"
        data = pdf.render([pdf.Paragraph("x")], title="Card", path=out)
        assert out.read_bytes() == data

    @pytest.mark.parametrize("kwargs, error, match", [
        ({"title": ""}, ValueError, "`title` must be a non-empty string"),
        ({"title": "T", "page_size": "legal"}, ValueError, r"`page_size` \('legal'\) not recognized"),
    ])
    def test_bad_arguments_are_named(self, kwargs, error, match):
        """Are bad options refused with a message naming the argument?"""
        with pytest.raises(error, match=match):
            pdf.render([pdf.Paragraph("x")], **kwargs)

    def test_a_part_that_is_not_a_part(self):
        """Is a stray string among the parts refused, naming its position?"""
        with pytest.raises(TypeError, match="`parts` item 1 is a str"):
            pdf.render([pdf.Paragraph("x"), "oops"], title="T")


class TestMarkdownParts:
    def test_headings_lists_tables_quotes(self):
        """Does course Markdown become the matching parts, with bold and italic kept?"""
        parts = pdf.markdown_parts("# Title\n\nSome *text*.\n\n1. one\n2. **two**\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                                   "> quoted [link](https://example.org)\n")
        assert parts == [pdf.Heading("Title", 1), pdf.Paragraph("Some *text*."),
                         pdf.Bullets(("one", "**two**"), numbered=True), pdf.Table(("a", "b"), (("1", "2"),)),
                         pdf.Paragraph("quoted link (https://example.org)", quote=True)]
