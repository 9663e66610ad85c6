"""A journey's emotion lane: for each step, the emotion shown and how well
it is evidenced. Pure reading, no writes.

The rule (the same on the page, its exports and the API):

- **Source.** The latest *closed* readiness survey wave of the journey's
  programme (`readiness.scores.closed_waves`), and only when the journey's
  `fill_from_survey` is on. Its `readiness.models.ElementTally` rows are
  taken for the persona's units, each with everything below it (unit path
  prefix), and the persona's role group (blank: every role group), for the
  step's ADKAR element.
- **Survey emotion.** responses = the sum of the rows' responses; mean =
  total / answers on the 1-5 agreement scale; emotion = mean - 3, so -2
  (strongly disagree) to +2 (strongly agree), to one decimal.
- **Suppression**, as `readiness.scores` decides what is shown: when the
  responses are fewer than the wave's `min_responses` (fixed from the
  `SurveyPolicy` when the wave opened), or any source present (personal
  links, imports) has fewer, there is no survey figure at all - not the
  mean, not even the count ("below threshold") - and the step shows the
  team's own judgement (the manual emotion), evidence "No data".
- **Evidence.** "Fully evidenced" when the responses behind the survey
  emotion are at least max(30, 3 x the wave's threshold); "Partly
  evidenced" when shown with fewer; "No data" when the step has no ADKAR
  element (judgement only), when nothing was shown from the survey, or the
  journey does not fill from the survey.
- **Dip.** The step or steps with the lowest emotion shown (ties all
  marked); none when no step has an emotion.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pygal

from changeboard.core.scoping import subtree_q
from changeboard.readiness.models import ElementTally
from changeboard.readiness.scores import ELEMENT_LABELS, closed_waves
from changeboard.reports.charts import Chart, chart_config, render_svg
from changeboard.surveys.models import SurveyWave

from .models import Emotion, Journey, Step

NO_DATA = "No data"
PARTLY = "Partly evidenced"
FULLY = "Fully evidenced"
FULLY_AT_LEAST = 30
BELOW_THRESHOLD = "below threshold"
SURVEY, JUDGEMENT = "survey", "judgement"


def fully_from(threshold: int) -> int:
    """Responses needed for "Fully evidenced"."""
    return max(FULLY_AT_LEAST, 3 * threshold)


@dataclass
class StepLane:
    step: Step
    stage: str
    manual: int | None
    survey: float | None = None  # the survey emotion, only when shown
    responses: int | None = None  # only when shown
    suppressed: bool = False  # the survey had answers, but too few to show
    evidence: str = NO_DATA
    dip: bool = False

    @property
    def shown(self) -> float | None:
        if self.survey is not None:
            return self.survey
        return float(self.manual) if self.manual is not None else None

    @property
    def source(self) -> str | None:
        if self.survey is not None:
            return SURVEY
        return JUDGEMENT if self.manual is not None else None

    @property
    def responses_text(self) -> str:
        if self.responses is not None:
            return str(self.responses)
        if self.suppressed:
            return BELOW_THRESHOLD
        return "-" if not self.step.adkar else "none"

    @property
    def element_label(self) -> str:
        return ELEMENT_LABELS.get(self.step.adkar, "") if self.step.adkar else ""

    def as_dict(self) -> dict[str, Any]:
        return {"step": self.step.pk, "step_name": self.step.name, "stage": self.stage, "adkar": self.step.adkar or None,
                "manual_emotion": self.manual, "survey_emotion": self.survey, "emotion": self.shown, "source": self.source,
                "responses": self.responses, "below_threshold": self.suppressed, "evidence": self.evidence, "dip": self.dip}


@dataclass
class Lane:
    journey: Journey
    wave: SurveyWave | None
    threshold: int | None
    steps: list[StepLane] = field(default_factory=list)

    @property
    def dip(self) -> list[StepLane]:
        return [s for s in self.steps if s.dip]

    @property
    def fully_from(self) -> int:
        return fully_from(self.threshold or 0)

    @property
    def has_emotion(self) -> bool:
        return any(s.shown is not None for s in self.steps)

    def as_dict(self) -> dict[str, Any]:
        wave = None
        if self.wave is not None:
            wave = {"id": self.wave.pk, "title": self.wave.title, "closes_on": self.wave.closes_on, "min_responses": self.threshold}
        return {"wave": wave, "fully_evidenced_from": fully_from(self.threshold) if self.threshold else None,
                "steps": [s.as_dict() for s in self.steps], "dip": [s.step.pk for s in self.dip]}


def latest_closed_wave(journey: Journey) -> SurveyWave | None:
    waves = closed_waves(journey.programme, limit=1)
    return waves[-1] if waves else None


def _tallies(journey: Journey, wave: SurveyWave, elements: set[str]) -> dict[str, dict[str, list[int]]]:
    """element -> source -> [responses, answers, total] for the persona's group."""
    paths = [u.path for u in journey.units.all()]
    rows = ElementTally.objects.filter(subtree_q(paths, "unit__path"), wave=wave, element__in=elements)
    if journey.role_group:
        rows = rows.filter(role_group=journey.role_group)
    sums: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for element, source, n, a, t in rows.values_list("element", "source", "responses", "answers", "total"):
        acc = sums[element][source]
        acc[0] += n
        acc[1] += a
        acc[2] += t
    return sums


