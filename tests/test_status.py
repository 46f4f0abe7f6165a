"""Claim status follows the stances, kept by the database itself on every change."""

import pytest

from service.models import Claim
from service.models import Speaker
from service.models import Stance


@pytest.fixture
def claim(db):
    return Claim.create(text="A claim made for this test.", lang="en")


@pytest.fixture
def alice(db):
    return Speaker.create(slug="alice-test", name="Alice Test", key="alice test", kind="person")


@pytest.fixture
def bob(db):
    return Speaker.create(slug="bob-test", name="Bob Test", key="bob test", kind="person")


def status(claim):
    return Claim.get_by_id(claim.id).status


def test_new_claim_is_unattributed(claim):
    assert status(claim) == "unattributed"


@pytest.mark.parametrize(
    ("positions", "expected"),
    [
        ([("alice", "asserts")], "asserted"),
        ([("alice", "denies")], "denied"),
        ([("alice", "questions")], "questioned"),
        ([("alice", "asserts"), ("bob", "denies")], "contested"),
        ([("alice", "questions"), ("bob", "denies")], "denied"),
        ([("alice", "asserts"), ("alice", "denies")], "asserted"),  # one speaker: not contested
    ],
)
def test_status_is_derived_from_stances(claim, alice, bob, positions, expected):
    speakers = {"alice": alice, "bob": bob}
    for who, position in positions:
        Stance.create(claim=claim, speaker=speakers[who], position=position)
    assert status(claim) == expected


def test_status_follows_updates_and_deletes(claim, alice, bob):
    Stance.create(claim=claim, speaker=alice, position="asserts")
    denial = Stance.create(claim=claim, speaker=bob, position="denies")
    assert status(claim) == "contested"
    Stance.update(position="questions").where(Stance.id == denial.id).execute()
    assert status(claim) == "asserted"
    Stance.delete().where(Stance.claim == claim).execute()
    assert status(claim) == "unattributed"


def test_moving_a_stance_refreshes_both_claims(claim, alice):
    other = Claim.create(text="Another claim.", lang="en")
    stance = Stance.create(claim=claim, speaker=alice, position="asserts")
    Stance.update(claim=other).where(Stance.id == stance.id).execute()
    assert (status(claim), status(other)) == ("unattributed", "asserted")
