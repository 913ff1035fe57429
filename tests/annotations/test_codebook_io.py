"""The codebook as CSV and as a REFI-QDA codebook: lossless round trips, another tool's file,
and hostile files (wrong encoding, NUL, huge, entity bombs, malformed XML)."""

from __future__ import annotations

import csv
import io

import defusedxml.ElementTree as safe_xml
import pytest
from django.core.exceptions import ValidationError

from annotations import codebook_io
from annotations.models import Category, Tag
from tests.factories import AnnotationFactory, CategoryFactory, TagFactory

pytestmark = pytest.mark.django_db
NS = {"q": codebook_io.QDC_NAMESPACE}


def _snapshot() -> list[tuple]:
    categories = sorted(
        Category.objects.values_list("code", "label_ko", "label_en", "description", "position")
    )
    tags = sorted(
        Tag.objects.values_list(
            "category__code",
            "code",
            "label_ko",
            "label_en",
            "description",
            "decision_rule",
            "example",
            "colour",
            "shortcut",
            "active",
            "position",
        ),
        key=lambda row: row[1],
    )
    return [categories, tags]


def _import(data: bytes, filename: str) -> codebook_io.Plan:
    plan = codebook_io.import_plan(codebook_io.codebook_parse(data, filename))
    assert plan.errors == []
    codebook_io.import_apply(plan)
    return plan


def _wipe() -> None:
    Tag.objects.all().delete()
    Category.objects.all().delete()