def journey_lane(journey: Journey) -> Lane:
    steps = [step for stage in journey.stages.all().prefetch_related("steps") for step in stage.steps.all()]
    stage_names = {s.stage_id: s.stage.name for s in steps}
    wave = latest_closed_wave(journey) if journey.fill_from_survey else None
    threshold = wave.min_responses if wave is not None else None
    lane = Lane(journey, wave, threshold, [StepLane(s, stage_names[s.stage_id], s.emotion) for s in steps])
    elements = {s.adkar for s in steps if s.adkar}
    if wave is not None and threshold is not None and elements:
        sums = _tallies(journey, wave, elements)
        for item in lane.steps:
            per_source = sums.get(item.step.adkar) if item.step.adkar else None
            if not per_source:
                continue
            responses = sum(v[0] for v in per_source.values())
            answers = sum(v[1] for v in per_source.values())
            total = sum(v[2] for v in per_source.values())
            present = [v[0] for v in per_source.values() if v[0]]
            if not present or not answers or responses < threshold or any(n < threshold for n in present):
                item.suppressed = bool(present)
                continue
            item.survey = round(total / answers - 3, 1)
            item.responses = responses
            item.evidence = FULLY if responses >= fully_from(threshold) else PARTLY
    shown = [s.shown for s in lane.steps if s.shown is not None]
    if shown:
        low = min(shown)
        for item in lane.steps:
            item.dip = item.shown is not None and item.shown == low
    return lane


def _signed(value: float | None) -> str:
    if value is None:
        return "none"
    return f"{value:+.1f}" if value else "0.0"


def lane_rows(lane: Lane) -> list[list[Any]]:
    """The chart's data table: step, emotion, source, responses, evidence, dip."""
    return [[f"{s.stage}: {s.step.name}", _signed(s.shown), {SURVEY: "Survey", JUDGEMENT: "Judgement"}.get(s.source or "", "None"),
             s.responses_text, s.evidence, "Lowest point" if s.dip else ""] for s in lane.steps]


LANE_HEADERS = ["Step", "Emotion (-2 to +2)", "Source", "Responses", "Evidence", "Dip"]


def lane_chart(lane: Lane) -> Chart:
    """The emotion lane as a line chart (a gap where a step has no emotion),
    the dip drawn as a second series of larger dots, and its data table."""
    line = chart_config(pygal.Line, f"Emotion lane: {lane.journey.persona}", range=(-2, 2), show_legend=True, allow_interruptions=True,
                   x_label_rotation=30 if len(lane.steps) > 5 else 0, dots_size=6, y_labels=[-2, -1, 0, 1, 2],
                   y_title="Emotion (-2 very negative to +2 very positive)", x_title="Step", legend_at_bottom_columns=2,
                   value_formatter=lambda v: f"{v:+.1f}")
    line.x_labels = [s.step.name for s in lane.steps]
    line.add("Emotion", [s.shown for s in lane.steps], stroke_style={"width": 3})
    line.add("Dip (lowest point)", [s.shown if s.dip else None for s in lane.steps], stroke=False, dots_size=12)
    dip = lane.dip
    source = (f"survey wave {lane.wave.title} (closed {lane.wave.closes_on:%d %b %Y}) and the team's judgement" if lane.wave is not None
              else "the team's judgement")
    alt = (f"Line chart of the emotion of {len(lane.steps)} steps of the journey, from {source}. "
           + ("Lowest point: " + ", ".join(f"{s.step.name} ({_signed(s.shown)})" for s in dip) + "." if dip else "No step has an emotion yet.")
           + " The same figures are in the table.")
    caption = (f"Emotion per step, from -2 (very negative) to +2 (very positive), from {source}. "
               + (f"A survey figure needs at least {lane.threshold} responses; fewer shows the team's judgement. " if lane.threshold else ""))
    return Chart("Emotion lane", render_svg(line, f"lane-{lane.journey.pk}"), alt, LANE_HEADERS, lane_rows(lane), caption, key="lane")


EMOTION_LABELS = dict(Emotion.choices)
