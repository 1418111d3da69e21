"""The flowchart picture: graphviz SVG with Chinese, safe to inline, and a text fallback without dot."""

import logging
import shutil
import xml.etree.ElementTree as ET

import graphviz
import pytest

from powers import flowchart as drawing
from tests.factories import PostFactory
from tests.powers.factories import FlowchartFactory, FlowStepFactory

pytestmark = pytest.mark.django_db

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz dot is not installed")
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def chart(department):
    chart = FlowchartFactory(power__department=department, steps=0)
    post = PostFactory(department=department, name="受理岗")
    FlowStepFactory(flowchart=chart, order=1, name="受理申请", post=post, time_limit_days=1,
                    supervision_point="电子监察实时监控")  # fmt: skip
    FlowStepFactory(flowchart=chart, order=2, name="现场核查", time_limit_days=5, supervision_point="")
    FlowStepFactory(flowchart=chart, order=3, name="作出决定", time_limit_days=2)
    return chart


def svg_texts(svg: str) -> str:
    """All text the picture shows, as drawn (parses the SVG, so it must be well-formed XML)."""
    root = ET.fromstring(svg)
    return " ".join(t.text or "" for t in root.iter(f"{SVG_NS}text"))


@needs_dot
class TestDraw:
    def test_svg_shows_the_steps_in_chinese_with_post_and_time_limit(self, chart):
        svg = drawing.draw(chart)
        assert svg.startswith("<svg ")  # no XML prolog or DOCTYPE: ready to inline
        texts = svg_texts(svg)
        for expected in (
            "受理申请",
            "现场核查",
            "作出决定",
            "承办岗位：受理岗",
            "时限：5个工作日",
            "开始",
            "办结",
        ):
            assert expected in texts
        assert "电子监察实时监控" in texts  # the supervision point as a side note
        assert 'font-family="WenQuanYi Micro Hei"' in svg
        assert 'role="img"' in svg

    def test_steps_are_drawn_top_to_bottom_in_order(self, chart):
        root = ET.fromstring(drawing.draw(chart))
        y = {}
        for text in root.iter(f"{SVG_NS}text"):
            if text.text in ("受理申请", "现场核查", "作出决定"):
                y[text.text] = float(text.get("y"))
        assert y["受理申请"] < y["现场核查"] < y["作出决定"]

    def test_script_in_user_text_is_escaped_not_markup(self, chart):
        step = chart.steps.get(order=2)
        step.name = '<script>alert("x")</script>'
        step.supervision_point = "<img src=x onerror=alert(1)> & \\N"
        step.rules = '"><script>alert(2)</script>'
        step.save()
        svg = drawing.draw(chart)
        assert "<script" not in svg.lower()
        assert "<img" not in svg.lower()
        root = ET.fromstring(svg)  # still well-formed
        assert root.tag == f"{SVG_NS}svg"
        texts = svg_texts(svg)
        assert "<script>alert" in texts  # shown as text (wrapped over lines is fine)
        assert "step2" not in texts  # dot's \N escape was not expanded to the node name

    def test_long_names_wrap_instead_of_widening_the_chart(self, chart):
        step = chart.steps.get(order=2)
        step.name = "对申请人提交的全部申请材料进行实质审查并组织现场核查"
        step.save()
        lines = [
            t for t in svg_texts(drawing.draw(chart)).split() if t.startswith("对申请人") or "现场核查" in t
        ]
        assert lines and all(len(line) <= 12 for line in lines)

    def test_cache_is_keyed_by_updated_at(self, chart, settings):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        first = drawing.cached_svg(chart)
        step = chart.steps.get(order=1)
        step.name = "网上受理"
        step.save()
        assert drawing.cached_svg(chart) == first  # same stamps: served from the cache
        chart.save()  # services.save_flowchart saves the chart, which moves its updated_at
        chart.power.refresh_from_db()
        assert "网上受理" in drawing.cached_svg(chart)


class TestWithoutDot:
    def test_missing_dot_falls_back_to_a_step_list_and_warns(self, chart, monkeypatch, caplog):
        def no_dot(*args, **kwargs):
            raise graphviz.ExecutableNotFound(("dot",))

        monkeypatch.setattr(graphviz.Digraph, "pipe", no_dot)
        with caplog.at_level(logging.WARNING, logger="powers.flowchart"):
            assert drawing.draw(chart) is None
            html = drawing.render_svg(chart)
        assert html.startswith('<ol class="flowchart-fallback"')
        assert "受理申请" in html and "受理岗" in html and "5个工作日" in html
        assert any("not drawn" in r.message for r in caplog.records)

    def test_fallback_escapes_user_text(self, chart, monkeypatch):
        monkeypatch.setattr(
            graphviz.Digraph, "pipe", lambda *a, **k: (_ for _ in ()).throw(OSError("no dot"))
        )
        step = chart.steps.get(order=1)
        step.name = "<script>alert(1)</script>"
        step.save()
        html = drawing.render_svg(chart)
        assert "<script>" not in html
        assert "&lt;script&gt;" in html


def test_wrap_counts_chinese_as_two_columns():
    assert drawing.wrap("一二三四五六", width=6) == ["一二三", "四五六"]
    assert drawing.wrap("abcdef", width=6) == ["abcdef"]
    assert drawing.wrap("一二三四五六七八九十", width=4, max_lines=2) == ["一二", "三…"]