def _rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_csv_starts_with_a_bom_and_has_the_documented_columns(codebook):
    data = codebook_io.codebook_csv()
    assert data.startswith("\ufeff".encode())
    assert next(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == codebook_io.CSV_COLUMNS
    big_deal = next(row for row in _rows(data) if row["tag_code"] == "big-deal")
    assert big_deal["category_label_ko"] == "협상 방식"
    assert (big_deal["colour"], big_deal["shortcut"], big_deal["active"]) == ("#e57373", "b", "true")


def test_formulas_are_neutralised_on_export_and_restored_on_import():
    category = CategoryFactory(code="c", label_en='=HYPERLINK("http://x")', label_ko="+1")
    TagFactory(
        category=category, code="t", label_en="@SUM(A1)", label_ko="-2", example="'=quoted", colour="#ffd54f"
    )
    before = _snapshot()
    data = codebook_io.codebook_csv()
    row = _rows(data)[0]
    assert row["category_label_en"] == '\'=HYPERLINK("http://x")'
    assert (row["tag_label_en"], row["tag_label_ko"], row["example"]) == ("'@SUM(A1)", "'-2", "''=quoted")
    _wipe()
    _import(data, "codebook.csv")
    assert _snapshot() == before


def test_formulas_hidden_behind_spaces_or_in_full_width_are_neutralised_too():
    # The exports' rule: a spreadsheet skips leading spaces and folds ＝ to =.
    TagFactory(
        code="t", label_en=" =cmd|' /C calc'!A0", label_ko="＝1+1", example="\u200b@x", colour="#ffd54f"
    )
    before = _snapshot()
    data = codebook_io.codebook_csv()
    row = _rows(data)[0]
    assert (row["tag_label_en"], row["tag_label_ko"], row["example"]) == (
        "' =cmd|' /C calc'!A0",
        "'＝1+1",
        "'\u200b@x",
    )
    _wipe()
    _import(data, "codebook.csv")
    assert _snapshot() == before


def test_a_csv_round_trip_is_lossless(codebook):
    Tag.objects.filter(code="peace-treaty").update(active=False, position=7)
    CategoryFactory(code="empty", label_en="Empty", label_ko="빈 범주")  # a category without tags
    TagFactory(category=None, code="loose", label_en="Loose", label_ko="느슨함", colour="#ffffff")
    before = _snapshot()
    data = codebook_io.codebook_csv()
    Category.objects.filter(code="empty").update(label_en="Changed")
    Tag.objects.filter(code="loose").update(label_en="Changed")
    plan = _import(data, "codebook.csv")
    assert plan.counts == {"created": 0, "updated": 2, "unchanged": len(before[0]) + len(before[1]) - 2}
    assert _snapshot() == before
    assert codebook_io.codebook_csv() == data


def test_a_qdc_round_trip_is_lossless_in_either_language(codebook):
    # Retired tags travel too, with their key.
    Tag.objects.filter(code="peace-treaty").update(active=False, shortcut="x")
    Category.objects.filter(code="sanctions").update(description="Measures & <relief>")
    before = _snapshot()
    for language in ("ko", "en"):
        data = codebook_io.codebook_qdc(language=language)
        _wipe()
        _import(data, f"codebook-{language}.qdc")
        assert _snapshot() == before


def test_the_qdc_follows_the_refi_qda_codebook_structure(codebook):
    root = safe_xml.fromstring(codebook_io.codebook_qdc(language="ko"))
    assert root.tag == f"{{{codebook_io.QDC_NAMESPACE}}}CodeBook"
    parents = root.findall("q:Codes/q:Code", NS)
    assert [p.get("name") for p in parents][:2] == ["협상 방식", "비핵화 조치"]
    assert {p.get("isCodable") for p in parents} == {"false"}
    big_deal = parents[0].find("q:Code", NS)
    assert (big_deal.get("name"), big_deal.get("isCodable"), big_deal.get("color")) == (
        "빅딜·일괄타결",
        "true",
        "#E57373",
    )
    assert big_deal.find("q:Description", NS).text.startswith(Tag.objects.get(code="big-deal").description)
    guids = [code.get("guid") for code in root.iter(f"{{{codebook_io.QDC_NAMESPACE}}}Code")]
    assert len(set(guids)) == len(guids)
    again = safe_xml.fromstring(codebook_io.codebook_qdc(language="ko"))
    assert [c.get("guid") for c in again.iter(f"{{{codebook_io.QDC_NAMESPACE}}}Code")] == guids  # stable


FOREIGN = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA 2022">
  <Codes>
    <Code guid="{A1B2C3D4-0000-0000-0000-000000000001}" name="Emotions" isCodable="true" color="#FF0000">
      <Description>Feelings expressed</Description>
      <Code guid="{A1B2C3D4-0000-0000-0000-000000000002}" name="Joy" isCodable="true" color="#FFEB3B"/>
      <Code guid="{A1B2C3D4-0000-0000-0000-000000000003}" name="Anger" isCodable="true" color="#90CAF9">
        <Code guid="{A1B2C3D4-0000-0000-0000-000000000004}" name="Rage" isCodable="true" color="#A5D6A7">
          <Code guid="{A1B2C3D4-0000-0000-0000-000000000005}" name="Fury" isCodable="false"/>
        </Code>
      </Code>
    </Code>
    <Code guid="a1b2c3d4-0000-0000-0000-000000000006" name="평화" isCodable="true" color="#CE93D8"/>
  </Codes>
  <Sets/>
</CodeBook>""".encode()


def test_another_tools_codebook_comes_in_flattened_to_two_levels_with_a_warning():
    parsed = codebook_io.qdc_parse(FOREIGN)
    assert parsed.warnings == [
        "2 codes were nested more than two levels deep and became tags of their top-level "
        "categories: Rage, Fury."
    ]
    plan = _import(FOREIGN, "maxqda.qdc")
    assert plan.warnings[0] == parsed.warnings[0]
    emotions = Category.objects.get(code="emotions")
    assert (emotions.label_en, emotions.label_ko, emotions.description) == (
        "Emotions",
        "Emotions",
        "Feelings expressed",
    )
    assert list(emotions.tags.order_by("position").values_list("code", "colour", "active")) == [
        ("joy", "#ffeb3b", True),
        ("anger", "#90caf9", True),
        ("rage", "#a5d6a7", True),
        ("fury", "#ffd54f", False),
    ]
    peace = Tag.objects.get(label_en="평화")  # a Korean name has no ASCII slug: the guid gives one
    assert (peace.code, peace.category) == ("code-a1b2c3d4", None)


def _parse_error(data: bytes, filename: str) -> str:
    with pytest.raises(codebook_io.CodebookFileError) as refused:
        codebook_io.codebook_parse(data, filename)
    return str(refused.value)


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="x" name="&lol3;" isCodable="true"/></Codes></CodeBook>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="x" name="&e;" isCodable="true"/></Codes></CodeBook>"""


def test_hostile_and_broken_xml_is_refused_with_a_clear_error():
    assert "declares a DTD or entities" in _parse_error(BOMB, "bomb.qdc")
    assert "declares a DTD or entities" in _parse_error(EXTERNAL, "x.qdc")
    assert _parse_error(b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'><Codes>", "x.qdc").startswith(
        "The file is not well-formed XML"
    )
    assert "not a REFI-QDA codebook" in _parse_error(b"<Project xmlns='urn:QDA-XML:project:1.0'/>", "x.qdc")
    assert "larger than 1024 KB" in _parse_error(
        b"<a>" + b" " * codebook_io.MAX_IMPORT_BYTES + b"</a>", "x.qdc"
    )


def test_a_deeply_nested_qdc_is_read_without_recursion():
    depth = 5000
    opening = "".join(f'<Code guid="g{i}" name="n{i}" isCodable="true">' for i in range(depth))
    data = (
        f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{opening}{"</Code>" * depth}</Codes></CodeBook>'
    )
    with pytest.raises(codebook_io.CodebookFileError, match="more than 2000 codes"):
        codebook_io.qdc_parse(data.encode())


def test_hostile_csv_files_are_refused_with_a_clear_error():
    header = ",".join(codebook_io.CSV_COLUMNS).encode()
    assert "not UTF-8" in _parse_error(header + "\r\nc,분류".encode("cp949"), "x.csv")
    assert "NUL characters" in _parse_error(header + b"\r\nc,\x00", "x.csv")
    assert "larger than 1024 KB" in _parse_error(
        header + b"\r\n" + b"x" * codebook_io.MAX_IMPORT_BYTES, "x.csv"
    )
    assert "missing: category_code, tag_code" in _parse_error(b"name,colour\r\nx,#ffffff", "x.csv")
    many = header + b"".join(b"\r\nc,C,C,t%d,T,T,,,,#ffffff,,true,0" % i for i in range(2001))
    assert "more than 2000 rows" in _parse_error(many, "x.csv")
    assert "Choose a .csv or a .qdc" in _parse_error(header, "codebook.xlsx")


def test_row_errors_carry_row_numbers_and_nothing_is_written(codebook):
    before = _snapshot()
    lines = [
        ",".join(codebook_io.CSV_COLUMNS),
        "new-cat,새 범주,New category,new-tag,새 태그,New tag,,,,#ffffff,q,true,0",  # row 2: fine
        "new-cat,새 범주,New category,bad-colour,x,X,,,,red,,true,0",  # row 3
        "new-cat,새 범주,New category,reserved,x,X,,,,#e1bee7,a,true,0",  # row 4
        "new-cat,새 범주,New category,dup-key,x,X,,,,#b2dfdb,b,true,0",  # row 5: big-deal's key
        "nowhere,,,lost,x,X,,,,#ffccbc,,true,0",  # row 6: no labels for the category
        "new-cat,새 범주,New category,new-tag,again,Again,,,,#c5cae9,,maybe,0",  # row 7
        "new-cat,새 범주,New category,no-label,,,,,,#f0f4c3,,true,-1",  # row 8
        "new-cat,새 범주,New category,bad code!,x,X,,,,#d7ccc8,,true,0",  # row 9
    ]
    plan = codebook_io.import_plan(codebook_io.csv_parse("\r\n".join(lines).encode()))
    by_row: dict[int, list[str]] = {}
    for row, message in plan.errors:
        by_row.setdefault(row, []).append(message)
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9]
    assert by_row[3] == ["Colour: Enter a colour as # and six hexadecimal digits, for example #64b5f6."]
    assert by_row[4][0].startswith("Shortcut key: The reader already uses the key “a”")
    assert by_row[5] == [
        "Shortcut key: The key “b” is already the shortcut of “Big deal / comprehensive deal” (big-deal)."
    ]
    assert by_row[6][0].startswith("Category “nowhere”: Korean label: ")
    assert by_row[7] == ["Active must be true or false."]
    assert by_row[8] == ["Position must be a whole number, 0 or more."]
    assert by_row[9][0].startswith("Code: ")
    with pytest.raises(ValidationError):
        codebook_io.import_apply(plan)
    assert _snapshot() == before


