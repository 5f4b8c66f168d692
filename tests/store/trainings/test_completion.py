"""Completion rules: exact shares, sessions, hours, overrides, and the derived columns."""
from fractions import Fraction

import pytest

from desktop_app.domain.trainings import CompletionRule, completion_status, parse_hours
from desktop_app.store.repository import ValidationError
from desktop_app.store.trainings import queries as tq
from desktop_app.store.trainings import repositories as tr
from desktop_app.store.trainings import services as ts
from tests.helpers import trainings as h


@pytest.mark.parametrize("attended,total,expected", [
    (8, 10, True),      # exactly 80 % meets 0.8 (no floating-point surprise)
    (7, 10, False),
    (4, 5, True),
    (3, 4, False),      # 75 % < 80 %
    (0, 0, False),      # an event without sessions is never completed by attendance
    (0, 10, False),
    (10, 10, True),
])
def test_share_rule_edges(attended, total, expected):
    rule = CompletionRule.from_attributes({"completion": {"min_share_sessions": 0.8}})
    assert rule.is_met(attended, total) is expected


def test_share_is_exact_for_thirds():
    rule = CompletionRule.from_attributes({"completion": {"min_share_sessions": "0.7"}})
    assert rule.min_share_sessions == Fraction(7, 10)
    assert rule.is_met(7, 10)
    assert rule.is_met(2, 3) is False


def test_missing_rule_means_every_session():
    rule = CompletionRule.from_attributes({})
    assert rule.is_met(5, 5)
    assert not rule.is_met(4, 5)


def test_hours_and_sessions_must_both_hold():
    rule = CompletionRule.from_attributes(
        {"completion": {"min_share_sessions": 0.8, "min_hours": 100}})
    # 16 of 20 sessions of 6 h = 96 h < 100 h
    assert not rule.is_met(16, 20, 16 * 360)
    assert rule.is_met(17, 20, 17 * 360)
    count_rule = CompletionRule.from_attributes({"min_sessions": 3})
    assert count_rule.min_share_sessions is None
    assert count_rule.is_met(3, 10) and not count_rule.is_met(2, 10)


def test_invalid_share_is_refused():
    with pytest.raises(ValueError):
        CompletionRule.from_attributes({"min_share_sessions": 1.5})
    with pytest.raises(ValueError):
        CompletionRule.from_attributes({"min_share_sessions": "eighty"})


def test_override_beats_rule():
    rule = CompletionRule.from_attributes({"min_share_sessions": 1})
    assert completion_status(rule, 1, 10, 0, "completed") is True
    assert completion_status(rule, 10, 10, 0, "not_completed") is False
    assert completion_status(rule, 10, 10, 0, None) is True


def test_parse_hours():
    assert parse_hours("1,5") == 90
    assert parse_hours("2") == 120
    with pytest.raises(ValueError):
        parse_hours("1.0001")


def test_completion_follows_attendance_sessions_and_override(session):
    ev = h.event(session, course="siyb", sessions=10)          # rule: 80 %
    p = h.person(session, "Раҳмонова", "Гулнора")
    part = ts.add_participant(session, ev["id"], p["id"])
    h.attend(session, ev["id"], part["id"], 7)
    row = tr.TrainingParticipantRepository(session).get(part["id"])
    assert (row["attended_sessions"], row["completed"]) == (7, 0)

    sessions = tq.sessions_of(session.conn, ev["id"])
    tr.TrainingAttendanceRepository(session).mark(ev["id"], sessions[7]["id"], part["id"], True)
    row = tr.TrainingParticipantRepository(session).get(part["id"])
    assert (row["attended_sessions"], row["attended_minutes"], row["completed"]) == (8, 1920, 1)

    # adding two more sessions lowers the share to 8/12 < 80 %
    ts.add_sessions(session, ev["id"], ["2026-03-20", "2026-03-21"], 240)
    assert tr.TrainingParticipantRepository(session).get(part["id"])["completed"] == 0

    # deleting one session: 8/11 = 72.7 % still short; deleting another: 8/10
    tr.TrainingSessionRepository(session).delete(tq.sessions_of(session.conn, ev["id"])[-1]["id"])
    assert tr.TrainingParticipantRepository(session).get(part["id"])["completed"] == 0
    tr.TrainingSessionRepository(session).delete(tq.sessions_of(session.conn, ev["id"])[-1]["id"])
    assert tr.TrainingParticipantRepository(session).get(part["id"])["completed"] == 1

    repo = tr.TrainingParticipantRepository(session)
    with pytest.raises(ValidationError) as err:
        repo.set_override(part["id"], "not_completed", "  ")
    assert "override_reason" in err.value.errors
    assert repo.get(part["id"])["completion_override"] is None   # nothing half-saved
    repo.set_override(part["id"], "not_completed", "Left for Russia before the exam")
    assert repo.get(part["id"])["completed"] == 0
    repo.set_override(part["id"], None)
    row = repo.get(part["id"])
    assert row["completed"] == 1 and row["override_reason"] is None


def test_changing_the_course_rule_recomputes(session):
    ev = h.event(session, course="siyb", sessions=4)
    part = ts.add_participant(session, ev["id"], h.person(session, "Karimova", "Zarina")["id"])
    h.attend(session, ev["id"], part["id"], 3)                  # 75 % < 80 %
    assert tr.TrainingParticipantRepository(session).get(part["id"])["completed"] == 0
    ts.save_course(session, "siyb", {"en": "SIYB", "ru": "НСБ", "tg": "ТБО", "uz": "BBR"},
                   min_share_sessions="0.75")
    assert tr.TrainingParticipantRepository(session).get(part["id"])["completed"] == 1
    assert tq.course_rule(session.conn, "siyb").min_share_sessions == Fraction(3, 4)


def test_new_course_needs_every_label(session):
    with pytest.raises(ValidationError) as err:
        ts.save_course(session, "tailoring",
                       {"en": "Tailoring", "ru": "Шитьё", "tg": "", "uz": "Tikuvchilik"})
    assert "label_tg" in err.value.errors
    course = ts.save_course(session, "tailoring", {"en": "Tailoring", "ru": "Шитьё",
                                                   "tg": "Дӯзандагӣ", "uz": "Tikuvchilik"},
                            min_share_sessions=0.9, default_sessions=12)
    assert course["code"] == "tailoring"
    assert tq.course_rule(session.conn, "tailoring").min_share_sessions == Fraction(9, 10)


def test_trainings_catalogs_are_complete():
    from desktop_app.i18n.build import problems
    assert [p for p in problems() if "trainings.po" in p] == []
