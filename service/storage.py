"""Files uploaded by users, stored outside the database under ``Settings.attachment_dir``.

One folder per kind of file (``internships/`` for the three-party agreements, ``resumes/`` for the
graduates' résumé attachments), each file under a random name (:func:`secrets.token_urlsafe`, 192
bits: not guessable, and no part of what the user called the file reaches the file system). A file
is written through a temporary file, ``fsync`` and ``os.replace`` (atomic on POSIX), so a crash never
leaves a half-written file under its final name. The database row keeps the key, size and SHA-256.

Content checks shared by the kinds: :func:`check_pdf` (ISO 32000 header and end-of-file marker) and
:func:`looks_like` (what a refused file seems to be, for the error message).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from service.errors import InvalidFieldError

#: Largest file any upload route takes (each kind may allow less); its routes take this plus a
#: form's worth (:data:`ATTACHMENT_BODY_BYTES`) before reading the body (tests/test_body_limits.py).
MAX_FILE_BYTES = 10 * 1024 * 1024
ATTACHMENT_BODY_BYTES = MAX_FILE_BYTES + 64 * 1024
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


@dataclass(frozen=True, slots=True)
class StoredFile:
    key: str
    size: int
    sha256: str


def looks_like(data: bytes, default: str = "not a PDF") -> str:
    """What the leading bytes of ``data`` say it is (``"empty"``, ``"a PNG image"`` …)."""
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            return name
    return "empty" if not data else default


def is_pdf(data: bytes) -> bool:
    """A PDF by content: the header ``%PDF-1.n``/``%PDF-2.0`` within the first 1024 bytes (ISO
    32000-1:2008 §7.5.2, ISO 32000-2:2020 §7.5.2; Adobe's implementation notes allow it that far in)
    and the ``%%EOF`` marker within the last 1024 (§7.5.5)."""
    return bool(_PDF_HEADER.search(data[:1024])) and b"%%EOF" in data[-1024:]


def check_size(data: bytes, filename: str, field: str, limit: int) -> None:
    """Raises :class:`InvalidFieldError` (422 naming ``field`` and the file) when ``data`` is empty or
    larger than ``limit`` bytes."""
    if not data:
        raise InvalidFieldError(field, f"{filename}: the file is empty / 文件为空", "file_empty")
    if len(data) > limit:
        mb = f"{limit / 2**20:g}"
        raise InvalidFieldError(
            field,
            f"{filename}: {len(data):,} bytes, larger than the {mb} MB allowed / 文件超过 {mb} MB",
            "file_too_large",
        )


class Store:
    """The files of one kind: ``<directory>/<subdir>/<random><suffix>``."""

    def __init__(self, subdir: str, suffixes: tuple[str, ...]) -> None:
        self.subdir = subdir
        self.suffixes = suffixes
        alternatives = "|".join(re.escape(s) for s in suffixes)
        self._key = re.compile(rf"^[A-Za-z0-9_-]{{16,64}}(?:{alternatives})$")

    def store(self, directory: str, data: bytes, suffix: str | None = None) -> StoredFile:
        """Write ``data`` under ``directory``/``subdir`` with a new random name (atomically)."""
        suffix = suffix or self.suffixes[0]
        assert suffix in self.suffixes
        folder = Path(directory) / self.subdir
        folder.mkdir(parents=True, exist_ok=True)
        key = f"{secrets.token_urlsafe(24)}{suffix}"
        tmp = folder / f".{key}.part"
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, folder / key)
        return StoredFile(key=key, size=len(data), sha256=hashlib.sha256(data).hexdigest())

    def path_of(self, directory: str, key: str) -> Path:
        """The stored file of ``key`` (a key of :meth:`store`'s form only: no path escapes the folder).

        Raises:
            ValueError: ``key`` is not such a key.
        """
        if not self._key.match(key):
            raise ValueError(f"not an attachment key: {key!r}")
        return Path(directory) / self.subdir / key


def unlink_after_commit(session: AsyncSession, path: Path) -> None:
    """Delete ``path`` once ``session``'s transaction commits (a rollback keeps the file the row still names)."""
    event.listen(session.sync_session, "after_commit", lambda _: path.unlink(missing_ok=True), once=True)


def unlink_after_rollback(session: AsyncSession, path: Path) -> None:
    """Delete ``path`` (just stored) should ``session``'s transaction roll back: no orphan file."""
    event.listen(session.sync_session, "after_rollback", lambda _: path.unlink(missing_ok=True), once=True)


def download_headers(ascii_name: str, name: str | None = None) -> dict[str, str]:
    """Headers of a file download: ``Content-Disposition: attachment`` with an ASCII ``filename``
    and, when ``name`` is given, its UTF-8 form in ``filename*`` (RFC 6266 §4.3, RFC 8187), and
    ``X-Content-Type-Options: nosniff`` (the browser keeps the declared type)."""
    value = f'attachment; filename="{ascii_name}"'
    if name:
        value += f"; filename*=UTF-8''{urllib.parse.quote(name, safe='')}"
    return {"Content-Disposition": value, "X-Content-Type-Options": "nosniff"}
