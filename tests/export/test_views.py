from __future__ import annotations

import csv
import io
import json
import zipfile

import docx
import openpyxl
import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertTemplateUsed

PAGE = reverse("export:page")
DOWNLOAD = reverse("export:download")


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(DOWNLOAD).status_code == 302


@pytest.mark.parametrize("role", ["analyst", "annotator"])
@pytest.mark.parametrize("url", [PAGE, DOWNLOAD])
def test_users_without_the_export_permission_get_403_with_a_reason(client, world, role, url):
    client.force_login(getattr(world, role))
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 403
    assertContains(
        response,
        '<p class="message message-error" role="alert">Exporting excerpts is for editors: '
        "ask an editor or an administrator for the Editor role.</p>",
        html=True,
        status_code=403,
    )


def test_superusers_may_export(client, world, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    assert client.get(PAGE).status_code == 200


def test_page_shows_the_form_and_the_count(client, world):
    client.force_login(world.editor)
    response = client.get(PAGE)
    assert response.status_code == 200
    assertTemplateUsed(response, "annotations/export.html")
    # Briefs are a checkbox list (a searchable multi-select once export.js adds its filter box).
    assertContains(
        response,
        '<label for="id_briefs_1">'
        '<input type="checkbox" name="briefs" value="kinu-co-19-05" id="id_briefs_1">'
        " 제2차 북미정상회담 평가와 향후 과제</label>",
        html=True,
    )
    assertContains(
        response,
        '<p class="pick-filter" hidden><label for="id_briefs-filter">Filter briefs</label>'
        '<input type="search" id="id_briefs-filter" data-pick-filter aria-controls="id_briefs-list"'
        ' autocomplete="off"></p>',
        html=True,
    )
    assertContains(
        response,
        '<p id="export-count" class="export-count" role="status" aria-live="polite">'
        "<strong>4</strong> excerpts match.</p>",
        html=True,
    )
    assertContains(response, f'action="{DOWNLOAD}"')


def test_count_partial_follows_the_filters(client, world):
    client.force_login(world.editor)
    response = client.get(
        PAGE, {"tags": ["big-deal", "yongbyon-dismantlement"]}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert b"<form" not in response.content  # only the partial
    assertContains(
        response,
        '<p id="export-count" class="export-count" role="status" aria-live="polite">'
        "<strong>2</strong> excerpts match.</p>",
        html=True,
    )
    one = client.get(PAGE, {"actors": "dprk"}, headers={"HX-Request": "true"})
    assertContains(one, "<strong>1</strong> excerpt matches.", html=True)
    none = client.get(PAGE, {"actors": "china"}, headers={"HX-Request": "true"})
    assertContains(none, "No excerpts match. The download would be an empty file.")


def test_count_partial_explains_invalid_filters(client, world):
    client.force_login(world.editor)
    response = client.get(
        PAGE, {"created_from": "2024-05-03", "created_to": "2024-05-01"}, headers={"HX-Request": "true"}
    )
    assertContains(response, "Fix the filters above to see how many excerpts match.")


def test_download_csv_streams_an_attachment(client, world):
    client.force_login(world.editor)
    response = client.get(DOWNLOAD, {"format": "csv", "briefs": "kinu-co-19-05", "language": "en"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="marginalia-excerpts-')
    assert response["Content-Disposition"].endswith('.csv"')
    assert response["X-Export-Total"] == "3"
    data = b"".join(response.streaming_content)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert {int(r["id"]) for r in rows} == {world.ko_summary_hl.pk, world.ko_bigdeal.pk, world.ko_yongbyon.pk}
    # permalinks are absolute, built from the request
    assert rows[0]["permalink"].startswith("http://testserver/briefs/kinu-co-19-05/#annotation-")


def test_download_xlsx_is_streamed(client, world):
    client.force_login(world.editor)
    response = client.get(DOWNLOAD, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert response.streaming and response["X-Accel-Buffering"] == "no"
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.active.max_row == 5


def test_download_with_invalid_filters_is_400_with_the_form(client, world):
    client.force_login(world.editor)
    response = client.get(
        DOWNLOAD, {"format": "pdf", "created_from": "2024-05-03", "created_to": "2024-05-01"}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"format", "__all__"}
    assertContains(response, "The date range is reversed", status_code=400)


def test_unknown_briefs_tags_and_annotators_match_nothing(client, world):
    client.force_login(world.editor)
    response = client.get(PAGE, {"tags": "no-such-tag"}, headers={"HX-Request": "true"})
    assertContains(response, "No excerpts match.")
    response = client.get(DOWNLOAD, {"format": "jsonl", "briefs": "no-such-brief", "annotators": "nobody"})
    assert response.status_code == 200
    assert response["X-Export-Total"] == "0"
    assert b"".join(response.streaming_content) == b""


def test_download_refuses_post(client, world):
    client.force_login(world.editor)
    assert client.post(DOWNLOAD, {"format": "csv"}).status_code == 405


def test_download_docx_is_streamed(client, world):
    client.force_login(world.editor)
    response = client.get(DOWNLOAD, {"format": "docx"})
    assert response.status_code == 200
    assert response.streaming and response["X-Accel-Buffering"] == "no"
    data = b"".join(response.streaming_content)
    response.close()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
    quotes = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.style.name == "Quote"]
    assert len(quotes) == 5  # four excerpts, one of them under two tags


def test_text_filter_matches_quote_or_note_like_the_annotations_page(client, world):
    client.force_login(world.editor)
    by_note = client.get(PAGE, {"q": "yongbyon FOR"}, headers={"HX-Request": "true"})
    assertContains(by_note, "<strong>1</strong> excerpt matches.", html=True)  # en_relief's note
    by_quote = client.get(DOWNLOAD, {"q": "빅딜을", "format": "jsonl"})
    ids = [json.loads(line)["id"] for line in b"".join(by_quote.streaming_content).splitlines()]
    assert ids == [world.ko_bigdeal.pk]
    too_long = client.get(DOWNLOAD, {"q": "가" * 201})
    assert too_long.status_code == 400


LANGUAGE_SELECT = (
    '<select name="language" id="id_language">'
    '<option value="ko"{ko}>한국어</option><option value="en"{en}>English</option></select>'
)


@pytest.mark.parametrize(
    ("accept_language", "params", "chosen"),
    [
        ("ko-KR,ko;q=0.9", {}, "ko"),
        ("en-US,en;q=0.9", {}, "en"),
        ("en-US,en;q=0.9", {"language": "ko"}, "ko"),  # an explicit choice wins
        ("ko-KR,ko;q=0.9", {"language": "en"}, "en"),
    ],
)
def test_label_language_defaults_to_the_interface_language(client, world, accept_language, params, chosen):
    client.force_login(world.editor)
    headers = {"Accept-Language": accept_language}
    page = client.get(PAGE, params, headers=headers)
    selected = {code: " selected" if code == chosen else "" for code in ("ko", "en")}
    assertContains(page, LANGUAGE_SELECT.format(**selected), html=True)
    # and the download without a choice uses the same default
    download = client.get(DOWNLOAD, {"format": "jsonl", "q": "빅딜을", **params}, headers=headers)
    (line,) = [json.loads(line) for line in b"".join(download.streaming_content).splitlines()]
    tags = world.ko_bigdeal.tags.order_by("category__position", "position", "code")
    expected = [t.label_ko if chosen == "ko" else t.label_en for t in tags]
    assert sorted(line["tag_labels"]) == sorted(expected)
    assert len(expected) == 2 and expected != [t.label_ko if chosen == "en" else t.label_en for t in tags]


def test_the_cookie_language_is_the_default_too(client, world, settings):
    client.force_login(world.editor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(PAGE, headers={"Accept-Language": "ko"})
    assertContains(page, LANGUAGE_SELECT.format(ko="", en=" selected"), html=True)
