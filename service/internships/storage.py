"""The three-party agreement (三方协议) as a PDF file stored outside the database.

The type is checked by content, never by the file name alone (:func:`service.storage.is_pdf`:
the ISO 32000 header and end-of-file marker). Anything else is refused with an error that names the
file and what its content looks like (a renamed Word, image or zip file).

Files are written to ``<attachment_dir>/internships/<random>.pdf`` by the shared
:class:`service.storage.Store` (temporary file and ``os.replace``, so a crash never leaves a
half-written agreement under its final name).
"""

from __future__ import annotations

from pathlib import Path

from service.errors import InvalidFieldError
from service.storage import MAX_FILE_BYTES, Store, StoredFile, check_size, is_pdf, looks_like

#: Largest agreement accepted (a scanned, signed three-page agreement is well under this).
MAX_AGREEMENT_BYTES = MAX_FILE_BYTES
SUBDIR = "internships"
_STORE = Store(SUBDIR, (".pdf",))

__all__ = ["MAX_AGREEMENT_BYTES", "SUBDIR", "StoredFile", "check_pdf", "path_of", "store"]


def check_pdf(data: bytes, filename: str, field: str = "agreement") -> None:
    """Accept ``data`` only if it is a PDF by content and at most :data:`MAX_AGREEMENT_BYTES`.

    Raises:
        InvalidFieldError: (422, naming ``field`` and the file) empty, too large, or not a PDF —
            e.g. a Word file renamed to ``.pdf``.
    """
    check_size(data, filename, field, MAX_AGREEMENT_BYTES)
    if not is_pdf(data):
        raise InvalidFieldError(
            field,
            f"{filename}: the content is {looks_like(data[:16])}, not a PDF (whatever its "
            "name says); upload the signed agreement as a PDF file / 文件内容不是 PDF，"
            "请上传 PDF 格式的三方协议",
            "not_a_pdf",
        )


def store(directory: str, data: bytes) -> StoredFile:
    """Write ``data`` under ``directory``/internships with a new random name (atomically)."""
    return _STORE.store(directory, data)


def path_of(directory: str, key: str) -> Path:
    """The stored file of ``key`` (a key of :func:`store`'s form only: no path escapes the folder)."""
    return _STORE.path_of(directory, key)
