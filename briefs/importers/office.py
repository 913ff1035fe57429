"""What the zip-based office formats (DOCX, HWPX) share: a zip opened safely, an XML parser that
fetches nothing, symbol-font glyphs, table-of-contents lines, numbered labels and junk titles."""

from __future__ import annotations

import io
import re
import zipfile

from django.utils.translation import gettext
from lxml import etree

from briefs.importers.classify import LIST_SCHEMES, numbering
from briefs.importers.errors import DocumentError
from briefs.importers.sectioner import placeholder_title

# Zip safety: what a document may unpack to, in all and in members.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 10_000
# A member this large compressed more than this ratio is a bomb (XML compresses 5-50×).
RATIO_MIN_BYTES = 20 * 2**20
MAX_RATIO = 1000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class _Archive:
    """A zip checked for size before anything is unpacked; read errors become DocumentError."""

    def __init__(self, archive: zipfile.ZipFile, kind: str) -> None:
        self._zip = archive
        self._kind = kind
        self._names = archive.namelist()

    def namelist(self) -> list[str]:
        return self._names

    def read(self, name: str) -> bytes:
        try:
            return self._zip.read(name)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise DocumentError(f"this {self._kind} file is damaged: {name} cannot be unpacked") from exc


def open_office_zip(data: bytes, *, kind: str) -> _Archive:
    """Open a zip-based document, refusing encrypted/OLE files, broken zips and zip bombs."""
    if data.startswith(_OLE_MAGIC):
        raise DocumentError(
            gettext(
                "this %(kind)s file is encrypted (password-protected) or in an old binary format: "
                "remove the password or save it again as a plain file, and import that"
            )
            % {"kind": kind}
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise DocumentError(
            gettext("not a valid %(kind)s file: the zip archive is broken") % {"kind": kind}
        ) from exc
    if len(infos) > MAX_MEMBERS:
        raise DocumentError(f"refused: this {kind} file holds {len(infos):,} parts (a zip bomb?)")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise DocumentError(
            f"refused: this {kind} file unpacks to {total / 1e6:,.0f} MB "
            f"(more than {MAX_UNCOMPRESSED_BYTES // 2**20} MB; a zip bomb?)"
        )
    for info in infos:
        if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise DocumentError(
                f"refused: {info.filename} in this {kind} file is compressed too well (a zip bomb?)"
            )
    if any(info.flag_bits & 0x1 for info in infos):
        raise DocumentError(
            gettext("this %(kind)s file is encrypted: remove the password and import it again")
            % {"kind": kind}
        )
    return _Archive(archive, kind)


_PRIVATE_USE = "[\ue000-\uf8ff]"
_LEADING_SYMBOL = re.compile(rf"(^|\n)([ \t]*){_PRIVATE_USE}+[ \t]*")


def strip_private_use(text: str) -> str:
    """Return text without symbol-font glyphs (private-use code points): one that opens a line is
    a bullet ("•"), others are dropped."""
    if not re.search(_PRIVATE_USE, text):
        return text
    return re.sub(_PRIVATE_USE, "", _LEADING_SYMBOL.sub(r"\1\2• ", text))


def xml_parser() -> etree.XMLParser:
    """An XML parser that resolves no entities and fetches nothing."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


# Table-of-contents lines: a numbered heading followed by a page number (dot leaders optional).
_TOC_LINE = re.compile(r"^\s*\S.{1,80}?(?:\s|[.·…‥]{2,})\s*\d{1,3}\s*$")
# A dot leader running to a page number: "사업 개요 ········ 3".
_DOT_LEADER = re.compile(r"(?:[.·‥…ㆍ・∙]\s?){4,}\s*\d{1,3}\s*$")
# A bracketed label with a number, as forms and annexes are headed: 【서식 1】, [별지 제2호 서식].
_CLOSE = "】\\]〕］>〉》"
_LABEL = re.compile(rf"^[【\[〔［<〈《]\s*[^{_CLOSE}]{{0,15}}?\d{{1,3}}[^{_CLOSE}\d]{{0,8}}[{_CLOSE}]")


def is_toc_line(text: str) -> bool:
    """Return whether a line reads like a table-of-contents entry: text with a dot leader to a
    page number, or a numbered heading with a page number at its end."""
    line = " ".join(text.split())
    if _DOT_LEADER.search(line) and any(ch.isalpha() for ch in line):
        return True
    found = numbering(line)
    return bool(_TOC_LINE.match(line)) and found is not None and found.scheme not in LIST_SCHEMES


def is_toc(lines: list[str]) -> bool:
    """Return whether most of these lines (at least three) are table-of-contents entries."""
    lines = [line for line in lines if line.strip()]
    toc = sum(1 for line in lines if is_toc_line(line))
    return toc >= 3 and toc * 2 >= len(lines)


def toc_runs(texts: list[str | None]) -> set[int]:
    """Return the indexes of runs of three or more consecutive table-of-contents lines (None
    breaks a run)."""
    out: set[int] = set()
    run: list[int] = []
    for i, text in enumerate([*texts, None]):
        if text is not None and is_toc_line(text):
            run.append(i)
            continue
        if len(run) >= 3:
            out.update(run)
        run = []
    return out


def is_label(text: str) -> bool:
    """Return whether a line starts with a numbering marker or a bracketed numbered label."""
    found = numbering(text)
    return bool(_LABEL.match(text.strip())) or (found is not None and found.scheme not in LIST_SCHEMES)


def junk_title(title: str, filename: str = "") -> bool:
    """Return whether a stated title is a leftover (the sectioner's rule, shared by every reader)."""
    return placeholder_title(title, filename)
