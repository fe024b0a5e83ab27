"""Goals (named event conditions) and feedback (survey and NPS answers with the page they were given on)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from tests.people import write_people
from tests.store.filter_stores import random_store
from tests.storekit import NOW_ISO, ingest
from tui_profiles.config import Settings, SettingsError
from tui_profiles.domain import filters
from tui_profiles.domain.feedback import read_answer
from tui_profiles.domain.goals import GoalError, parse_condition, parse_goals, tag_goal_events
from tui_profiles.settings_sources import load_settings
from tui_profiles.store import feedback, goals, models, queries
from tui_profiles.store.engine import make_engine
from tui_profiles.store.filter_sql import event_condition
from tui_profiles.store.models import EVENTS


@pytest.mark.parametrize(("text", "node"), [
    ("Signed Up", filters.Did("Signed Up")),
    ("  did Signed Up ", filters.Did("Signed Up")),
    ('"Order Completed"', filters.Did("Order Completed")),
    ("did page /pricing", filters.Visited("/pricing")),
    ("page /docs/*", filters.Visited("/docs/", True)),
    ("/pricing", filters.Visited("/pricing")),
    ("visited /a b", filters.Visited("/a b")),
    ('did:"Order Completed".total:>100', filters.Did("Order Completed", filters.EventProperty(("total",), filters.Compare(">", 100)))),
    ("visited:/docs/*", filters.Visited("/docs/", True)),
    ("did:page./pricing", filters.Visited("/pricing")),
])  # fmt: skip
def test_goal_conditions_read_as_staff_write_them(text, node):
    assert parse_condition(text) == node


@pytest.mark.parametrize("text", ["", "  ", "did page ", "page", 'did:"x".y:', "did:x OR did:y", '""'])
def test_unreadable_goal_conditions_say_so(text):
    with pytest.raises(GoalError):
        parse_condition(text)


def test_goals_from_the_environment(monkeypatch):
    monkeypatch.setenv("TUI_PROFILES_GOALS", json.dumps({"Signed up": "Signed Up", "Saw pricing": "did page /pricing"}))
    configured = parse_goals(load_settings("sqlite:///x").goals)
    assert [(g.name, g.node) for g in configured] == [("Signed up", filters.Did("Signed Up")), ("Saw pricing", filters.Visited("/pricing"))]
    monkeypatch.setenv("TUI_PROFILES_GOALS", '["Order Completed"]')
    assert load_settings("sqlite:///x").goals == {"Order Completed": "Order Completed"}
    for bad in ("{", '{"a": 1}', '"x"'):
        monkeypatch.setenv("TUI_PROFILES_GOALS", bad)
        with pytest.raises(SettingsError):
            load_settings("sqlite:///x")
    with pytest.raises(GoalError, match="'Bad'"):
        parse_goals({"Good": "x", "Bad": "did:"})


GOALS = {
    "Surveyed": "Survey Responded",
    "Promoter": 'did:"survey responded".score:>=9',
    "Saw pricing": "did page /pricing",
    "Docs": "/docs*",
    "Bought": "Order Completed",
}


@pytest.fixture
def people(db_url, tmp_path):
    ingest(db_url, [write_people(tmp_path / "inbox")])
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def test_which_goals_a_profile_completed_and_when_first(people):
    configured = parse_goals(GOALS)
    with people.connect() as conn:
        alice = queries.find_profile(conn, "user-alice")
        done = goals.goal_completions(conn, alice, configured)
        timeline = queries.timeline(conn, alice)
    by_id = {e.event_id: e for e in timeline}
    summary = {g.goal: (g.completed, g.times, by_id[g.first_event_id].name if g.completed else None) for g in done}
    assert summary == {
        "Surveyed": (True, 1, "Survey Responded"), "Promoter": (True, 1, "Survey Responded"),
        "Saw pricing": (True, 1, "Pricing"), "Docs": (False, 0, None), "Bought": (False, 0, None),
    }  # fmt: skip
    first = {g.goal: g.first_ms for g in done}
    assert first["Saw pricing"] < first["Surveyed"] == by_id[done[0].first_event_id].ts
    tagged = tag_goal_events(timeline, configured)
    assert sorted(tagged.values()) == [("Saw pricing",), ("Surveyed", "Promoter")]


@pytest.mark.parametrize("seed", [3, 4])
def test_timeline_tags_agree_with_the_sql_count(db_url, tmp_path, seed):
    """The TUI tags rows in Python (the filter's reference evaluator); the store counts in SQL: same events."""
    random_store(db_url, tmp_path, seed)
    configured = parse_goals({
        "a": "Order Completed", "b": "order completed", "c": 'did:"Order Completed".total:>=100', "d": "did page /pricing",
        "e": "/docs/*", "f": 'did:"Signed Up".note:~o', "g": 'did:clicked.total:"150"', "h": "did:page./Pricing",
    })  # fmt: skip
    engine = make_engine(db_url)
    with engine.connect() as conn:
        profile_ids = [pid for (pid,) in conn.execute(sa.select(models.Profile.__table__.c.id))]
        python = {}
        for pid in profile_ids:
            for event_id, names in tag_goal_events(queries.timeline(conn, pid), configured).items():
                for name in names:
                    python.setdefault(name, set()).add(event_id)
        sql = {
            g.name: ids for g in configured
            if (ids := {i for (i,) in conn.execute(sa.select(EVENTS.c.id).where(event_condition(g.node, conn=conn)))})
        }  # fmt: skip
    engine.dispose()
    assert python == sql and len(sql) >= 5


def test_the_goals_command(people, db_url):
    env = {**os.environ, "TUI_PROFILES_NOW": NOW_ISO, "TUI_PROFILES_GOALS": json.dumps(GOALS)}
    run = subprocess.run([sys.executable, "-m", "tui_profiles", "--db", db_url, "goals", "user-alice", "--json"],
                         capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert [(g["goal"], g["completed"], g["times"]) for g in doc][:3] == [("Surveyed", True, 1), ("Promoter", True, 1), ("Saw pricing", True, 1)]  # noqa: E501
    assert doc[0]["first"] == "2024-03-04T09:08:00.000Z" and doc[-1] == {"goal": "Bought", "condition": "Order Completed",
                                                                         "completed": False, "first": None, "times": 0}  # fmt: skip
    env["TUI_PROFILES_GOALS"] = "{not json"
    run = subprocess.run([sys.executable, "-m", "tui_profiles", "--db", db_url, "goals", "user-alice"],
                         capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert run.returncode == 1 and "TUI_PROFILES_GOALS" in run.stderr and "Traceback" not in run.stderr


# -- feedback ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("props", "expected"), [
    ({"$survey_id": "s", "$survey_name": "NPS", "$survey_response": 9}, ("s", "NPS", 9, None)),
    ({"$survey_response": "8", "$survey_response_1": "Love it"}, (None, None, 8, "Love it")),
    ({"$survey_response": "Too slow"}, (None, None, None, "Too slow")),
    ({"$survey_response": ["A", "B"]}, (None, None, None, "A, B")),
    ({"$survey_response_2": "two", "$survey_response_1": "one"}, (None, None, None, "one")),
    ({"survey_id": 7, "score": 3, "comment": "meh"}, ("7", None, 3, "meh")),
    ({"rating": "4.5", "answer": ""}, (None, None, 4.5, None)),
    ({"nps": True, "response": "yes"}, (None, None, None, "yes")),
    ({}, (None, None, None, None)),
])  # fmt: skip
def test_reading_survey_answers(props, expected):
    answer = read_answer(props)
    assert (answer.survey_id, answer.survey_name, answer.score, answer.answer) == expected


def test_feedback_of_a_profile_with_the_page_it_was_on(people):
    settings = Settings()
    with people.connect() as conn:
        alice = feedback.feedback_of(conn, queries.find_profile(conn, "user-alice"), settings=settings)
        dan = feedback.feedback_of(conn, queries.find_profile(conn, "user-dan"), settings=settings)
        bob = feedback.feedback_of(conn, queries.find_profile(conn, "user-bob"), settings=settings, newest_first=False)
        carol = feedback.feedback_of(conn, queries.find_profile(conn, "user-carol"), settings=settings)
    [a] = alice
    assert (a.event, a.survey_id, a.survey_name, a.score, a.answer) == ("Survey Responded", "nps-1", "NPS", 9, "Great, thanks")
    assert (a.page_path, a.page_from) == ("/pricing", feedback.PAGE_BEFORE)  # the page viewed just before, same session
    assert a.session_id is not None
    [d] = dan
    assert (d.event, d.survey_name, d.score, d.answer) == ("survey sent", "Billing", 8, "Love it")
    assert (d.page_path, d.page_url, d.page_from) == ("/billing/plans", "https://shop.example/billing/plans", feedback.OWN_PAGE)
    assert dict(d.responses) == {"$survey_response": "8", "$survey_response_1": "Love it"}
    assert [(b.event, b.score, b.answer, b.page_path) for b in bob] == [
        ("survey sent", None, "Confusing", "/"),  # the PostHog pageview before it
        ("Survey Responded", 3, "too slow", "/"),
    ]
    assert carol == []
    with people.connect() as conn:  # the names are a setting
        only_posthog = Settings(feedback_events=("SURVEY SENT",))
        assert len(feedback.feedback_of(conn, queries.find_profile(conn, "user-bob"), settings=only_posthog)) == 1


def test_the_feedback_command(people, db_url):
    env = {**os.environ, "TUI_PROFILES_NOW": NOW_ISO}
    run = subprocess.run([sys.executable, "-m", "tui_profiles", "--db", db_url, "feedback", "user-dan", "--json"],
                         capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    [item] = json.loads(run.stdout)
    assert item["score"] == 8 and item["page"] == "/billing/plans" and item["page_from"] == "event"
    assert item["timestamp"] == "2024-03-04T09:41:00.000Z" and item["responses"]["$survey_response_1"] == "Love it"
    run = subprocess.run([sys.executable, "-m", "tui_profiles", "--db", db_url, "feedback", "nobody"],
                         capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert run.returncode == 1 and "no profile" in run.stderr
