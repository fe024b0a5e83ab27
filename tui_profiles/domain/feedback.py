"""Survey and NPS answers: what one feedback event says (survey, score, answer), read from its properties.

Segment-style `Survey Responded` events carry the answer in properties such as
`score`, `rating` or `nps` (a number) and `answer`, `response` or `comment`
(text). PostHog's `survey sent` carries `$survey_id`, `$survey_name` and the
answers in `$survey_response` (the first question), `$survey_response_1`, ...
(or `$survey_response_<question id>`). A number, or a text that is only a
number ("9", as rating questions may send), is a score; other text is an answer;
a list (multiple choice) is an answer joined with ", ".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .filters import as_number

SURVEY_ID_KEYS = ("$survey_id", "survey_id", "surveyId")
SURVEY_NAME_KEYS = ("$survey_name", "survey_name", "surveyName", "survey")
SCORE_KEYS = ("score", "rating", "nps", "nps_score", "npsScore", "value")
ANSWER_KEYS = ("answer", "response", "comment", "feedback", "text", "message")
POSTHOG_RESPONSE = "$survey_response"


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    survey_id: str | None
    survey_name: str | None
    score: int | float | None
    answer: str | None
    responses: tuple[tuple[str, Any], ...]  # every answer field found, in reading order


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return as_number(value.strip())
    return None


def _as_answer(value: Any) -> str | None:
    if isinstance(value, list):
        parts = [str(v) for v in value if v is not None and str(v).strip()]
        return ", ".join(parts) if parts else None
    return value if isinstance(value, str) and value.strip() else None


def response_keys(properties: Mapping[str, Any]) -> list[str]:
    """The answer fields of a feedback event, PostHog's in question order, then the Segment-style ones."""
    posthog = [k for k in properties if isinstance(k, str) and k.startswith(POSTHOG_RESPONSE)]
    posthog.sort(key=lambda k: (k != POSTHOG_RESPONSE, _question_number(k), k))
    return posthog + [k for k in (*SCORE_KEYS, *ANSWER_KEYS) if k in properties]


def _question_number(key: str) -> int:
    tail = key[len(POSTHOG_RESPONSE) + 1 :]
    return int(tail) if tail.isdigit() else 10**6


def read_answer(properties: Mapping[str, Any]) -> SurveyAnswer:
    keys = response_keys(properties)
    responses = tuple((k, properties[k]) for k in keys if properties[k] not in (None, "", []))
    score = answer = None
    for key, value in responses:
        if score is None and (key in SCORE_KEYS or key.startswith(POSTHOG_RESPONSE)):
            score = _number(value)
            if score is not None:
                continue
        if answer is None and key not in SCORE_KEYS:
            answer = _as_answer(value)
    return SurveyAnswer(
        survey_id=next((t for k in SURVEY_ID_KEYS if (t := _text(properties.get(k)))), None),
        survey_name=next((t for k in SURVEY_NAME_KEYS if (t := _text(properties.get(k)))), None),
        score=score,
        answer=answer,
        responses=responses,
    )
