"""The résumé attachment: one file (PDF or Word .docx) a graduate uploads beside the résumé made
from the profile, sent with every application they make while it is their current one.

Checked by content, never by the name alone (a renamed image or old ``.doc`` is refused, naming
the file and what it looks like):

* **PDF** — the ISO 32000 header and end-of-file marker (:func:`service.storage.is_pdf`);
* **DOCX** — an OPC package (ECMA-376 Part 2, a zip file) whose ``[Content_Types].xml`` declares
  the WordprocessingML main document part
  (``application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml``, ECMA-376
  Part 1 §11.3.10). An ``.xlsx`` or a plain ``.zip`` fails this. Only that one small part is read
  (never the whole archive: no zip bomb is inflated).

At most ``Settings.max_resume_attachment_bytes`` (5 MiB by default). Stored outside the database by
:class:`service.storage.Store` under ``<attachment_dir>/resumes/<random>.pdf|.docx``; rows
(:class:`~service.resumes.models.ResumeAttachment`) are immutable, so an application's snapshot
names the exact file the graduate had when applying; replacing or deleting the current one keeps
the old file only while some application names it. Erasing the graduate deletes every file
(:func:`erase_for_graduate`).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.errors import InvalidFieldError, NotFoundError
from service.resumes.models import ApplicationResume, ResumeAttachment
from service.storage import Store, check_size, is_pdf, looks_like, unlink_after_commit, unlink_after_rollback

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
#: ``[Content_Types].xml`` of a real document is a few KB; a bigger one is not read.
_CONTENT_TYPES_MAX = 256 * 1024
STORE = Store("resumes", (".pdf", ".docx"))
FIELD = "attachment"


class AttachmentRefused(InvalidFieldError):
    """422 naming the file; ``reason`` (``empty``, ``too_large``, ``type``) picks the page's text."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(FIELD, message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Kind:
    media_type: str
    suffix: str


def _is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX:
                return False
            return _DOCX_MAIN in archive.read(info)
    except (zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError, OSError, EOFError):
        return False


def check_attachment(data: bytes, filename: str, limit: int) -> Kind:
    """What ``data`` is (PDF or DOCX, by content) when it may be stored.

    Raises:
        AttachmentRefused: (422, field ``attachment``, naming the file) empty, over ``limit`` bytes, or
            neither a PDF nor a Word .docx document by its content.
    """
    try:
        check_size(data, filename, FIELD, limit)
    except InvalidFieldError as exc:
        raise AttachmentRefused("empty" if not data else "too_large", exc.detail) from None
    if is_pdf(data):
        return Kind(PDF_TYPE, ".pdf")
    if _is_docx(data):
        return Kind(DOCX_TYPE, ".docx")
    seen = looks_like(data[:16], "neither")
    if seen.startswith("a zip container"):
        seen = "a zip file without a Word document (e.g. .xlsx or .zip)"
    raise AttachmentRefused(
        "type",
        f"{filename}: the content is {seen}, not a PDF or Word (.docx) document "
        "(whatever its name says); save the résumé as PDF or .docx / 文件内容不是 PDF 或 "
        "Word (.docx) 文档，请另存为 PDF 或 .docx 后上传",
    )


async def current(session: AsyncSession, graduate_id: int) -> ResumeAttachment | None:
    """The graduate's current attachment, or ``None``."""
    stmt = (
        select(ResumeAttachment)
        .where(ResumeAttachment.graduate_id == graduate_id, ResumeAttachment.current.is_(True))
        .order_by(ResumeAttachment.id.desc())
    )
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def _retire(session: AsyncSession, row: ResumeAttachment, directory: str) -> None:
    """Take ``row`` off as the current attachment; delete it (and its file, after the commit) unless
    an application's snapshot names it."""
    row.current = False
    named = (
        await session.execute(
            select(ApplicationResume.application_id).where(ApplicationResume.attachment_id == row.id).limit(1)
        )
    ).first()
    if named is None:
        unlink_after_commit(session, STORE.path_of(directory, row.key))
        await session.delete(row)
    await session.flush()


async def upload(
    session: AsyncSession, graduate_id: int, data: bytes, filename: str, *, directory: str, limit: int
) -> ResumeAttachment:
    """Check ``data`` (:func:`check_attachment`), store it and make it the graduate's current
    attachment, replacing the earlier one. Flushes; nothing is stored when the check fails."""
    kind = check_attachment(data, filename, limit)
    previous = await current(session, graduate_id)
    stored = STORE.store(directory, data, kind.suffix)
    unlink_after_rollback(session, STORE.path_of(directory, stored.key))
    if previous is not None:
        await _retire(session, previous, directory)
    name = Path(filename.replace("\\", "/")).name or f"resume{kind.suffix}"
    row = ResumeAttachment(
        graduate_id=graduate_id,
        key=stored.key,
        filename=name[-255:],
        media_type=kind.media_type,
        size=stored.size,
        sha256=stored.sha256,
        current=True,
    )
    session.add(row)
    await session.flush()
    return row


async def remove(session: AsyncSession, graduate_id: int, directory: str) -> None:
    """Delete the graduate's current attachment (applications already made keep theirs).

    Raises:
        NotFoundError: there is none (404).
    """
    row = await current(session, graduate_id)
    if row is None:
        raise NotFoundError("résumé attachment of graduate", graduate_id)
    await _retire(session, row, directory)


def file_of(row: ResumeAttachment | None, directory: str, what: str, ident: object) -> Path:
    """The stored file of ``row``. Raises :class:`NotFoundError` when there is none."""
    if row is None:
        raise NotFoundError(what, ident)
    path = STORE.path_of(directory, row.key)
    if not path.is_file():
        raise NotFoundError(what, ident)
    return path


async def of_application(session: AsyncSession, application_id: int) -> ResumeAttachment | None:
    """The attachment an application's snapshot names, or ``None``."""
    stmt = (
        select(ResumeAttachment)
        .join(ApplicationResume, ApplicationResume.attachment_id == ResumeAttachment.id)
        .where(ApplicationResume.application_id == application_id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def erase_for_graduate(session: AsyncSession, graduate_id: int, directory: str | None) -> int:
    """On the erasure of the graduate's personal data (:func:`service.privacy.deletion.execute_deletion`):
    delete every résumé attachment of theirs — rows, the applications' references and the files (at
    once, as :func:`service.internships.service.erase_agreements` does: erasure errs on the side of
    deleting). Returns the number of files erased."""
    rows = (
        (await session.execute(select(ResumeAttachment).where(ResumeAttachment.graduate_id == graduate_id)))
        .scalars()
        .all()
    )
    if not rows:
        return 0
    ids = [r.id for r in rows]
    await session.execute(
        update(ApplicationResume)
        .where(ApplicationResume.attachment_id.in_(ids))
        .values(attachment_id=None)
        .execution_options(synchronize_session=False)
    )
    for row in rows:
        if directory is not None:
            STORE.path_of(directory, row.key).unlink(missing_ok=True)
        await session.delete(row)
    await session.flush()
    return len(rows)
