"""Turn uploaded bytes into NFC text, or refuse them.

Korean documents arrive as UTF-8 (with or without a byte-order mark), UTF-16 (Windows tools,
often without a BOM) or the legacy CP949/EUC-KR code page. Anything else, and anything that
looks like binary data, is refused with a message that names the problem.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from django.utils.translation import gettext

from briefs.importers.errors import DocumentError

# File signatures worth naming in an error message instead of "binary data".
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
    (b"\x7fELF", "an executable (ELF)"),
    (b"\x1f\x8b", "a gzip archive"),
)

# Control characters (category Cc) but the five a text file may contain (\t \n \v \f \r):
# any of these marks binary data.
_FORBIDDEN_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# What Korean or English text is made of (see _plausible_text).
_NOT_TEXTLIKE = re.compile(
    "[^\\s -~\u00a0-\u00ff"
    "\u2000-\u2bff"  # punctuation, symbols, arrows, circled letters (ⓒ)
    "\u3000-\u33ff"  # CJK punctuation, Hangul jamo
    "\uac00-\ud7a3\uff00-\uffef]"
)
_ASCII_OR_SPACE = re.compile("[\\x00-\\x7f\\s]")
_NOT_HANGUL = re.compile("[^\uac00-\ud7a3\u3130-\u318f]")


def sniff_binary(data: bytes) -> str | None:
    """Return what kind of binary file `data` looks like, or None if it has no known signature."""
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    if data.startswith(b"MZ") and b"\x00" in data[:64]:
        return "a Windows executable"
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """Guess BOM-less UTF-16 from where the NUL bytes sit; return the codec name or None.

    ASCII characters (spaces, digits, newlines) in UTF-16 have a zero high byte, so their NULs
    all fall on odd offsets (little-endian) or even offsets (big-endian); in binary data they
    fall anywhere.
    """
    if len(data) < 4 or len(data) % 2:
        return None
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    units = len(data) // 2
    # Some Hangul syllables (U+B300 대, …) have a zero low byte, so the other parity may hold
    # a few NULs too, but far fewer.
    if odd_nuls >= units * 0.1 and even_nuls * 10 <= odd_nuls:
        codec = "utf-16-le"
    elif even_nuls >= units * 0.1 and odd_nuls * 10 <= even_nuls:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    return codec if _plausible_text(text) else None


def _plausible_text(text: str) -> bool:
    """Return whether decoded text reads as Korean or English text rather than noise."""
    if not text:
        return False
    ok = len(_NOT_TEXTLIKE.sub("", text))
    return ok / len(text) >= 0.9


def _check_text(text: str, *, encoding: str) -> str:
    bad = _FORBIDDEN_CONTROL.search(text)
    if bad:
        raise DocumentError(
            f"contains control characters (e.g. U+{ord(bad.group()):04X}) after decoding as {encoding}: "
            "this looks like binary data, not text"
        )
    if "\ufffd" in text:
        raise DocumentError(f"contains U+FFFD replacement characters after decoding as {encoding}")
    return text


def _looks_korean_or_ascii(text: str) -> bool:
    """Tell real CP949 text from bytes that merely happen to decode as CP949."""
    non_ascii = _ASCII_OR_SPACE.sub("", text)  # the non-ASCII characters but spaces
    if not non_ascii:
        return True
    hangul = len(_NOT_HANGUL.sub("", non_ascii))
    return hangul / len(non_ascii) >= 0.5


def normalise_text(text: str) -> str:
    """Return `text` with Unix newlines, without BOM characters, NFC-normalised."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return unicodedata.normalize("NFC", text)


def decode_text(data: bytes) -> str:
    """Decode a text document's bytes (UTF-8, UTF-16, CP949/EUC-KR) to NFC text.

    Raises DocumentError for empty input, binary data, NUL bytes, control characters and
    bytes that are valid in none of the supported encodings.
    """
    if not data:
        raise DocumentError(gettext("the file is empty"))

    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise DocumentError(
                    f"starts with a {codec.upper()} byte-order mark but is not valid {codec.upper()} "
                    f"(bad bytes at offset {exc.start + len(bom)})"
                ) from None
            return normalise_text(_check_text(text, encoding=codec.upper()))

    kind = sniff_binary(data)
    if kind:
        raise DocumentError(f"looks like {kind}, not a text document")

    if b"\x00" in data:
        codec = _utf16_without_bom(data)
        if codec is None:
            offset = data.index(b"\x00")
            raise DocumentError(f"contains NUL bytes (first at offset {offset}): binary data, not text")
        return normalise_text(_check_text(data.decode(codec), encoding=codec.upper()))

    try:
        text = data.decode("utf-8")
        encoding = "UTF-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("cp949")
        except UnicodeDecodeError:
            raise DocumentError(
                "cannot be decoded: it is not valid UTF-8, UTF-16 or CP949/EUC-KR text "
                f"(bad bytes at offset {utf8_error.start})"
            ) from None
        if not _looks_korean_or_ascii(text):
            raise DocumentError(
                gettext(
                    "cannot be decoded: it is not valid UTF-8, and as CP949/EUC-KR it does not read as "
                    "Korean text"
                )
            ) from None
        encoding = "CP949"
    return normalise_text(_check_text(text, encoding=encoding))