def test_two_tags_may_swap_keys_in_one_import(codebook):
    data = codebook_io.codebook_csv().decode("utf-8-sig")
    data = data.replace("#e57373,b,", "#e57373,TMP,").replace("#64b5f6,p,", "#64b5f6,b,")
    data = data.replace("#e57373,TMP,", "#e57373,p,")
    plan = _import(data.encode(), "swap.csv")
    assert plan.counts["updated"] == 2
    assert Tag.objects.get(code="big-deal").shortcut == "p"
    assert Tag.objects.get(code="phased-approach").shortcut == "b"


def test_relabelling_by_import_reindexes_annotations(codebook):
    from search.services import annotation_index_refresh
    from tests.annotations.test_codebook_editor import _indexed_text

    annotation = AnnotationFactory(tags=[codebook["big-deal"]])
    annotation_index_refresh(annotations=[annotation])
    data = codebook_io.codebook_csv().decode("utf-8-sig").replace("Big deal / comprehensive deal", "Zanzibar")
    _import(data.encode(), "relabel.csv")
    assert "zanzibar" in _indexed_text(annotation)


def test_a_row_may_name_an_existing_category_by_code_alone_and_hears_every_problem(codebook):
    data = "\r\n".join(
        [
            "category_code,tag_code,tag_label_ko,tag_label_en,colour",
            "sanctions,x,,,#12",
            "sanctions,y,와이,Y,#b2ebf2",
        ]
    )
    plan = codebook_io.import_plan(codebook_io.csv_parse(data.encode()))
    assert plan.errors == [
        (2, "Korean label: This field cannot be blank."),
        (2, "English label: This field cannot be blank."),
        (2, "Colour: Enter a colour as # and six hexadecimal digits, for example #64b5f6."),
    ]
    sanctions = next(c for c in plan.changes if c.kind == "category")
    assert (sanctions.code, sanctions.status) == ("sanctions", "unchanged")
