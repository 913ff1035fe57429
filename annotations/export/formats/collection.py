"""W3C Web Annotation export: one AnnotationCollection embedding its single AnnotationPage.

Each item is annotations.w3c.W3CPresenter.annotation(..., with_context=False): the export
writes no JSON-LD of its own, it only wraps the API's presenter and streams it.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from annotations.export.formats.base import ExportJob, buffered_bytes
from annotations.w3c import ANNO_CONTEXT, W3CPresenter, w3c_datetime

_dumps = orjson.dumps  # UTF-8 as is, no \u escapes


def w3c_stream(job: ExportJob) -> Iterator[bytes]:
    """Yield an AnnotationCollection (JSON-LD) holding every excerpt in its first page.

    An empty export is a collection with "total": 0 and no page, as the model allows.
    """
    return buffered_bytes(_pieces(job))


def _pieces(job: ExportJob) -> Iterator[bytes]:
    collection_id = job.source_url
    page_id = f"{collection_id}{'&' if '?' in collection_id else '?'}page=0"
    label = "Marginalia excerpts" if job.options.language == "en" else "Marginalia 발췌"
    head = {
        "@context": ANNO_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": label,
        "created": w3c_datetime(job.exported_at),
        "total": job.total,
    }
    yield _dumps(head)[:-1]  # leave the object open for "first"
    if job.total:
        # Embedded in its collection, the page needs no partOf (the suite would then want
        # the collection described again inside it).
        page = {"id": page_id, "type": "AnnotationPage", "startIndex": 0}
        yield b', "first": ' + _dumps(page)[:-1] + b', "items": ['
        presenter = W3CPresenter(base_url=job.options.base_url, language=job.options.language)
        for index, annotation in enumerate(job.rows):
            item = presenter.annotation(annotation, with_context=False)
            yield (b",\n" if index else b"\n") + _dumps(item)
        yield b"\n]}"
    yield b"}\n"
