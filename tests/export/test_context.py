"""The context printed with a quote is cut at word boundaries, never mid-word, in every format."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import docx
import openpyxl
import pytest

from annotations.export.context import add_contexts, trim_prefix, trim_suffix
from annotations.models import Annotation
from annotations.services import annotation_create
from tests.export.conftest import export_bytes, span
from tests.factories import SectionFactory

# 32 code points either side of the quote land inside "영변의" (prefix) and "회담은" (suffix).
KO_TEXT = (
    "북한은 영변의 모든 핵시설을 영구적으로 폐기하는 대가로 유엔 안보리 제재 일부의 해제를 원했고 "
    "미국은 추가 핵시설의 신고와 폐기를 요구하였다 그러나 회담은 결렬되었다"
)
KO_QUOTE = "제재 일부의 해제를 원했고"


def test_a_full_prefix_starts_at_its_first_whole_word():
    assert trim_prefix("적으로 폐기하는 대가로 ", full=True) == "…폐기하는 대가로 "
    assert trim_prefix(" 폐기하는 대가로 ", full=True) == "…폐기하는 대가로 "


def test_a_full_suffix_ends_at_its_last_whole_word():
    assert trim_suffix(" 미국은 추가 핵시설의 신고와 폐", full=True) == " 미국은 추가 핵시설의 신고와…"
    assert trim_suffix(" 미국은 추가 ", full=True) == " 미국은 추가…"


def test_unspaced_korean_is_cut_between_kiwi_words_not_syllables():
    # No space to cut at: Kiwi's morphemes say where 제재 and 완화 begin.
    assert trim_prefix("북제재완화를", full=True) == "…제재완화를"
    assert trim_suffix("대북제재완화", full=True) == "대북제재…"


def test_particles_and_endings_never_start_a_word():
    assert trim_prefix("을제재를", full=True) != "…를"
    assert not trim_suffix("제재를", full=True).endswith("제재…")


def test_english_is_cut_between_words():
    assert trim_prefix("mantle Yongbyon in exchange for ", full=True) == "…Yongbyon in exchange for "
    assert trim_suffix(". The talks ended ear", full=True) == ". The talks ended…"


def test_context_at_the_section_edge_is_kept_whole():
    assert trim_prefix("미국은 ", full=False) == "미국은 "
    assert trim_suffix("을 좁히지 못했다.", full=False) == "을 좁히지 못했다."


@pytest.fixture
def cut(world) -> Annotation:
    section = SectionFactory(brief=world.ko_bigdeal.section.brief, position=5, anchor="s5", text=KO_TEXT)
    located = span(KO_TEXT, KO_QUOTE)
    annotation = annotation_create(
        user=world.editor,
        section=section,
        start=located["start"],
        end=located["start"] + located["length"],
        quote=KO_QUOTE,
        tags=[world.tags["big-deal"]],
    )
    # The stored selector context stays exact (and mid-word): only print cuts it.
    assert annotation.prefix == KO_TEXT[annotation.start - 32 : annotation.start]
    assert annotation.prefix.startswith("의 모든")
    assert annotation.suffix.endswith("그러나 회")
    return annotation


PREFIX = "…모든 핵시설을 영구적으로 폐기하는 대가로 유엔 안보리 "
SUFFIX = " 미국은 추가 핵시설의 신고와 폐기를 요구하였다 그러나…"
WANT = f"{PREFIX}[{KO_QUOTE}]{SUFFIX}"


def test_csv_context_is_cut_at_words(world, cut):
    data = export_bytes(world.editor, "csv", context=True).decode("utf-8-sig")
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(data, newline=""))}
    assert rows[cut.pk]["context"] == WANT


def test_xlsx_context_is_cut_at_words(world, cut):
    sheet = openpyxl.load_workbook(io.BytesIO(export_bytes(world.editor, "xlsx", context=True))).active
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == cut.pk)
    assert row[header.index("context")] == WANT


def test_jsonl_context_is_cut_at_words(world, cut):
    lines = export_bytes(world.editor, "jsonl", context=True).decode().splitlines()
    records = {r["id"]: r for r in map(json.loads, lines)}
    assert records[cut.pk]["context"] == WANT


def test_markdown_context_is_cut_at_words(world, cut):
    text = export_bytes(world.editor, "md", context=True).decode()
    assert f"> {PREFIX}\\[{KO_QUOTE}\\]{SUFFIX}" in text


def test_docx_context_is_cut_at_words(world, cut):
    data = export_bytes(world.editor, "docx", context=True)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
    quotes = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.style.name == "Quote"]
    assert WANT in quotes


def test_w3c_selectors_keep_the_exact_context(world, cut):
    doc = json.loads(export_bytes(world.editor, "w3c", context=True))
    item = next(i for i in doc["first"]["items"] if i["id"].endswith(f"/{cut.pk}"))
    selector = item["target"]["selector"][0]
    assert (selector["prefix"], selector["suffix"]) == (cut.prefix, cut.suffix)


def _unsaved(prefix: str, quote: str, suffix: str) -> Annotation:
    return Annotation(
        prefix=prefix, quote=quote, suffix=suffix, start=len(prefix), end=len(prefix) + len(quote)
    )


def test_a_chunk_of_excerpts_is_cut_as_each_alone_would_be():
    # add_contexts reads only the run of characters each cut falls in; what it cuts must
    # still be a whole word: inside an unspaced compound, behind a space, or nothing.
    limit = Annotation.QUOTE_CONTEXT
    compound = "북제재완화를 논의하는 자리에서 양측은 입장을 확인했"[:limit].ljust(limit, "다")
    spaced = " 양측은 입장을 확인했고 미국은 북한에 영변 이상을 요구했다"[:limit]
    no_word = "가" * limit  # one run, no word start Kiwi could find inside it but its first syllable
    annotations = [
        _unsaved(compound, "합의", compound[::-1]),
        _unsaved(spaced, "합의", spaced[::-1]),
        _unsaved(no_word, "합의", no_word),
        _unsaved("짧은 앞", "합의", "짧은 뒤"),  # shorter than the stored context: printed whole
    ]
    add_contexts(annotations)
    got = [a.in_context for a in annotations]
    assert got[0].startswith("…제재완화를 논의하는")
    assert got[1].startswith("…양측은 입장을")
    assert got[2] == "…[합의]…"
    assert got[3] == "짧은 앞[합의]짧은 뒤"
    for annotation, text in zip(annotations, got, strict=True):
        prefix = trim_prefix(annotation.prefix, full=len(annotation.prefix) >= limit)
        assert text.startswith(prefix), "the edge run cuts where the whole prefix's analysis does"
