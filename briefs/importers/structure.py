"""Text rules several readers share: what a sentence end and a heading look like, link-only
lines, captions, language, titles from the first sentence or the file name. Turning blocks into
sections is the sectioner's job (`briefs/importers/sectioner.py`)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

_CLOSERS = "\"'”’」』)]》〉»"
_SENTENCE_FINAL = ".!?。！？…"
# A heading may end in "?" ("…미국의 협상전략? 혹은 …문제?") but not in a full stop or a comma.
_NOT_HEADING_FINAL = ".!。！,;，、…"
# A sentence boundary inside the line: a Korean declarative ending, or an English full stop
# followed by a capital. "vs. 단계적" is neither.
_SENTENCE_INSIDE = re.compile(r"(?:[다요죠음함임]\.|[a-z]{3,}\.)\s+\S")
MAX_HEADING_CHARS = 100

_SUMMARY_HEADING = re.compile(
    r"^(?:요\s*약|핵심\s*요약|주요\s*내용|summary|executive\s+summary|abstract|key\s+findings)$",
    re.IGNORECASE,
)

# A line that is nothing but links or images: markdown `![alt](url)` / `[text](url)`
# (alt text may hold one level of brackets) or a bare URL.
_MD_LINK = r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\([^()\s]*\)"
LINK_ONLY_LINE = re.compile(rf"^\s*(?:{_MD_LINK}\s*)+$|^\s*<?https?://\S+>?\s*$")
# A teaser in a scraped page's tail: "[카드뉴스] …", "[AD] …".
_TEASER_LINE = re.compile(r"^\s*\[[^\[\]]{1,20}\]\s*\S.{0,120}$")

_CAPTION = re.compile(r"(?:사진|그림|자료|Photo|Image)\s*[=:：]|사진\s*제공|Photo\s+(?:by|courtesy)", re.I)


def core(line: str) -> str:
    """Return the line without surrounding whitespace and closing quotes or brackets."""
    return line.strip().rstrip(_CLOSERS)


def ends_sentence(line: str) -> bool:
    """Return whether the line ends with sentence-final punctuation."""
    tail = core(line)
    return bool(tail) and tail[-1] in _SENTENCE_FINAL


def heading_like(line: str) -> bool:
    """Return whether a line could be a heading: short, not a sentence, not a fragment."""
    text = line.strip()
    if not 1 <= len(text) <= MAX_HEADING_CHARS:
        return False
    tail = core(text)
    if not tail or tail[-1] in _NOT_HEADING_FINAL:
        return False
    if _SENTENCE_INSIDE.search(text):
        return False
    return any(ch.isalpha() for ch in text)


def is_summary_heading(heading: str) -> bool:
    return bool(_SUMMARY_HEADING.match(heading.strip()))


def is_link_only(line: str) -> bool:
    return bool(LINK_ONLY_LINE.match(line))


def strip_trailing_junk(lines: list[str]) -> list[str]:
    """Drop the tail of a scraped page: image/link lists and bracket-tagged teasers."""
    end = len(lines)
    saw_junk = False
    while end > 0:
        line = lines[end - 1]
        if not line.strip():
            end -= 1
        elif is_link_only(line):
            saw_junk = True
            end -= 1
        elif saw_junk and _TEASER_LINE.match(line) and not ends_sentence(line):
            end -= 1
        else:
            break
    return lines[:end] if saw_junk else lines


def normalise_spaces(text: str) -> str:
    return re.sub(r"[ \t\u00a0\u3000]{2,}", " ", text.replace("\u00a0", " ")).strip()


# Characters detect_language reads: a text longer than this is read in LANGUAGE_SLICES
# slices spread evenly over it, so a long text costs no more than this.
LANGUAGE_SAMPLE_CHARS = 256 * 1024
LANGUAGE_SLICES = 16
_NOT_HANGUL = re.compile("[^\uac00-\ud7a3\u3131-\u318e]")  # U+3130, U+318F: unassigned


def language_sample(text: str) -> str:
    """Return `text`, or, when it is longer than LANGUAGE_SAMPLE_CHARS, evenly spread slices of it."""
    if len(text) <= LANGUAGE_SAMPLE_CHARS:
        return text
    size = LANGUAGE_SAMPLE_CHARS // LANGUAGE_SLICES
    step = (len(text) - size) // (LANGUAGE_SLICES - 1)
    return "".join(text[i * step : i * step + size] for i in range(LANGUAGE_SLICES))


def detect_language(text: str) -> str:
    """Return "ko" when Hangul makes up a good share of the letters, else "en"."""
    sample = language_sample(text)
    letters = sum(map(str.isalpha, sample))
    if not letters:
        return "ko"
    hangul = len(_NOT_HANGUL.sub("", sample))  # Hangul syllables and jamo are all letters
    return "ko" if hangul / letters >= 0.3 else "en"


def is_caption(paragraph: str) -> bool:
    """Return whether a paragraph is a photo caption ("… / 사진=…")."""
    return len(paragraph) <= 160 and bool(_CAPTION.search(paragraph))


def first_sentence_title(paragraphs: list[str], *, limit: int = 120) -> str:
    """Return a title made from the first sentence of the first non-caption paragraph."""
    for paragraph in paragraphs:
        if is_caption(paragraph):
            continue
        sentence = re.split(r"(?<=[.!?。])\s+", paragraph.strip(), maxsplit=1)[0]
        sentence = sentence.rstrip(".。 ")
        if len(sentence) > limit:
            cut = sentence[:limit].rsplit(" ", 1)[0]
            sentence = cut.rstrip(",;: ") + "…"
        if any(ch.isalpha() for ch in sentence):
            return sentence
    return ""


def filename_title(filename: str) -> str:
    stem = PurePath(filename).stem if filename else ""
    return normalise_spaces(re.sub(r"[_]+", " ", stem)) or "Untitled document"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
