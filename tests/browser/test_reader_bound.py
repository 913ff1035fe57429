"""Past the reader's bound, "Show more" brings a section's next annotations in place (htmx),
and their margin entries line up like the others."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in, stance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_show_more_brings_the_next_annotations_into_the_margin(page, users, kinu, settings):
    from annotations.models import Annotation, Visibility

    settings.MARGINALIA_READER_ANNOTATIONS_PER_SECTION = 3
    section = stance(kinu)
    words = section.text.split()[:7]
    rows, at = [], 0
    for word in words:
        start = section.text.index(word, at)
        at = start + len(word)
        rows.append(
            Annotation(
                section=section,
                author=users["ann"],
                start=start,
                end=at,
                quote=word,
                prefix=section.text[max(0, start - 32) : start],
                suffix=section.text[at : at + 32],
                visibility=Visibility.SHARED,
                ever_shared=True,
            )
        )
    Annotation.objects.bulk_create(rows)
    sign_in(page, "ana", f"/briefs/{kinu.slug}/")
    margin = page.locator(f"#section-grid-{section.pk} .margin-item")
    assert margin.count() == 3
    page.locator(f"#section-grid-{section.pk} .margin-more a").click()
    page.wait_for_function(
        f"() => document.querySelectorAll('#section-grid-{section.pk} .margin-item').length === 6"
    )
    assert page.locator(f"#section-grid-{section.pk} mark.hl").count() >= 6
    assert "7 annotations" in page.locator(f"#section-grid-{section.pk} .margin-more").inner_text()
    assert "more=" not in page.url  # the address stays the page's own
