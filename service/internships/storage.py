"""The three-party agreement (三方协议) as a PDF file stored outside the database.

The type is checked by content, never by the file name alone: a PDF starts with the header
``%PDF-1.n`` or ``%PDF-2.0`` (ISO 32000-1:2008 §7.5.2, ISO 32000-2:2020 §7.5.2; readers accept it
within the first 1024 bytes, as Adobe's implementation notes allow) and ends with the ``%%EOF``
marker (§7.5.5), which must appear in the last 1024 bytes. Anything else is refused with an error
that names the file and what its content looks like (a renamed Word, image or zip file).

Files are written to ``<attachment_dir>/internships/<random>.pdf`` through a temporary file and
``os.replace``, so a crash never leaves a half-written agreement under its final name.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from service.errors import InvalidFieldError

#: Largest agreement accepted (a scanned, signed three-page agreement is well under this).
MAX_AGREEMENT_BYTES = 10 * 1024 * 1024
SUBDIR = "internships"
_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
#: Leading bytes of common files uploaded by mistake → what to call them in the error.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip container (.docx, .xlsx or .zip)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc or .xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "an RTF document"),
    (b"Rar!", "a RAR archive"),
)
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}\.pdf$")


@dataclass(frozen=True, slots=True)
class StoredFile:
    key: str
    size: int
    sha256: str


def _looks_like(data: bytes) -> str:
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            return name
    if not data:
        return "empty"
    return "not a PDF"


def check_pdf(data: bytes, filename: str, field: str = "agreement") -> None:
    """Accept ``data`` only if it is a PDF by content and at most :data:`MAX_AGREEMENT_BYTES`.

    Raises:
        InvalidFieldError: (422, naming ``field`` and the file) empty, too large, or not a PDF —
            e.g. a Word file renamed to ``.pdf``.
    """
    if not data:
        raise InvalidFieldError(field, f"{filename}: the file is empty / 文件为空")
    if len(data) > MAX_AGREEMENT_BYTES:
        raise InvalidFieldError(field, f"{filename}: {len(data):,} bytes, larger than the {MAX_AGREEMENT_BYTES // 2**20} "
                                       f"MB allowed / 文件超过 {MAX_AGREEMENT_BYTES // 2**20} MB")
    if not _PDF_HEADER.search(data[:1024]) or b"%%EOF" not in data[-1024:]:
        raise InvalidFieldError(field, f"{filename}: the content is {_looks_like(data[:16])}, not a PDF (whatever its "
                                       "name says); upload the signed agreement as a PDF file / 文件内容不是 PDF，"
                                       "请上传 PDF 格式的三方协议")


def store(directory: str, data: bytes) -> StoredFile:
    """Write ``data`` under ``directory``/internships with a new random name (atomically)."""
    folder = Path(directory) / SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    key = f"{secrets.token_urlsafe(24)}.pdf"
    tmp = folder / f".{key}.part"
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, folder / key)
    return StoredFile(key=key, size=len(data), sha256=hashlib.sha256(data).hexdigest())


def path_of(directory: str, key: str) -> Path:
    """The stored file of ``key`` (a key of :func:`store`'s form only: no path escapes the folder)."""
    if not _KEY.match(key):
        raise ValueError(f"not an attachment key: {key!r}")
    return Path(directory) / SUBDIR / key
