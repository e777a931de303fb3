"""Render a report's content to self-contained HTML or Markdown.

The content is plain data (paragraphs, tables as DataFrames, figures as PNG bytes); this module
only lays it out. HTML embeds the figures as base64 ``data:`` URIs and its own CSS: no external
resource is loaded. Every text is escaped (HTML) or has its Markdown table syntax neutralised.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = [
    "DATA_ID",
    "Figure",
    "Report",
    "Section",
    "Table",
    "script_json",
    "to_html",
    "to_markdown",
]


@dataclass(frozen=True)
class Table:
    """A table with a caption; ``formats`` maps a column to a format function."""

    frame: pd.DataFrame
    caption: str = ""
    formats: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)
    index: bool = False


@dataclass(frozen=True)
class Figure:
    """A PNG figure with alternative text and a caption."""

    png: bytes
    alt: str
    caption: str = ""


@dataclass(frozen=True)
class Section:
    """A titled part of the report: paragraphs, then tables and figures in order."""

    title: str
    paragraphs: Sequence[str] = ()
    items: Sequence[Table | Figure] = ()


@dataclass(frozen=True)
class Report:
    """Everything a report shows."""

    title: str
    subtitle: str
    sections: Sequence[Section]
    footer: str = ""
    #: machine-readable content, embedded in HTML as ``<script type="application/json"
    #: id="llmcost-data">`` (JSON-ready values only)
    data: Mapping[str, Any] | None = None


_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       margin: 2rem auto; max-width: 1100px; color: #1d2733; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #dde5f0; padding-bottom: .2rem;
     margin-top: 2rem; }
.subtitle { color: #5a6b7d; margin-top: 0; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .9rem; }
th, td { border: 1px solid #d5dde8; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #eef3f9; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: .3rem; }
figure { margin: .6rem 0 1.4rem; }
figure img { max-width: 100%; border: 1px solid #e3e8ef; }
figcaption { color: #5a6b7d; font-size: .85rem; }
footer { margin-top: 2.5rem; color: #6b7a8c; font-size: .8rem; }
"""


def _cell_text(value: Any, fmt: Callable[[Any], str] | None) -> str:
    if fmt is not None:
        return fmt(value)
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _rows(table: Table) -> tuple[list[str], list[list[tuple[str, bool]]]]:
    frame = table.frame.reset_index() if table.index else table.frame
    columns = [str(c) for c in frame.columns]
    rows = []
    for record in frame.itertuples(index=False):
        rows.append(
            [
                (_cell_text(v, table.formats.get(c)), _is_number(v))
                for c, v in zip(columns, record, strict=True)
            ]
        )
    return columns, rows


def _table_html(table: Table) -> str:
    columns, rows = _rows(table)
    out = ["<table>"]
    if table.caption:
        out.append(f"<caption>{html.escape(table.caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in columns) + "</tr>")
    out.append("</thead><tbody>")
    for row in rows:
        cells = "".join(
            f'<td class="num">{html.escape(t)}</td>' if num else f"<td>{html.escape(t)}</td>"
            for t, num in row
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _figure_html(figure: Figure) -> str:
    data = base64.b64encode(figure.png).decode("ascii")
    caption = f"<figcaption>{html.escape(figure.caption)}</figcaption>" if figure.caption else ""
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(figure.alt)}">'
        f"{caption}</figure>"
    )


#: The id of the embedded JSON block.
DATA_ID = "llmcost-data"


def script_json(data: Mapping[str, Any]) -> str:
    r"""JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` are written as ``\u003c`` … (still the same JSON), so no text in it — an
    option name, a source — can close the element (``</script>``) or open a comment.

    >>> script_json({"name": "</script><b>"})
    '{"name": "\\u003c/script\\u003e\\u003cb\\u003e"}'
    """
    text = json.dumps(data, allow_nan=False, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def to_html(report: Report) -> str:
    """A self-contained HTML page (inline CSS, figures as data URIs)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(report.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(report.title)}</h1>",
        f'<p class="subtitle">{html.escape(report.subtitle)}</p>',
    ]
    for section in report.sections:
        parts.append(f"<section><h2>{html.escape(section.title)}</h2>")
        parts += [f"<p>{html.escape(p)}</p>" for p in section.paragraphs]
        for item in section.items:
            parts.append(_table_html(item) if isinstance(item, Table) else _figure_html(item))
        parts.append("</section>")
    if report.footer:
        parts.append(f"<footer>{html.escape(report.footer)}</footer>")
    if report.data is not None:
        parts.append(
            f'<script type="application/json" id="{DATA_ID}">{script_json(report.data)}</script>'
        )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _md_text(text: str) -> str:
    """Text safe inside a Markdown table cell or paragraph (no pipes, no raw HTML, one line)."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _table_markdown(table: Table) -> str:
    columns, rows = _rows(table)
    out = [f"**{_md_text(table.caption)}**", ""] if table.caption else []
    out.append("| " + " | ".join(_md_text(c) for c in columns) + " |")
    out.append(
        "|"
        + "|".join("---:" if _numeric_column(rows, i) else "---" for i in range(len(columns)))
        + "|"
    )
    out += ["| " + " | ".join(_md_text(t) for t, _ in row) + " |" for row in rows]
    return "\n".join(out)


def _numeric_column(rows: list[list[tuple[str, bool]]], i: int) -> bool:
    numbers = [row[i][1] for row in rows if row[i][0]]
    return bool(numbers) and all(numbers)


def to_markdown(report: Report) -> str:
    """Markdown with the figures embedded as ``data:`` URIs (self-contained) and the data.

    When given, as a final fenced ``json`` block (a fence longer than any backtick run in it).
    """
    parts = [f"# {_md_text(report.title)}", "", f"_{_md_text(report.subtitle)}_", ""]
    for section in report.sections:
        parts += [f"## {_md_text(section.title)}", ""]
        for p in section.paragraphs:
            parts += [_md_text(p), ""]
        for item in section.items:
            if isinstance(item, Table):
                parts += [_table_markdown(item), ""]
            else:
                data = base64.b64encode(item.png).decode("ascii")
                parts += [f"![{_md_text(item.alt)}](data:image/png;base64,{data})", ""]
                if item.caption:
                    parts += [f"_{_md_text(item.caption)}_", ""]
    if report.footer:
        parts += ["---", "", _md_text(report.footer), ""]
    if report.data is not None:
        text = script_json(report.data)  # no raw "<": safe where a renderer allows HTML
        runs = [len(m) for m in re.findall(r"`+", text)]
        fence = "`" * max(3, max(runs, default=0) + 1)  # longer than any backtick run inside
        parts += [f'<a id="{DATA_ID}"></a>', "", f"{fence}json", text, fence, ""]
    return "\n".join(parts)
