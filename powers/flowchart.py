"""Draw a power's flowchart (权力运行流程图) as SVG with graphviz's ``dot``.

The picture is inlined into the public page, so it must be safe HTML: every
piece of user text goes into graphviz HTML-like labels escaped by ``_html``
(graphviz then writes it XML-escaped into the SVG), tooltips are escaped for
DOT's quoted strings, and the XML prolog and DOCTYPE are stripped. Chinese is
laid out with WenQuanYi Micro Hei (apt: fonts-wqy-microhei), wrapped by
display width because dot does not wrap HTML labels itself.

When ``dot`` is missing the page still works: ``render_svg`` returns an
accessible HTML list of the steps and logs a warning.
"""

import logging
import re
import unicodedata

import graphviz
from django.core.cache import cache
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from .choices import StepKind

logger = logging.getLogger(__name__)

FONT = "WenQuanYi Micro Hei"
INK = "#1f2328"
MUTED = "#5f6b76"
LINE = "#8c959f"
ACCENT = "#1f2328"  # neutral: red, yellow and blue are the risk grades' colours
HEADER_FILL = "#f0f2f5"
NOTE_FILL = "#f6f7f9"
BOX_WIDTH = 190  # points: a minimum, so that the boxes of one chart line up in one column
WRAP_WIDTH = 28  # display columns (a Chinese character is two)
CACHE_SECONDS = 60 * 60 * 24 * 7
_CACHE_VERSION = 4  # bump when the drawing changes so cached pictures are redrawn

_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)


def _html(text) -> str:
    """Escape text for a graphviz HTML-like label (it understands &amp; &lt; &gt; &quot;)."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    # dot expands \N, \G… even inside HTML labels and after an entity: draw a full-width reverse solidus.
    return text.replace("\\", "\uff3c")


def _dot_string(text) -> str:
    """Escape text for a DOT quoted string. dot expands \\N, \\G… even after an escaped backslash,
    so a backslash is shown as the full-width reverse solidus instead."""
    return graphviz.nohtml(str(text).replace("\\", "\uff3c").replace('"', '\\"').replace("\n", " "))


def _width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def wrap(text: str, width: int = WRAP_WIDTH, max_lines: int = 3) -> list[str]:
    """Split text into lines of at most ``width`` display columns; the last line is ellipsised if cut."""
    lines, line, used = [], "", 0
    for char in " ".join(str(text).split()):
        w = _width(char)
        if used + w > width:
            lines.append(line)
            line, used = "", 0
            if len(lines) == max_lines:
                lines[-1] = lines[-1][:-1] + "…"
                return lines
        line += char
        used += w
    if line:
        lines.append(line)
    return lines


def _lines(text: str, **kwargs) -> str:
    return "<BR/>".join(_html(line) for line in wrap(text, **kwargs))


def _step_label(step) -> str:
    rows = [
        f'<TR><TD BGCOLOR="{HEADER_FILL}" ALIGN="LEFT" BALIGN="LEFT" CELLPADDING="6" WIDTH="{BOX_WIDTH}">'
        f'<FONT COLOR="{MUTED}"><B>{step.order}</B></FONT>  <B>{_lines(step.name, width=24)}</B>'
        + (f'  <FONT POINT-SIZE="9" COLOR="{MUTED}">{_html(tag)}</FONT>' if (tag := _kind_tag(step)) else "")
        + "</TD></TR>"
    ]
    details = []
    if step.post_id:
        details.append(_("承办岗位：%(post)s") % {"post": step.post.name})
    if step.time_limit_days is not None:
        details.append(_("时限：%(days)s个工作日") % {"days": step.time_limit_days})
    for text in details:
        rows.append(
            f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="10" COLOR="{MUTED}">{_lines(text)}</FONT></TD></TR>'
        )
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4">{"".join(rows)}</TABLE>>'


def _kind_tag(step) -> str:
    """The step's kind as shown on the chart: 【决定】 (nothing for 其他)."""
    return "" if step.kind == StepKind.OTHER else f"【{step.get_kind_display()}】"


def _note_label(step) -> str:
    title = _html(_("监督环节"))
    body = _lines(step.supervision_point, width=22, max_lines=4)
    return (
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">'
        f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="{MUTED}">{title}</FONT></TD></TR>'
        f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="10">{body}</FONT></TD></TR></TABLE>>'
    )


