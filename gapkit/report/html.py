"""Sections as HTML (in the notebook, and the exported page: no code, no scripts, nothing fetched)."""
from __future__ import annotations

import base64
import html
import math
import re
from pathlib import Path

from gapkit import views
from gapkit.privacy import SUPPRESSED_MARK
from gapkit.report.sections import ReportFigure, ReportTable, Section

__all__ = ["to_html", "show", "export_html", "CSS"]

def to_html(section: Section, *, heading: bool = False) -> str:
    """A section as HTML: paragraphs, accessible tables and figures, findings, folded detail tables."""
    esc = html.escape
    parts = [f'<section class="gapkit-section" id="gapkit-{esc(section.key)}">']
    if heading and section.title:
        parts.append(f"<h2>{esc(section.title)}</h2>")
    inner = []
    if section.box:
        inner.append('<aside class="gapkit-box" role="note" aria-label="How to read this report"><ul>')
        inner += [f"<li>{esc(p)}</li>" for p in section.paragraphs]
        inner.append("</ul></aside>")
    else:
        inner += [f"<p>{esc(p)}</p>" for p in section.paragraphs]
    if section.findings:
        inner.append('<ul class="gapkit-findings">')
        for finding in section.findings:
            attrs = " ".join(f'data-key-{i}="{esc(str(k), quote=True)}"' for i, k in enumerate(finding.keys))
            inner.append(f'<li class="gapkit-finding" data-source="{esc(finding.source)}" {attrs}>'
                         f"{esc(finding.text)}</li>")
        inner.append("</ul>")
    inner += [_table_html(t) for t in section.tables]
    inner += [_figure_html(f) for f in section.figures]
    if section.details:
        inner.append(f"<details><summary>More detail ({len(section.details)} "
                     f"table{'s' if len(section.details) != 1 else ''})</summary>")
        inner += [_table_html(t) for t in section.details]
        inner.append("</details>")
    parts += inner
    parts.append("</section>")
    return "\n".join(parts)


def _table_html(table: ReportTable) -> str:
    esc = html.escape
    head = []
    for column in table.frame.columns:
        role = table.roles.get(column) or ("n" if str(column).endswith(": n") else "")
        role_attr = f' data-role="{role}"' if role else ""
        head.append(f'<th scope="col"{role_attr}>{esc(str(column))}</th>')
    body = []
    for record in table.frame.itertuples(index=False):
        cells = []
        for value in record:
            value = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
            css = ' class="gapkit-suppressed"' if value in (SUPPRESSED_MARK, views.SUPPRESSED_TEXT) else ""
            cells.append(f"<td{css}>{esc(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = f'<p class="gapkit-note">{esc(table.note)}</p>' if table.note else ""
    return (f'<div class="gapkit-table-wrap"><table class="gapkit-table" data-kind="{esc(table.kind)}">'
            f"<caption>{esc(table.caption)}</caption><thead><tr>{''.join(head)}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>{note}</div>")


def _figure_html(figure: ReportFigure) -> str:
    data = base64.b64encode(figure.png).decode("ascii")
    return (f'<figure class="gapkit-figure"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(figure.alt, quote=True)}" style="max-width:100%;height:auto">'
            f"<figcaption>{html.escape(figure.caption)}</figcaption></figure>")


def show(section: Section, *, heading: bool = False) -> None:
    """Display a section in the notebook (as HTML output, so the exported report needs no code)."""
    from IPython.display import HTML, display
    display(HTML(to_html(section, heading=heading)))


#: Styles of the exported report: system fonts, no web fonts, nothing fetched from a network.
CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1a1a1a;
       max-width: 62rem; margin: 0 auto; padding: 1.5rem; line-height: 1.5; }
h1 { font-size: 1.8rem; margin-bottom: .2rem; } h2 { font-size: 1.35rem; margin-top: 2rem;
       border-bottom: 2px solid #0072B2; padding-bottom: .2rem; } h3 { font-size: 1.1rem; }
a.anchor-link { display: none; }
.gapkit-table-wrap { overflow-x: auto; margin: 1rem 0; }
table.gapkit-table { border-collapse: collapse; font-size: .9rem; }
table.gapkit-table caption { text-align: left; font-weight: 600; padding: .3rem 0; }
table.gapkit-table th, table.gapkit-table td { border: 1px solid #c8c8c8; padding: .25rem .5rem; text-align: left;
       vertical-align: top; }
table.gapkit-table th { background: #eef3f8; }
td.gapkit-suppressed { color: #555; font-style: italic; }
.gapkit-box { border: 2px solid #009E73; background: #f1faf6; padding: .5rem 1rem; border-radius: 6px; }
.gapkit-findings li { margin: .4rem 0; }
figure.gapkit-figure { margin: 1rem 0; } figcaption { font-size: .9rem; color: #333; }
details { margin: 1rem 0; } summary { cursor: pointer; font-weight: 600; }
.jp-OutputArea-output pre { white-space: pre-wrap; }
"""


_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{% block notebook_css %}<style type="text/css">{{ resources.gapkit_css }}</style>{% endblock notebook_css %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block stream_stderr %}{% endblock stream_stderr %}
{% block error %}{% endblock error %}
"""


def export_html(notebook, path, *, title: str) -> None:
    """Write an executed notebook as one self-contained HTML page: no code, no prompts, no scripts."""
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4) if not isinstance(notebook, nbformat.NotebookNode) else notebook
    nb.metadata["title"] = title
    exporter = HTMLExporter(template_name="lab", template_file="gapkit_report.html.j2",
                            extra_loaders=[jinja2.DictLoader({"gapkit_report.html.j2": _TEMPLATE})],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb, resources={"gapkit_css": CSS, "metadata": {"name": title}})
    Path(path).write_text(body, encoding="utf-8")


def _index_html(data, pages, folder):
    """The page linking the district's report and every school's, each with the first of its findings."""
    esc = html.escape
    items = []
    for name, school_id, stem in pages:
        page = (folder / f"{stem}.html").read_text(encoding="utf-8")
        first = re.search(r'<li class="gapkit-finding"[^>]*>(.*?)</li>', page, flags=re.S)
        headline = f"<br><span class=\"gapkit-headline\">{first.group(1)}</span>" if first else ""
        label = "The district: all schools" if school_id is None else esc(name) if name == school_id \
            else f"{esc(name)} ({esc(school_id)})"
        items.append(f'<li><a href="{esc(stem)}.html">{label}</a>{headline}</li>')
    items = "".join(items)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Gap reports: {esc(data.source)}'
            f'</title><meta name="viewport" content="width=device-width, initial-scale=1.0"><style>{CSS}</style>'
            f"</head><body><main><h1>Gap reports by school</h1><p>The district's report and one report per school, "
            f"made from {esc(data.source)}, each with its first finding. Groups of fewer than {data.rule.min_n} "
            "students are not shown in any report, and the reports are protected together: publish them as a "
            "set.</p>"
            f'<ul class="gapkit-index">{items}</ul></main></body></html>')
