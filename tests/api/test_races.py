"""Lost updates and duplicate creates, raced for real: two clients against a live server.

Each race runs TRIALS times (see tests/api/races.py); the assertion message carries the
count of every outcome, so a failure says how often the race was lost.
"""

from __future__ import annotations

import pytest

from accounts.services import api_token_create
from annotations.models import Annotation
from annotations.w3c import section_iri
from tests.api.conftest import TEXT, YONGBYON
from tests.api.races import TRIALS, race_create, race_delete, race_patch, race_put
from tests.factories import AnnotationFactory, BriefFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def racing(live_server, annotator, settings):
    """The live server's URL, the annotator's token and a factory of their annotations."""
    settings.MARGINALIA_API_RATE_LIMIT = "100000/60"
    section = SectionFactory(brief=BriefFactory(slug="race-brief"), anchor="s1", text=TEXT)
    _, token = api_token_create(user=annotator, name="races", scope="write")

    def make() -> Annotation:
        return AnnotationFactory(section=section, author=annotator, note="first")

    return live_server.url, token, make, section


def test_two_puts_with_one_if_match_one_wins_one_gets_412(racing):
    base, token, make, _ = racing
    tally = race_put(base, token, make, w3c=False)
    assert tally.outcomes == {"200/412": TRIALS}, str(tally)


def test_two_w3c_puts_with_one_if_match_one_wins_one_gets_412(racing):
    base, token, make, _ = racing
    tally = race_put(base, token, make, w3c=True)
    assert tally.outcomes == {"200/412": TRIALS}, str(tally)


def test_two_w3c_deletes_with_one_if_match_one_deletes_one_gets_412(racing):
    base, token, make, _ = racing
    tally = race_delete(base, token, make)
    # A loser that arrives once the winner has committed finds it gone (410): refused too.
    assert set(tally.outcomes) <= {"204/412", "204/410"}, str(tally)


def test_two_patches_of_different_fields_keep_both(racing):
    base, token, make, _ = racing
    tally = race_patch(base, token, make)
    assert tally.outcomes == {"both kept (200/200)": TRIALS}, str(tally)


def test_two_api_creates_with_one_key_make_one_annotation(racing):
    base, token, _, section = racing
    start = TEXT.index(YONGBYON)

    def body() -> dict:
        return {"section": section.pk, "start": start, "end": start + len(YONGBYON), "quote": YONGBYON}

    tally = race_create(base, token, body, w3c=False)
    assert tally.outcomes == {"1 annotation (201/201)": TRIALS}, str(tally)


def test_two_w3c_creates_with_one_key_make_one_annotation(racing):
    base, token, make, section = racing
    source = section_iri(make(), base_url=base)

    def body() -> dict:
        return {
            "@context": "http://www.w3.org/ns/anno.jsonld",
            "type": "Annotation",
            "bodyValue": "raced",
            "target": {"source": source, "selector": {"type": "TextQuoteSelector", "exact": YONGBYON}},
        }

    tally = race_create(base, token, body, w3c=True)
    assert tally.outcomes == {"1 annotation (201/201)": TRIALS}, str(tally)
