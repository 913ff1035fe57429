"""The editors' pages and their messages in Korean: what the services did is said in the
reader's language, not in the command line's English."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.briefs.test_manage_pages import form_data
from tests.factories import AnnotationFactory, BriefFactory, SectionFactory
from tests.html import page_tree, texts

pytestmark = pytest.mark.django_db

KOREAN = {"HTTP_ACCEPT_LANGUAGE": "ko"}


@pytest.fixture
def brief():
    brief = BriefFactory(slug="kinu-co-19-05", title="제2차 북미정상회담 평가", publication_year=2019)
    SectionFactory(brief=brief, position=0, heading="요약", anchor="summary", text="요약문이다.")
    SectionFactory(brief=brief, position=1, heading="평가", anchor="pyeongga", text="평가한다.")
    return brief


def test_the_edit_page_and_its_message_in_korean(client, editor, brief):
    client.force_login(editor)
    url = reverse("briefs:edit", args=[brief.slug])
    tree = page_tree(client.get(url, **KOREAN))
    assert texts(tree, "//h1") == ["브리프 편집: 제2차 북미정상회담 평가"]
    assert "제목:" in texts(tree, "//label[@for='id_title']")
    data = form_data(client, brief, title="새 제목", **{"sections-1-heading": "새 평가"})
    response = client.post(url, data, follow=True, **KOREAN)
    assert texts(page_tree(response), "//ul[@class='messages']/li") == [
        "변경 사항을 저장했습니다: 제목, 1번 섹션."
    ]


def test_a_refused_edit_says_why_in_korean(client, editor, brief):
    client.force_login(editor)
    url = reverse("briefs:edit", args=[brief.slug])
    data = form_data(client, brief, title="")
    response = client.post(url, data, **KOREAN)
    assert response.status_code == 400
    assert texts(page_tree(response), "//div[@id='id_title_error']") == ["필수 항목입니다."]


def test_deleting_says_what_it_did_in_korean(client, editor, brief):
    AnnotationFactory(section=brief.sections.get(position=1), author=editor)
    client.force_login(editor)
    response = client.post(reverse("briefs:delete", args=[brief.slug]), follow=True, **KOREAN)
    assert texts(page_tree(response), "//ul[@class='messages']/li") == [
        "브리프 “제2차 북미정상회담 평가”(kinu-co-19-05, 섹션 2개)을(를) 삭제했습니다. "
        "주석 1개를 삭제했고, 동기화를 위해 삭제 기록 1개를 남겼습니다."
    ]


def test_deleting_in_english_names_the_sections_and_the_deletion_records(client, editor, brief):
    AnnotationFactory(section=brief.sections.get(position=1), author=editor)
    client.force_login(editor)
    response = client.post(reverse("briefs:delete", args=[brief.slug]), follow=True)
    assert texts(page_tree(response), "//ul[@class='messages']/li") == [
        "Deleted the brief “제2차 북미정상회담 평가” (kinu-co-19-05, 2 sections). "
        "1 annotation deleted; 1 kept as a deletion record for sync."
    ]


def test_a_refused_delete_says_why_in_korean(client, editor, annotator, brief):
    AnnotationFactory(section=brief.sections.get(position=1), author=annotator, visibility="shared")
    client.force_login(editor)
    response = client.post(reverse("briefs:delete", args=[brief.slug]), **KOREAN)
    assert response.status_code == 409
    assert texts(page_tree(response), "//main//div[@role='alert']") == [
        "'kinu-co-19-05'을(를) 삭제하지 않았습니다. 다른 사람의 주석이 있습니다. 그 주석도 함께 삭제하려면 "
        "확인란을 선택하세요. 아무것도 삭제하지 않았습니다."
    ]


def test_the_editor_role_refusal_in_korean(client, annotator, brief):
    client.force_login(annotator)
    response = client.get(reverse("briefs:edit", args=[brief.slug]), **KOREAN)
    assert response.status_code == 403
    tree = page_tree(response)
    assert texts(tree, "//h1") == ["권한 없음"]
    assert texts(tree, "//p[@role='alert']") == [
        "브리프 편집은 편집자만 할 수 있습니다. 편집자나 관리자에게 편집자 역할을 요청하세요."
    ]


def test_an_unreadable_upload_is_refused_in_korean(client, editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(editor)
    files = [
        SimpleUploadedFile("blank.txt", b"   \n\n  ", content_type="text/plain"),
        SimpleUploadedFile("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64),
    ]
    response = client.post(reverse("briefs:import"), {"files": files}, **KOREAN)
    assert response.status_code == 400
    assert texts(page_tree(response), "//div[contains(@class, 'drop-zone')]//div[@role='alert']//li") == [
        "blank.txt: 파일에 공백만 있습니다. 아무것도 가져오지 않았습니다.",
        "old.doc: 지원하지 않는 파일 형식입니다. 예전 Office(OLE) 파일로 보입니다. .docx, .hwpx 또는 PDF로 "
        "저장한 뒤 그 파일을 가져오세요. 아무것도 가져오지 않았습니다.",
    ]
