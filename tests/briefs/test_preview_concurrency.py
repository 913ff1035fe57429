"""Two editors confirm previews of the same file, or for the same address, at the same moment:
one brief is written, the other editor is told why nothing was, and nothing is written twice."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from annotations.roles import Role
from briefs import previews
from briefs.models import Brief, ImportPreview
from tests.factories import role_user

pytestmark = pytest.mark.django_db(transaction=True)


def confirm_together(previews_and_users: list[tuple[ImportPreview, object]]) -> list[int]:
    """Post each preview's confirm from its own client and connection, all at once."""
    start = threading.Barrier(len(previews_and_users))
    statuses: list[int] = []

    def confirm(preview: ImportPreview, user) -> None:
        try:
            client = Client()
            client.force_login(user)
            meta = preview.document["metadata"]
            data = {"version": 1, "title": meta["title"], "language": meta["language"], "slug": meta["slug"]}
            url = reverse("briefs:preview_confirm", args=[preview.token])
            start.wait()
            statuses.append(client.post(url, data).status_code)
        finally:
            connection.close()

    workers = [threading.Thread(target=confirm, args=pair) for pair in previews_and_users]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sorted(statuses)


def test_the_same_file_confirmed_twice_at_once_is_one_brief(kinu_bytes):
    editors = [role_user(Role.EDITOR, username=f"editor-{n}") for n in range(2)]
    made = [previews.preview_create(owner=e, data=kinu_bytes, filename="kinu.txt") for e in editors]
    ImportPreview.objects.filter(pk=made[1].pk).update(
        document={**made[1].document, "metadata": {**made[1].document["metadata"], "slug": "elsewhere"}}
    )
    made[1].refresh_from_db()
    assert confirm_together(list(zip(made, editors, strict=True))) == [302, 409]
    assert Brief.objects.count() == 1
    assert ImportPreview.objects.filter(confirmed_at__isnull=False).count() == 1


def test_two_files_confirmed_at_once_for_one_address_are_one_brief(kinu_bytes, news_bytes):
    editors = [role_user(Role.EDITOR, username=f"editor-{n}") for n in range(2)]
    made = [
        previews.preview_create(owner=editors[0], data=kinu_bytes, filename="kinu.txt"),
        previews.preview_create(owner=editors[1], data=news_bytes, filename="news.txt"),
    ]
    for preview in made:
        preview.document["metadata"]["slug"] = "same-address"
        preview.save()
    assert confirm_together(list(zip(made, editors, strict=True))) == [302, 409]
    assert list(Brief.objects.values_list("slug", flat=True)) == ["same-address"]
