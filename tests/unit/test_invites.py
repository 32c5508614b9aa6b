"""Invitations: the record and its rules, tokens kept hashed, answers kept as they go and
submitted once, revoke, expiry, delete, and the other party's answers kept out of every group
figure and export (except the full backup)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from workshop import db
from workshop.errors import AccessDenied, InvalidInput, NotFound
from workshop.invitation import DEFAULT_DAYS, Invitation, email_text, words
from workshop.invites import Invites, token_hash
from workshop.model import CheckIn, Relationship, make, utcnow

DIMS = ["communication", "trust", "expectations", "momentum", "mutual_value", "responsiveness"]
THEIRS = {"communication": 2, "trust": 4, "expectations": 1, "momentum": 3, "mutual_value": 3,
          "responsiveness": 2}


@pytest.fixture
def setup(store):
    session, _ = store.add_session("Q3 reset")
    person, _ = store.join(session.code, "Dana")
    rel = store.add_relationship(make(Relationship, participant_id=person.id,
                                      label="Northwind Logistics"))
    return store, session, person, rel


def _invite(store, rel, **more):
    return Invites(store).add(rel.id, inviter="Dana", them="Sam at Northwind", **more)


# -- the record -----------------------------------------------------------------------------

def test_an_invitation_expires_after_fourteen_days_by_default(setup):
    store, _, _, rel = setup
    invitation, _ = _invite(store, rel)
    assert DEFAULT_DAYS == 14
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        timedelta(days=14), abs=timedelta(seconds=5))
    assert invitation.status() == "waiting"
    assert invitation.status(invitation.expires_at) == "expired"
    assert invitation.dimensions == DIMS


def test_the_record_refuses_ratings_out_of_range_or_for_other_dimensions():
    now = utcnow()
    base = {"relationship_id": "r1", "inviter": "Dana", "them": "Sam", "dimensions": DIMS,
            "expires_at": now + timedelta(days=1), "created_at": now}
    with pytest.raises(InvalidInput) as bad:
        make(Invitation, **base, ratings={"trust": 6})
    assert bad.value.fields == {"ratings.trust": "must be at most 5"}
    with pytest.raises(InvalidInput) as other:
        make(Invitation, **base, ratings={"salary": 3})
    assert "'salary' is not one of the invitation's dimensions" in str(other.value)
    with pytest.raises(InvalidInput) as early:
        make(Invitation, **base, ratings={"trust": 3}, submitted_at=now)
    assert "every dimension needs a rating" in str(early.value)
    with pytest.raises(InvalidInput) as blank:
        make(Invitation, **{**base, "inviter": "  "})
    assert blank.value.fields == {"inviter": "cannot be empty"}


def test_days_are_checked(setup):
    store, _, _, rel = setup
    for days in (0, 91, "7", 2.5, True):
        with pytest.raises(InvalidInput) as bad:
            _invite(store, rel, days=days)
        assert "days" in bad.value.fields
    assert _invite(store, rel, days=1)[0].status() == "waiting"


# -- tokens ---------------------------------------------------------------------------------

def test_the_token_is_unguessable_and_only_its_hash_is_stored(setup):
    store, _, _, rel = setup
    (first, token), (_, other) = _invite(store, rel), _invite(store, rel)
    assert token != other and len(token) >= 32
    with store._read() as conn:
        stored = conn.execute(sa.select(db.invitations)).mappings().all()
    assert {row["token_hash"] for row in stored} == {token_hash(token), token_hash(other)}
    assert all(token not in str(dict(row).values()) for row in stored)
    assert Invites(store).open(token).id == first.id
    assert Invites(store).open(f"  {token}\n").id == first.id


@pytest.mark.parametrize("token", ["", "   ", "nope", "x" * 500])
def test_an_unknown_link_says_so(setup, token):
    store, _, _, rel = setup
    _invite(store, rel)
    with pytest.raises(AccessDenied, match="not valid"):
        Invites(store).open(token)


def test_a_revoked_link_and_an_expired_link_say_so_plainly(setup):
    store, _, _, rel = setup
    invites = Invites(store)
    revoked, token = _invite(store, rel)
    assert invites.revoke(revoked.id).status() == "revoked"
    with pytest.raises(AccessDenied, match="withdrawn by the person who sent it"):
        invites.open(token)
    expired, old = _invite(store, rel, days=1)
    with store._write() as conn:
        conn.execute(db.invitations.update().where(db.invitations.c.id == expired.id).values(
            created_at=utcnow() - timedelta(days=3), expires_at=utcnow() - timedelta(days=2)))
    with pytest.raises(AccessDenied, match="has expired"):
        invites.open(old)
    with pytest.raises(AccessDenied, match="has expired"):
        invites.save_answers(old, {"trust": 3})


# -- answers --------------------------------------------------------------------------------

def test_answers_are_kept_as_they_go_and_can_be_amended_until_submitted(setup):
    store, _, _, rel = setup
    invites = Invites(store)
    invitation, token = _invite(store, rel)
    draft = invites.save_answers(token, {"trust": 2, "momentum": None}, "A monthly call")
    assert draft.ratings == {"trust": 2} and draft.status() == "in progress"
    again = invites.open(token)  # a second visit with the same link
    assert again.ratings == {"trust": 2} and again.need_mine == "A monthly call"
    with pytest.raises(InvalidInput, match="every dimension needs a rating"):
        invites.submit(token, {"trust": 4})
    done = invites.submit(token, THEIRS, "A monthly call", "Earlier warnings")
    assert done.status() == "submitted" and invites.get(invitation.id).ratings == THEIRS
    assert invites.submit(token, THEIRS, "A monthly call", "Earlier warnings") == \
        invites.get(invitation.id)  # sent twice: stored once
    with pytest.raises(InvalidInput) as late:
        invites.save_answers(token, {**THEIRS, "trust": 5})
    assert "already submitted" in str(late.value)
    assert invites.get(invitation.id).ratings["trust"] == 4


@pytest.mark.parametrize("ratings, field", [({"trust": 0}, "ratings.trust"),
                                            ({"trust": "five"}, "ratings.trust"),
                                            ({"salary": 3}, "ratings"),
                                            (["trust", 3], "ratings")])
def test_bad_answers_are_refused_in_the_kernel_and_nothing_is_written(setup, ratings, field):
    store, _, _, rel = setup
    invites = Invites(store)
    invitation, token = _invite(store, rel)
    with pytest.raises(InvalidInput) as bad:
        invites.save_answers(token, ratings)
    assert field in bad.value.fields
    assert invites.get(invitation.id).updated_at is None


def test_needs_are_limited_in_length(setup):
    store, _, _, rel = setup
    _, token = _invite(store, rel)
    with pytest.raises(InvalidInput) as long:
        Invites(store).save_answers(token, {}, "x" * 4001)
    assert long.value.fields == {"need_mine": "must be at most 4000 characters"}


# -- delete, and privacy --------------------------------------------------------------------

def test_deleting_an_invitation_deletes_its_answers(setup):
    store, _, _, rel = setup
    invites = Invites(store)
    invitation, token = _invite(store, rel)
    invites.submit(token, THEIRS, "honest talk")
    invites.remove(invitation.id)
    assert invites.find(rel.id) == []
    with store._read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(db.invitations)).scalar() == 0
    with pytest.raises(AccessDenied):
        invites.open(token)
    with pytest.raises(NotFound):
        invites.remove(invitation.id)


def test_deleting_the_relationship_deletes_its_invitations(setup):
    store, _, _, rel = setup
    invitation, token = _invite(store, rel)
    Invites(store).submit(token, THEIRS)
    store.remove_relationship(rel.id)
    with pytest.raises(NotFound):
        Invites(store).get(invitation.id)


def test_the_other_partys_answers_never_reach_group_figures_or_exports(setup):
    from workshop import aggregate, dashboard, session_report
    store, session, person, rel = setup
    store.add_checkin(make(CheckIn, relationship_id=rel.id, ratings={d: 4 for d in DIMS}))
    before_rev = store.session_revision(session.id)
    exports = {kind: session_report.export(store, session, kind) for kind in ("csv", "json")}
    group = aggregate.session_group(store, session)
    team = dashboard.team_data(store, session.code)
    _, token = _invite(store, rel)
    Invites(store).submit(token, THEIRS, "UNIQUE-NEED-TEXT", "UNIQUE-THEIRS-TEXT")
    assert store.session_revision(session.id) == before_rev  # no screen of the room changes
    for kind, before in exports.items():
        after = session_report.export(store, session, kind)
        assert after == before and "UNIQUE-NEED-TEXT" not in after
    after = aggregate.session_group(store, session)
    for name, frame in vars(group).items():
        same = frame.equals(getattr(after, name)) if hasattr(frame, "equals") \
            else frame == getattr(after, name)
        assert same, name
    again = dashboard.team_data(store, session.code)
    assert again.history.equals(team.history) and again.plans.equals(team.plans)


# -- words ----------------------------------------------------------------------------------

def test_the_email_text_is_ready_to_paste_in_the_plans_tone(setup):
    store, _, _, rel = setup
    invitation, token = _invite(store, rel)
    link = f"http://example.org/voila/render/invite.ipynb?token={token}"
    for tone in ("warm", "direct", "formal", "unknown-tone"):
        subject, body = email_text(invitation, link, tone)
        assert link in body and "Dana" in body and "Sam at Northwind" in (subject + body)
        assert "{" not in subject + body
    day = invitation.expires_at.astimezone()
    assert f"{day.day} {day:%B %Y}" in email_text(invitation, link)[1]


def test_hostile_names_stay_plain_text_in_the_words(setup):
    store, _, _, rel = setup
    invitation, _ = Invites(store).add(rel.id, inviter="{link}<b>x</b>", them="{inviter}")
    subject, body = email_text(invitation, "LINK")
    assert "{link}<b>x</b>" in body and body.count("LINK") == 1
    assert "{inviter}" in subject


def test_every_dimension_has_a_turned_around_question():
    said = words()
    for key in DIMS:
        assert "{inviter}" in said.question(key).question
    assert "between you and {inviter}" in said.question("shared_goals").question


# -- the full backup carries them -----------------------------------------------------------

def test_the_full_backup_carries_invitations_and_restores_them_elsewhere(setup, tmp_path):
    import json

    from workshop.backup import check_backup, dump_session, restore_session
    from workshop.store import Store
    store, session, _, rel = setup
    invitation, token = _invite(store, rel)
    Invites(store).submit(token, THEIRS, "A monthly call")
    data = json.loads(json.dumps(dump_session(store, session.id)))
    assert [row["id"] for row in data["invitations"]] == [invitation.id]
    assert token not in json.dumps(data)
    bad = json.loads(json.dumps(data))
    bad["invitations"][0]["ratings"]["trust"] = 9
    with pytest.raises(InvalidInput) as refused:
        check_backup(bad)
    assert refused.value.fields == {"invitations[0].ratings.trust": "must be at most 5"}
    older = {k: v for k, v in data.items() if k != "invitations"}  # made before invitations
    assert check_backup(older)["invitations"] == []
    with Store.open(str(tmp_path / "elsewhere.sqlite")) as other:
        restore_session(other, data)
        again = Invites(other).open(token)
        assert again.ratings == THEIRS and again.need_mine == "A monthly call"
        assert again.status() == "submitted"


@pytest.mark.postgres
def test_invitations_on_postgresql(postgres_url):
    from workshop.store import Store
    with Store.open(postgres_url) as store:
        session, _ = store.add_session("Invites on Postgres")
        person, _ = store.join(session.code, "Pat")
        rel = store.add_relationship(make(Relationship, participant_id=person.id, label="Acme"))
        invitation, token = _invite(store, rel)
        Invites(store).save_answers(token, {"trust": 2})
        done = Invites(store).submit(token, THEIRS, "A monthly call")
        assert Invites(store).open(token) == done and done.ratings == THEIRS
        store.remove_session(session.id)
        with pytest.raises(NotFound):
            Invites(store).get(invitation.id)
