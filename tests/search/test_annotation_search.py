from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction

from annotations.models import Annotation
from annotations.services import annotation_delete, annotation_update
from search.models import AnnotationDocument
from search.presenters import annotation_hits
from search.query import search_query_parse
from search.selectors import SearchMode, annotation_search, section_search
from search.services import annotation_index_refresh
from tests.factories import AnnotationFactory, BriefFactory, SectionFactory
from tests.search.conftest import annotate

SECRET = "백두산호랑이"  # a word in no sample text


def found(query: str, user, **filters) -> list[int]:
    return [a.pk for a in annotation_search(query=query, user=user, **filters)]


def vector_text(annotation: Annotation) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT vector::text FROM search_annotationdocument WHERE annotation_id = %s", [annotation.pk]
        )
        return cursor.fetchone()[0]


@pytest.fixture
def declaration(kinu, annotator, codebook) -> Annotation:
    """A shared annotation quoting the end-of-war declaration in the KINU brief's section 4."""
    section = kinu.sections.get(position=4)
    return annotate(
        annotator,
        section,
        "종전선언과 연락사무소 설치 필요성에 공감한 것으로 보인다",
        tags=[codebook["end-of-war-declaration"]],
        note="북미 공감대의 근거",
        visibility="shared",
    )


def test_end_of_war_declaration_finds_the_section_and_the_annotation_quoting_it(
    kinu, declaration, annotator, annotator2
):
    sections = [(s.brief.slug, s.position) for s in section_search(query="종전선언")]
    assert (kinu.slug, 4) in sections
    assert found("종전선언", annotator) == [declaration.pk]
    assert found("종전선언", annotator2) == [declaration.pk]  # shared with every signed-in user
    (hit,) = annotation_search(query="종전선언", user=annotator)
    assert hit.search_mode == SearchMode.FTS and hit.rank > 0


def test_the_document_weights_tag_labels_a_quote_b_note_d(declaration):
    vector = vector_text(declaration)
    tag_position = vector.split("'종전선언':")[1].split(" ")[0]
    assert tag_position.startswith("1A,")  # the Korean tag label, then the quote at weight B
    assert "B" in tag_position
    assert "'declar':" in vector and "A" in vector.split("'declar':")[1].split(" ")[0]
    assert "'근거':" in vector and vector.split("'근거':")[1].split(" ")[0].isdigit()  # note: D


def test_tag_labels_find_annotations_in_either_language(kinu, annotator, codebook):
    section = kinu.sections.get(position=3)
    annotation = annotate(
        annotator, section, "일정한 범위의", tags=[codebook["sanctions-partial-relief"]], visibility="shared"
    )
    assert found("Partial sanctions relief", annotator) == [annotation.pk]
    assert found("제재 해제", annotator) == [annotation.pk]


def test_another_users_private_annotation_is_never_found(kinu, annotator, annotator2, declaration):
    section = kinu.sections.get(position=4)
    private = annotate(annotator, section, "연락사무소 설치", note=f"{SECRET} 메모: 내부 검토용")
    assert found(SECRET, annotator) == [private.pk]
    for query in (SECRET, "백두산", "백두산호랑", "내부 검토", f'"{SECRET}"', "연락사무소 설치"):
        assert private.pk not in found(query, annotator2), query
    assert annotation_search(query=SECRET, user=annotator2).count() == 0
    assert not annotation_search(query=SECRET, user=AnonymousUser()).exists()


def test_anonymous_users_find_no_annotations(declaration):
    assert found("종전선언", AnonymousUser()) == []


def test_a_soft_deleted_annotation_disappears(declaration, annotator):
    assert found("종전선언", annotator) == [declaration.pk]
    annotation_delete(user=annotator, annotation=declaration)
    assert found("종전선언", annotator) == []
    assert found("공감대의 근거", annotator) == []
    assert found("종전선", annotator) == []  # nor through the substring fallback
    assert not AnnotationDocument.objects.filter(annotation=declaration).exists()


def test_the_index_is_written_in_the_transaction_of_the_write(kinu, annotator):
    section = kinu.sections.get(position=4)

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        annotation = annotate(annotator, section, "쌍중단", note=SECRET)
        # Found at once, before the commit and without a rebuild.
        assert found(SECRET, annotator) == [annotation.pk]
        assert AnnotationDocument.objects.filter(annotation=annotation).exists()
        raise Rollback
    assert not AnnotationDocument.objects.exists()
    assert found(SECRET, annotator) == []


def test_an_update_reindexes_note_and_tags(declaration, annotator, codebook):
    assert found("평화협정", annotator) == []
    annotation_update(
        user=annotator,
        annotation=declaration,
        tags=[codebook["peace-treaty"]],
        actor="us",
        note=f"{SECRET} 로 바뀐 메모",
        visibility="shared",
    )
    assert found("평화협정", annotator) == [declaration.pk]  # the new tag's label
    assert found("peace treaty", annotator) == [declaration.pk]
    assert found(SECRET, annotator) == [declaration.pk]
    assert found("공감대", annotator) == []  # the old note's word


def test_making_an_annotation_private_hides_it_from_others(declaration, annotator, annotator2):
    annotation_update(
        user=annotator, annotation=declaration, tags=[], actor="us", note="", visibility="private"
    )
    assert found("종전선언", annotator) == [declaration.pk]
    assert found("종전선언", annotator2) == []


