"""The claims downloads: CSV and XLSX of each view's table, with the filters and the time above
it, formula-looking labels kept as text, and only what the user may see."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from annotations.claims.filters import ClaimsFilters
from annotations.claims.queries import claims_cooccurrence, claims_matrix, claims_table_rows, claims_timeline
from annotations.export.formats.tabular import neutralise
from tests.claims.test_pages import claims_world  # noqa: F401 - the fixture
from tests.factories import AnnotationFactory

pytestmark = pytest.mark.django_db

KINDS = ["matrix", "timeline", "cooccurrence"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def url(kind: str, extension: str) -> str:
    return reverse("claims:download", args=[kind, extension])


def csv_parts(response) -> tuple[list[str], list[list[str]]]:
    """Return a downloaded CSV's head lines (without "# ") and its table."""
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")  # so that Excel reads Hangul
    head, _, table = content.lstrip("\ufeff").partition("\r\n\r\n")
    lines = [row[0] for row in csv.reader(io.StringIO(head))]
    assert all(line.startswith("# ") for line in lines)
    return [line[2:] for line in lines], list(csv.reader(io.StringIO(table)))


def expected_table(kind: str, user, **options) -> tuple[list[str], list[list]]:
    filters = ClaimsFilters(**options.pop("filters", {}))
    payload = {
        "matrix": claims_matrix,
        "timeline": claims_timeline,
        "cooccurrence": claims_cooccurrence,
    }[kind](user=user, filters=filters, **options)
    return claims_table_rows(payload)


def test_signed_out_downloads_ask_for_sign_in(client, claims_world):  # noqa: F811
    for kind in KINDS:
        for extension in ("csv", "xlsx"):
            assert client.get(url(kind, extension)).status_code == 302


def test_the_matrix_csv_is_the_table_with_its_filters_and_time(client, annotator, claims_world):  # noqa: F811
    client.force_login(annotator)
    response = client.get(url("matrix", "csv"), {"rows": "brief", "columns": "tag", "actor": ["us", "rok"]})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="claims-matrix-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    head, table = csv_parts(response)
    assert head[0] == "Marginalia: Claims matrix"
    assert re.fullmatch(r"Generated: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", head[1])
    assert "Counted for: annotator" in head
    assert "Rows: Brief" in head and "Columns: Tag" in head and "Cells show: Number of claims" in head
    assert "Actors: United States, South Korea (ROK)" in head  # named, as the Annotations page names them
    header, rows = expected_table(
        "matrix", annotator, rows="brief", columns="tag", filters={"actors": ("us", "rok")}
    )
    # The label "=1+1" with the apostrophe that keeps it text (the exports' rule).
    assert table[0] == [neutralise(v) for v in header]
    assert table[1:] == [[neutralise(v) if isinstance(v, str) else str(v) for v in row] for row in rows]
    assert "'=1+1" in table[0] and "=1+1" not in table[0]


def test_every_view_downloads_as_csv_and_xlsx(client, annotator, claims_world):  # noqa: F811
    client.force_login(annotator)
    for kind, options in [
        ("matrix", {"rows": "actor", "columns": "year", "sort": "total"}),
        ("timeline", {"series": "category", "bucket": "quarter"}),
        ("cooccurrence", {"scope": "section"}),
    ]:
        header, rows = expected_table(kind, annotator, **dict(options))
        response = client.get(url(kind, "csv"), options)
        assert response.status_code == 200, kind
        head, table = csv_parts(response)
        assert table[0] == [neutralise(v) for v in header], kind
        assert len(table) == len(rows) + 1, kind
        response = client.get(url(kind, "xlsx"), options)
        assert response.status_code == 200 and response["Content-Type"] == XLSX, kind
        assert response["Content-Disposition"].endswith(
            f'claims-{kind}-{timezone.localdate():%Y-%m-%d}.xlsx"'
        )
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        first = next(i for i, row in enumerate(values) if row[0] == header[0] and i > 1)
        assert [v for v in values[first] if v is not None] == header, kind
        assert len(values) - first - 1 == len(rows), kind
        assert sheet.auto_filter.ref.startswith(f"A{first + 1}:"), kind