def _tooltip(step) -> str:
    parts = [f"{step.order}. {step.name}{_kind_tag(step)}"]
    for label, value in (
        (_("承办岗位"), step.post.name if step.post_id else ""),
        (_("办事制度"), step.rules),
        (_("职责要求"), step.duties),
        (_("监督环节"), step.supervision_point),
        (_("投诉举报途径"), step.complaint_channel),
    ):
        if value:
            parts.append(f"{label}：{value}")
    return _dot_string("；".join(parts)[:500])


def build_graph(flowchart, step_colours: dict | None = None) -> graphviz.Digraph:
    """The DOT graph of a flowchart: start, one box per step (top to bottom), end; supervision as side notes.

    ``step_colours`` (``{step_id: "#rrggbb"}``) draws those steps' borders thick in that colour; an
    app that grades steps (risks: each step's highest risk grade) passes it, powers never computes it.
    """
    step_colours = step_colours or {}
    steps = list(flowchart.steps.all())
    graph = graphviz.Digraph("flowchart", format="svg")
    graph.attr(rankdir="TB", nodesep="0.35", ranksep="0.32", bgcolor="transparent", pad="0.1")
    graph.attr("node", fontname=FONT, fontsize="12", fontcolor=INK, color=LINE, penwidth="1.2")
    graph.attr("edge", color=LINE, arrowsize="0.7", penwidth="1.2")
    terminal = {"shape": "box", "style": "rounded,filled", "fillcolor": "#ffffff", "color": ACCENT,
                "fontcolor": ACCENT, "fontsize": "12", "height": "0.36", "width": "1.1"}  # fmt: skip
    graph.node("start", _("开始"), **terminal)
    previous = "start"
    for step in steps:
        node = f"step{step.order}"
        graph.node(
            node,
            _step_label(step),
            shape="box",
            style="rounded,filled",
            fillcolor="#ffffff",
            margin="0.05",
            tooltip=_tooltip(step),
            **({"color": step_colours[step.pk], "penwidth": "3.5"} if step.pk in step_colours else {}),
        )
        graph.edge(previous, node)
        if step.supervision_point:
            note = f"note{step.order}"
            with graph.subgraph() as row:
                row.attr(rank="same")
                row.node(node)
                row.node(note, _note_label(step), shape="note", style="filled", fillcolor=NOTE_FILL,
                         color="#c4ccd4", margin="0.08,0.04")  # fmt: skip
            graph.edge(node, note, style="dashed", arrowhead="none", color="#c4ccd4", constraint="false")
        previous = node
    graph.node("end", _("办结"), **terminal)
    graph.edge(previous, "end")
    return graph


def draw(flowchart, step_colours: dict | None = None) -> str | None:
    """The flowchart as inline-ready SVG markup, or None (with a warning logged) when ``dot`` cannot run."""
    try:
        svg = build_graph(flowchart, step_colours).pipe(format="svg", encoding="utf-8")
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError, OSError) as exc:
        logger.warning("flowchart of power %s not drawn: %s", flowchart.power_id, exc)
        return None
    svg = _PROLOG.sub("", svg, count=1).strip()
    title = _html(_("权力运行流程图"))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{title}" class="flowchart-svg" ', 1)


def fallback_html(flowchart) -> str:
    """An ordered list of the steps: what the page shows when the picture cannot be drawn."""
    items = format_html_join(
        "",
        "<li><strong>{}</strong>{}{}{}</li>",
        (
            (
                step.name,
                _kind_tag(step),
                format_html(" · {}", step.post.name) if step.post_id else "",
                format_html(" · {}", _("%(days)s个工作日") % {"days": step.time_limit_days})
                if step.time_limit_days is not None
                else "",
            )
            for step in flowchart.steps.all()
        ),
    )
    return format_html(
        '<ol class="flowchart-fallback" aria-label="{}">{}</ol>', _("办理流程（文字版）"), items
    )


def cache_key(flowchart) -> str:
    power = flowchart.power
    return (
        f"powers:flowchart-svg:v{_CACHE_VERSION}:{power.pk}:{power.updated_at.timestamp()}:"
        f"{flowchart.updated_at.timestamp()}"
    )


def cached_svg(flowchart) -> str | None:
    """``draw`` through Django's cache, keyed by the power's pk and both updated_at stamps."""
    key = cache_key(flowchart)
    svg = cache.get(key)
    if svg is None:
        svg = draw(flowchart)
        if svg is not None:  # a missing dot is not cached: the picture appears once dot is installed
            cache.set(key, svg, CACHE_SECONDS)
    return svg


def render_svg(flowchart) -> str:
    """Inline SVG of the flowchart, or the accessible step list when ``dot`` is unavailable."""
    return cached_svg(flowchart) or fallback_html(flowchart)
