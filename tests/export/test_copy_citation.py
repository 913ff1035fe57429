"""The annotation card offers the excerpt's citation (as the exports print it) to copy."""

from __future__ import annotations

from django.urls import reverse
from pytest_django.asserts import assertContains

from annotations.export.citations import annotation_citation
from briefs.models import Section


def test_card_carries_the_citation_with_its_pages_for_the_copy_button(client, world):
    Section.objects.filter(pk=world.ko_bigdeal.section_id).update(
        page_start=3, page_offsets=[0], page_numbers=[3]
    )
    world.ko_bigdeal.refresh_from_db()
    client.force_login(world.editor)
    response = client.get(reverse("annotations:card", args=[world.ko_bigdeal.pk]))
    want = annotation_citation(world.ko_bigdeal)
    assert want.endswith("'양자의 입장차: 빅딜 vs. 단계적 접근', 3쪽")
    assertContains(
        response,
        '<button type="button" class="card-copy-citation" data-action="copy-citation"'
        f' data-citation="{want}">Copy citation</button>',
        html=True,
    )
    assertContains(
        response,
        '<span class="card-copy-status" data-copy-status role="status" aria-live="polite"></span>',
        html=True,
    )
