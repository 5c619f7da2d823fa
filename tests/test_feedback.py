"""Feedback to applicants: released by the organiser, their own figures only, as a PDF too."""

from __future__ import annotations

import pypdfium2
import pytest
from sqlmodel import select

from pitchjudge.db import session_scope
from pitchjudge.i18n import get_gettext
from pitchjudge.models import Pitch
from pitchjudge.security import new_token, token_hash
from pitchjudge.services import feedback, scoring
from tests.apptest_support import run_page, texts
from tests.factories import make_judging


def marked(engine, settings):
    """Three pitches, two judges; pitch 1 gets 4s and 2s, the others 1s and 5s; comments."""
    w = make_judging(engine, settings, judges=2, pitches=3)
    values = {0: (4, 2), 1: (1, 1), 2: (5, 5)}
    with session_scope(engine) as session:
        for pitch_index, (first, second) in values.items():
            for judge_index, value in enumerate((first, second)):
                ids = dict(
                    round_id=w["round_id"],
                    judge_id=w["judges"][judge_index],
                    pitch_id=w["pitches"][pitch_index],
                )
                for criterion in w["criteria"]:
                    scoring.save_mark(session=session, criterion_id=criterion, value=value, **ids)
                scoring.save_text(
                    session=session,
                    field="comment",
                    value=f"Comment {judge_index} on pitch {pitch_index}",
                    **ids,
                )
                scoring.save_text(
                    session=session, field="private_note", value="PRIVATE jury note", **ids
                )
    return w


def released(engine, w, pitch_index):
    with session_scope(engine, read_only=True) as session:
        return feedback.released_feedback(
            session=session, pitch_id=w["pitches"][pitch_index], contest_id=w["contest"].id
        )


def release(engine, w, value=True):
    with session_scope(engine) as session:
        feedback.set_feedback_released(session=session, round_id=w["round_id"], released=value)


def test_nothing_before_release_then_own_figures_only(engine, settings):
    w = marked(engine, settings)
    assert released(engine, w, 0) == []
    release(engine, w)
    (item,) = released(engine, w, 0)
    assert item.round_name == "Final"
    assert [c.own for c in item.criteria] == [3.0] * 6
    assert [c.field for c in item.criteria] == [pytest.approx(3.0)] * 6  # (3 + 1 + 5) / 3
    assert item.comments == ["Comment 0 on pitch 0", "Comment 1 on pitch 0"]
    assert item.rank_band == "Second half" and item.ranked == 3  # 2nd of 3
    assert released(engine, w, 2)[0].rank_band == "Top half"  # 1st of 3
    release(engine, w, False)
    assert released(engine, w, 0) == []


def test_pdf_opens_and_holds_only_the_applicants_own_feedback(engine, settings):
    w = marked(engine, settings)
    release(engine, w)
    items = released(engine, w, 0)
    data = feedback.feedback_pdf(
        contest_name="Prix Test", startup_name="Startup 1", rounds=items, gettext=get_gettext("fr")
    )
    document = pypdfium2.PdfDocument(data)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    assert "Startup 1" in text and "Comment 0 on pitch 0" in text
    assert "Retour du jury" in text or "jury" in text
    assert "pitch 1" not in text and "pitch 2" not in text  # nobody else's comments
    assert "PRIVATE" not in text  # private notes never reach applicants


def test_my_application_page_shows_released_feedback(app_env):
    engine, settings = app_env
    w = marked(engine, settings)
    token = new_token()
    with session_scope(engine) as session:
        pitch = session.exec(select(Pitch).where(Pitch.id == w["pitches"][0])).one()
        pitch.token_hash = token_hash(token)
        session.add(pitch)
    at = run_page("pages/my_application.py", params={"token": token})
    assert "Feedback from the jury" not in texts(at)
    release(engine, w)
    at = run_page("pages/my_application.py", params={"token": token})
    body = texts(at)
    assert "Feedback from the jury" in body and "Comment 1 on pitch 0" in body
    assert "PRIVATE" not in body