def test_filters_by_tag_brief_language_and_year(kinu, declaration, annotator, codebook):
    other = annotate(annotator, kinu.sections.get(position=0), "종전선언", visibility="shared")
    assert set(found("종전선언", annotator)) == {declaration.pk, other.pk}
    assert found("종전선언", annotator, tag="end-of-war-declaration") == [declaration.pk]
    assert found("종전선언", annotator, tag=codebook["end-of-war-declaration"]) == [declaration.pk]
    assert found("종전선언", annotator, tag="peace-treaty") == []
    assert set(found("종전선언", annotator, brief=kinu.slug)) == {declaration.pk, other.pk}
    assert found("종전선언", annotator, brief="fntimes-pompeo-kang-call") == []
    assert found("종전선언", annotator, language="en") == []
    assert len(found("종전선언", annotator, year_from=2019, year_to=2019)) == 2
    assert found("종전선언", annotator, year_from=2020) == []


def test_the_best_match_comes_first(kinu, annotator, codebook):
    in_note = annotate(
        annotator, kinu.sections.get(position=2), "영변", note="종전선언 언급 없음", visibility="shared"
    )
    in_quote = annotate(annotator, kinu.sections.get(position=0), "종전선언", visibility="shared")
    tagged = annotate(
        annotator,
        kinu.sections.get(position=1),
        "종전선언",
        tags=[codebook["end-of-war-declaration"]],
        visibility="shared",
    )
    assert found("종전선언", annotator) == [tagged.pk, in_quote.pk, in_note.pk]


def test_phrases_and_partial_words_look_in_quote_and_note(declaration, annotator):
    assert found('"공감대의 근거"', annotator) == [declaration.pk]
    assert found('"근거의 공감대"', annotator) == []
    (partial,) = annotation_search(query="연락사", user=annotator)
    assert partial.pk == declaration.pk and partial.search_mode == SearchMode.FUZZY


@pytest.mark.django_db
def test_typos_fall_back_to_similar_words_in_quote_or_note(annotator):
    brief = BriefFactory(language="en")
    section = SectionFactory(brief=brief, text="Talks on the Yongbyon complex stalled.")
    annotation = annotate(annotator, section, "Talks", note="Yongbyon again")
    assert found("Yongbyonn", annotator) == [annotation.pk]


def test_hits_highlight_quote_and_note_and_link_to_the_permalink(kinu, declaration, annotator):
    parsed = search_query_parse("종전선언 근거")
    (hit,) = annotation_hits(annotations=annotation_search(query=parsed, user=annotator), query=parsed)
    assert (
        hit.url == f"/briefs/{kinu.slug}/?hl=%EC%A2%85%EC%A0%84%EC%84%A0%EC%96%B8#annotation-{declaration.pk}"
    )
    assert str(hit.quote_html).startswith("<mark>종전선언</mark>과 연락사무소")
    assert str(hit.note_html) == "북미 공감대의 <mark>근거</mark>"
    assert [t.code for t in hit.tags] == ["end-of-war-declaration"]
    assert hit.author == "annotator"
    assert hit.section_label == kinu.sections.get(position=4).heading


@pytest.mark.django_db
def test_quotes_and_notes_are_escaped(annotator):
    section = SectionFactory(text="<b>제재</b> 완화 & 해제")
    annotation = annotate(annotator, section, "<b>제재</b> 완화", note="<script>x</script> 제재")
    parsed = search_query_parse("제재")
    (hit,) = annotation_hits(annotations=annotation_search(query=parsed, user=annotator), query=parsed)
    assert hit.annotation.pk == annotation.pk
    assert str(hit.quote_html) == "&lt;b&gt;<mark>제재</mark>&lt;/b&gt; 완화"
    assert str(hit.note_html) == "&lt;script&gt;x&lt;/script&gt; <mark>제재</mark>"


@pytest.mark.django_db
def test_refresh_drops_the_document_of_a_deleted_annotation_and_reads_current_tags(annotator):
    from django.utils import timezone

    alive = AnnotationFactory(author=annotator)
    gone = AnnotationFactory(author=annotator)
    assert annotation_index_refresh(annotations=[alive, gone]) == 2
    Annotation.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    assert annotation_index_refresh(annotations=[alive, gone]) == 1
    assert list(AnnotationDocument.objects.values_list("annotation_id", flat=True)) == [alive.pk]
    assert annotation_index_refresh(annotations=[]) == 0


def test_renaming_a_tag_in_the_admin_reindexes_its_annotations(client, declaration, annotator, codebook):
    from tests.factories import role_user

    tag = codebook["end-of-war-declaration"]
    assert found("휴전종식선언", annotator) == []
    client.force_login(role_user("editor", username="codebook-editor"))
    response = client.post(
        f"/admin/annotations/tag/{tag.pk}/change/",
        {
            "category": tag.category_id or "",
            "code": tag.code,
            "label_ko": "휴전종식선언",
            "label_en": tag.label_en,
            "description": tag.description,
            "decision_rule": tag.decision_rule,
            "example": tag.example,
            "colour": tag.colour,
            "shortcut": tag.shortcut,
            "active": "on",
            "position": tag.position,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert found("휴전종식선언", annotator) == [declaration.pk]