def test_the_xlsx_head_block_and_table(client, annotator, claims_world):  # noqa: F811
    client.force_login(annotator)
    response = client.get(
        url("matrix", "xlsx"),
        {"rows": "brief", "columns": "tag", "date_from": "2018-01-01", "visibility": "shared"},
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet["A1"].value == "Marginalia: Claims matrix" and sheet["A1"].font.b
    assert sheet["A2"].value == "Generated"
    assert abs((sheet["B2"].value - timezone.localtime().replace(tzinfo=None)).total_seconds()) < 60
    head = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).value for r in range(3, 12)}
    assert head["Counted for"] == "annotator"
    assert head["Published from"] == "2018-01-01" and head["Visibility"] == "Only shared"
    header, rows = expected_table(
        "matrix",
        annotator,
        rows="brief",
        columns="tag",
        filters={"date_from": timezone.datetime(2018, 1, 1).date(), "visibility": "shared"},
    )
    first = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == header[0])
    assert (
        sheet.auto_filter.ref
        == f"A{first}:{openpyxl.utils.get_column_letter(len(header))}{first + len(rows)}"
    )
    assert sheet.freeze_panes == f"B{first + 1}"
    table = [[c.value for c in row] for row in sheet.iter_rows(min_row=first + 1, max_col=len(header))]
    assert table == [[None if v in ("", None) else v for v in row] for row in rows]
    # The formula-looking tag label is a text cell with the quote prefix, never a formula.
    formula = next(c for c in sheet[first] if c.value == "=1+1")
    assert formula.data_type == "s" and formula.quotePrefix
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_downloads_never_count_another_users_private_claims(client, annotator, annotator2, claims_world):  # noqa: F811
    client.force_login(annotator)
    before = {(k, e): client.get(url(k, e)).content for k in KINDS for e in ("csv",)}
    AnnotationFactory(
        section=claims_world["claims"]["h1_big_us"].section,
        author=annotator2,
        visibility="private",
        tags=[claims_world["tags"]["big"], claims_world["tags"]["secret"]],
        actor="china",
    )
    for (kind, extension), content in before.items():
        after = client.get(url(kind, extension)).content
        strip = lambda b: re.sub(rb"# Generated: [^\r]*", b"", b)  # noqa: E731
        assert strip(after) == strip(content), kind
        assert b"Secret" not in after and "비밀".encode() not in after


def test_unknown_downloads_and_refused_parameters(client, annotator, claims_world):  # noqa: F811
    client.force_login(annotator)
    assert client.get("/claims/matrix.pdf").status_code == 404
    assert client.get("/claims/events.csv").status_code == 404
    assert client.get("/claims/" + "x" * 3000 + ".csv").status_code == 404
    response = client.get(url("matrix", "csv"), {"rows": "tag", "columns": "tag"})
    assert response.status_code == 400
    assert "Rows and columns must be different" in response.content.decode()
    response = client.get(url("timeline", "xlsx"), {"date_from": "2019-02-30", "bucket": "fortnight"})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/plain")
    assert client.post(url("matrix", "csv")).status_code == 405


def test_hostile_labels_stay_text_in_both_formats(client, annotator, claims_world):  # noqa: F811
    tag = claims_world["tags"]["phased"]
    client.force_login(annotator)
    for label, in_xlsx in [
        ('=HYPERLINK("http://x")', '=HYPERLINK("http://x")'),
        ("＝1+1", "＝1+1"),
        ("\u200b=1", "\u200b=1"),
        ("@SUM(A1)", "@SUM(A1)"),
        ("#N/A", "#N/A"),
        ("a\x07b\x1fc", "abc"),  # control characters XML cannot hold are dropped
    ]:
        tag.label_en = label
        tag.save(update_fields=["label_en"])
        _, table = csv_parts(client.get(url("matrix", "csv"), {"rows": "brief", "columns": "tag"}))
        assert neutralise(label) in table[0], label
        if label[0] in "=＝\u200b@":
            assert f"'{label}" in table[0], label
        response = client.get(url("matrix", "xlsx"), {"rows": "brief", "columns": "tag"})
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        cells = [c for row in sheet.iter_rows() for c in row if c.value == in_xlsx]
        assert len(cells) == 1 and cells[0].data_type == "s", label
        assert cells[0].quotePrefix == (label[0] in "=＝\u200b@#"), label
        assert not [c for row in sheet.iter_rows() for c in row if c.data_type in ("f", "e")], label
