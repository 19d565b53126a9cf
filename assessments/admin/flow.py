"""The flow map: an assessment's steps and branches drawn as SVG on the server, with a text
version beside it. Steps stand in a column in their order; `next` rules leave on the right and
re-enter the step they jump to, each in a lane of its own, their conditions written beside them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from assessments.authoring.definitions import definition_from_draft
from assessments.engine.flowmap import FlowMap, FlowStep, clip, flow_map

BOX_X, BOX_W = 20, 320
TOP = 20
GAP = 56  # between boxes: room for the arrow down and its label
LINE = 17
LANE_START, LANE_GAP = 28, 22
CHAR_W = 6.6  # average width of a 12px label character, to size the drawing
LABEL_CHARS = 64
TEXT_CHARS = 44


@dataclass
class _Box:
    step: FlowStep
    href: str
    y: int
    height: int
    lines: list[tuple[str, str]] = field(default_factory=list)  # (class, text)
    exits: int = 0

    @property
    def bottom(self) -> int:
        return self.y + self.height


def _wrap(text: str, width: int, most: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    if len(lines) > most:
        lines = [*lines[: most - 1], clip(" ".join(lines[most - 1 :]), width)]
    return lines


def _boxes(flow: FlowMap, links: dict[str, str]) -> list[_Box]:
    boxes, y = [], TOP
    for step in flow.steps:
        lines = [("step-title", clip(f"{step.index + 1}. {step.title}", TEXT_CHARS - 4))]
        count = len(step.prompts)
        lines.append(("step-note", f"{step.key} · {count} question{'s' if count != 1 else ''}"))
        if step.condition:
            for text in _wrap(f"Shown only when {step.condition}", TEXT_CHARS, 3):
                lines.append(("step-note", text))
        if step.unreachable:
            lines.append(("step-warning", "⚠ Never reached: see the list"))
        jumps = sum(1 for e in step.edges if e.jump)
        height = max(LINE * len(lines) + 18, 24 + jumps * 16)
        boxes.append(_Box(step, links.get(step.key, ""), y, height, lines))
        y += height + GAP
    return boxes


def _lanes(spans: list[tuple[int, int]]) -> list[int]:
    """A lane per jump so that no two overlapping jumps share one; shorter jumps go inside."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][1] - spans[i][0], spans[i][0]))
    taken: list[list[tuple[int, int]]] = []
    lanes = [0] * len(spans)
    for i in order:
        low, high = spans[i]
        for lane, used in enumerate(taken):
            if all(high <= a or low >= b for a, b in used):
                used.append((low, high))
                lanes[i] = lane
                break
        else:
            taken.append([(low, high)])
            lanes[i] = len(taken) - 1
    return lanes


def flow_drawing(flow: FlowMap, links: dict[str, str]) -> dict[str, Any]:
    """Every shape of the SVG, positioned: boxes, arrows down, jump edges and their labels."""
    boxes = _boxes(flow, links)
    by_key = {b.step.key: b for b in boxes}
    right = BOX_X + BOX_W
    centre = BOX_X + BOX_W // 2
    downs, jumps = [], []
    end_y = boxes[-1].bottom + GAP if boxes else TOP
    spans: list[tuple[int, int]] = []
    pending = []
    entries: dict[str, int] = {}
    for box in boxes:
        for edge in box.step.edges:
            if edge.jump and edge.target in by_key:
                target = by_key[edge.target]
                pending.append((box, target, edge))
                spans.append((box.step.index, target.step.index))
            elif not edge.jump:
                target_y = by_key[edge.target].y if edge.target in by_key else end_y
                label = "" if edge.words == "then" else edge.words
                downs.append(
                    {
                        "d": f"M{centre},{box.bottom} V{target_y - 8}",
                        "arrow": _arrow_down(centre, target_y),
                        "label": label,
                        "lx": centre + 8,
                        "ly": (box.bottom + target_y) // 2 + 4,
                    }
                )
    lanes = _lanes(spans)
    lanes_right = right + LANE_START + LANE_GAP * (max(lanes) + 1 if lanes else 0)
    label_x = lanes_right + 10
    widest = 0
    for (box, target, edge), lane in zip(pending, lanes, strict=True):
        x = right + LANE_START + LANE_GAP * lane
        y_out = box.y + 18 + 16 * box.exits
        box.exits += 1
        y_in = target.y + 12 + 8 * entries.get(target.step.key, 0)
        entries[target.step.key] = entries.get(target.step.key, 0) + 1
        words = f"→ {target.step.title}: {edge.words}"
        text = clip(words, LABEL_CHARS)
        widest = max(widest, len(text))
        jumps.append(
            {
                "d": f"M{right},{y_out} H{label_x - 4} M{x},{y_out} V{y_in} H{right + 8}",
                "arrow": f"{right},{y_in} {right + 9},{y_in - 5} {right + 9},{y_in + 5}",
                "label": text,
                "title": words,
                "lx": label_x,
                "ly": y_out + 4,
            }
        )
    width = int(label_x + widest * CHAR_W + 20) if jumps else right + 200
    return {
        "boxes": boxes,
        "downs": downs,
        "jumps": jumps,
        "end": {"x": centre - 40, "y": end_y, "tx": centre},
        "width": width,
        "height": end_y + 40,
        "box_x": BOX_X,
        "box_w": BOX_W,
    }


def _arrow_down(x: int, y: int) -> str:
    return f"{x},{y} {x - 5},{y - 9} {x + 5},{y - 9}"


def flow_rows(flow: FlowMap, links: dict[str, str]) -> list[dict[str, Any]]:
    """The text version: each step, its link, and each way on in words."""
    titles = {s.key: s.title for s in flow.steps}
    return [
        {
            "step": step,
            "href": links.get(step.key, ""),
            "edges": [
                (
                    f"“{titles[e.target]}”" if e.target in titles else _("the results"),
                    "" if e.words == "then" else e.words,
                )
                for e in step.edges
            ],
        }
        for step in flow.steps
    ]


class FlowMapViews:
    """Adds the flow map page to the assessment admin (`get_urls` chains to the next class)."""

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view  # type: ignore[attr-defined]
        return [
            path("<int:pk>/flow/", view(self.flow_view), name="assessments_assessment_flow"),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def flow_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        assessment = self._get(request, pk, edit=False)  # type: ignore[attr-defined]
        definition = definition_from_draft(assessment)
        language = get_language() or ""
        if language not in assessment.languages:
            language = assessment.default_language
        flow = flow_map(definition, language)
        links = {
            key: reverse("admin:assessments_step_change", args=[step_pk])
            for key, step_pk in assessment.steps.values_list("key", "pk")
        }
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": self.model._meta,  # type: ignore[attr-defined]
            "original": assessment,
            "title": _("Flow map of %(assessment)s") % {"assessment": assessment},
            "flow": flow,
            "drawing": flow_drawing(flow, links),
            "rows": flow_rows(flow, links),
            "unreachable": [s for s in flow.steps if s.unreachable],
        }
        return TemplateResponse(request, "admin/assessments/assessment/flow.html", context)
