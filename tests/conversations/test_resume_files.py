"""The résumé as a PDF (Chinese font embedded and subset) and the résumé attachment (PDF or .docx,
checked by content, stored outside the database, carried immutably by applications), over real
HTTP on both databases, through the API and the pages."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pypdf
import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fpdf import FPDF
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.config import Settings
from service.resumes.models import ResumeAttachment
from service.resumes.pdf import FontMissingError, resolve_font
from tests.conftest import LiveServer
from tests.conversations.conftest import ID_NUMBER, PHONE, World, apply, audit, post

Api = Callable[[str], httpx.Client]
LIMIT = 64 * 1024
FIXED = (2026, 1, 1, 0, 0, 0)


def _font_or_skip() -> None:
    try:
        resolve_font("")
    except FontMissingError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{exc.detail} (.ci/run installs fonts-wqy-zenhei)")
        pytest.skip(exc.detail)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A small résumé size limit. The attachments go to the harness's folder, emptied before each test (a
    folder under ``tmp_path`` would make the settings, and so the server, differ per test)."""
    return msgspec.structs.replace(settings, max_resume_attachment_bytes=LIMIT)


def _pdf_file(text: str = "my own CV") -> bytes:
    """A small PDF, the same bytes at every call (a fixed creation date: fpdf2 writes the time and an ID
    derived from it, so two calls a second apart differed)."""
    doc = FPDF()
    doc.set_creation_date(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    doc.add_page()
    doc.set_font("helvetica", size=12)
    doc.cell(0, 10, text)
    return bytes(doc.output())


def _docx(main: bool = True) -> bytes:
    """A minimal WordprocessingML package (ECMA-376 Part 2); ``main=False``: a zip that is not one."""
    part = (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
        if main
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    )
    name = "word/document.xml" if main else "xl/workbook.xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(
            zipfile.ZipInfo("[Content_Types].xml", FIXED),
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{name}" ContentType="{part}"/></Types>',
        )
        z.writestr(zipfile.ZipInfo(name, FIXED), "<document/>")  # fixed times: the same bytes each call
    return buffer.getvalue()


def _fonts(reader: pypdf.PdfReader) -> list[dict[str, Any]]:
    """Every font of every page with its descendant's descriptor."""
    out = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (
                font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
                if "/DescendantFonts" in font
                else font.get("/FontDescriptor", {})
            )
            out.append({"base": str(font["/BaseFont"]), "descriptor": descriptor})
    return out


def _text(content: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def _files(settings: Settings) -> list[Path]:
    folder = Path(settings.attachment_dir) / "resumes"
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.exists() else []


# --- the PDF --------------------------------------------------------------------------------------


def test_resume_pdf_embeds_a_subset_chinese_font_and_its_text_extracts(api: Api, world: World) -> None:
    _font_or_skip()
    graduate = api("graduate_a")
    r = graduate.get(f"/graduates/{world.ids['graduate_a']}/resume.pdf")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith('attachment; filename="resume.pdf"')
    assert r.headers["x-content-type-options"] == "nosniff"
    reader = pypdf.PdfReader(io.BytesIO(r.content))
    text = _text(r.content)
    for value in (
        "陈小明",
        "数控技术应用",
        "广州市机电技师学校",
        "电工证",
        "全国职业院校技能大赛",
        "数控车床实习生",
        "技能",
    ):
        assert value in text, (value, text)
    assert ID_NUMBER not in text and PHONE not in text  # the graduate's own PDF for sending: no contact, no 身份证号
    fonts = _fonts(reader)
    assert fonts and all("/FontFile2" in f["descriptor"] for f in fonts), fonts  # embedded TrueType
    assert all(str(f["base"]).lstrip("/")[6] == "+" for f in fonts), fonts  # subset tag (ISO 32000-1 §9.6.4)
    assert len(r.content) < 200_000  # a subset, not the 17 MB font
    english = graduate.get(f"/graduates/{world.ids['graduate_a']}/resume.pdf", params={"lang": "en"})
    assert "Skills" in _text(english.content) and "Certificates" in _text(english.content)
    # the readers of GET /graduates/{id}/resume: employers read snapshots (403), other graduates nothing (404)
    assert api("employer_a").get(f"/graduates/{world.ids['graduate_a']}/resume.pdf").status_code == 403
    assert api("graduate_b").get(f"/graduates/{world.ids['graduate_a']}/resume.pdf").status_code == 404


async def test_applicant_pdf_follows_the_snapshot_rule_and_is_audited(
    api: Api, world: World, session: AsyncSession
) -> None:
    _font_or_skip()
    graduate, employer = api("graduate_a"), api("employer_a")
    application_id = apply(graduate, world, note="希望面试")
    graduate.patch(f"/graduates/{world.ids['graduate_a']}", json={"skills": ["焊接"]})
    path = f"/applications/{application_id}/applicant/resume.pdf"
    r = employer.get(path)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf", r.text
    text = _text(r.content)
    assert "数控车床操作" in text and "焊接" not in text  # the snapshot, not today's profile
    assert PHONE not in text and ID_NUMBER not in text  # no consent yet
    assert [e.object_id for e in await audit(session, "applicant")] == [str(application_id)]
    assert await audit(session, "applicant_contact") == []
    graduate.put(f"/applications/{application_id}/contact-consent", json={"contact_consent": True})
    assert PHONE in _text(employer.get(path).content)
    assert len(await audit(session, "applicant_contact")) == 1
    assert employer.post(f"/applications/{application_id}/status", json={"status": "rejected"}).status_code == 200
    assert PHONE not in _text(employer.get(path).content)  # no longer live
    assert api("employer_b").get(path).status_code == 404


def test_a_font_without_chinese_glyphs_is_a_clear_503_not_a_broken_pdf(
    settings: Settings, world: World, tmp_path: Path, api: Api
) -> None:
    latin = tmp_path / "latin.ttf"
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "A"])
    builder.setupCharacterMap({ord("A"): "A"})
    pen = TTGlyphPen(None)
    pen.moveTo((0, 0)), pen.lineTo((500, 700)), pen.lineTo((1000, 0)), pen.closePath()
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "A": pen.glyph()})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "A": (1000, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Latin", "styleName": "Regular"})
    builder.setupOS2(), builder.setupPost()
    builder.save(str(latin))
    with pytest.raises(FontMissingError, match="no Chinese glyphs"):
        resolve_font(str(latin))
    with pytest.raises(ValueError, match="VOCMATCH_RESUME_FONT"):
        msgspec.structs.replace(settings, resume_font=str(tmp_path / "missing.ttf")).__post_init__()
    with LiveServer(msgspec.structs.replace(settings, resume_font=str(latin))) as live:
        token = api("graduate_a").headers["Authorization"]
        r = httpx.get(
            f"{live.base_url}/graduates/{world.ids['graduate_a']}/resume.pdf", headers={"Authorization": token}
        )
    assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json", r.text
    assert "no Chinese glyphs" in r.json()["detail"] and "VOCMATCH_RESUME_FONT" in r.json()["detail"]


# --- the attachment ------------------------------------------------------------------------------


def test_attachment_is_checked_by_content_and_size(api: Api, world: World, settings: Settings) -> None:
    graduate = api("graduate_a")
    url = f"/graduates/{world.ids['graduate_a']}/resume/attachment"
    png_as_pdf = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    cases = [
        ("photo.pdf", png_as_pdf, "a PNG image"),
        ("sheet.docx", _docx(main=False), "without a Word document"),
        ("empty.pdf", b"", "empty"),
        ("old.docx", b"\xd0\xcf\x11\xe0" + b"\0" * 64, "old Office document"),
        ("big.pdf", _pdf_file("x" * 10) + b"%" * LIMIT, "larger than"),
    ]
    for name, content, said in cases:
        r = graduate.post(url, files={"data": (name, content, "application/pdf")})
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", (name, r.text)
        assert r.json()["errors"][0]["field"] == "attachment" and name in r.json()["detail"], r.text
        assert said in r.json()["detail"], (said, r.text)
    assert _files(settings) == []  # nothing half-written
    assert graduate.get(url).status_code == 404
    # a real .docx named .pdf is stored as what it is
    stored = graduate.post(url, files={"data": ("简历.pdf", _docx(), "application/pdf")})
    assert stored.status_code == 200, stored.text
    assert stored.json()["media_type"].endswith("wordprocessingml.document") and stored.json()["filename"] == "简历.pdf"
    [file] = _files(settings)
    assert file.suffix == ".docx" and "简历" not in file.name and len(file.stem) >= 32
    assert file.read_bytes() == _docx()
    got = graduate.get(url)
    assert got.status_code == 200 and got.content == _docx()
    assert got.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert (
        got.headers["content-disposition"].startswith("attachment;")
        and got.headers["x-content-type-options"] == "nosniff"
    )
    # only the graduate themself uploads
    assert api("employer_a").post(url, files={"data": ("a.pdf", _pdf_file(), "application/pdf")}).status_code == 403
    assert api("graduate_b").post(url, files={"data": ("a.pdf", _pdf_file(), "application/pdf")}).status_code == 404
    assert api("graduate_b").delete(url).status_code == 404


async def test_an_application_keeps_the_file_it_was_sent_with(
    api: Api, world: World, settings: Settings, session: AsyncSession
) -> None:
    graduate, employer = api("graduate_a"), api("employer_a")
    url = f"/graduates/{world.ids['graduate_a']}/resume/attachment"
    first, second, third = _pdf_file("first"), _pdf_file("second"), _docx()
    assert graduate.post(url, files={"data": ("first.pdf", first, "application/pdf")}).status_code == 200
    application_id = apply(graduate, world)
    assert graduate.post(url, files={"data": ("second.pdf", second, "application/pdf")}).status_code == 200
    assert len(_files(settings)) == 2  # the first stays: the application names it
    view = employer.get(f"/applications/{application_id}/applicant").json()
    assert view["attachment"]["filename"] == "first.pdf"
    got = employer.get(f"/applications/{application_id}/applicant/attachment")
    assert got.status_code == 200 and got.content == first and got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-type-options"] == "nosniff" and got.headers["content-disposition"].startswith(
        f'attachment; filename="resume-application-{application_id}.pdf"'
    )
    assert [e.object_id for e in await audit(session, "applicant_attachment")] == [str(application_id)]
    assert api("employer_b").get(f"/applications/{application_id}/applicant/attachment").status_code == 404
    # replacing a file no application names deletes it
    assert graduate.post(url, files={"data": ("third.docx", third, "application/pdf")}).status_code == 200
    assert sorted(p.read_bytes() for p in _files(settings)) == sorted([first, third])
    assert graduate.delete(url).status_code == 204 and graduate.delete(url).status_code == 404
    assert [p.read_bytes() for p in _files(settings)] == [first]
    assert employer.get(f"/applications/{application_id}/applicant/attachment").content == first
    later = apply(graduate, world, posting="posting_b")
    assert api("employer_b").get(f"/applications/{later}/applicant").json()["attachment"] is None
    count = await session.execute(select(func.count()).select_from(ResumeAttachment))
    assert count.scalar_one() == 1


# --- the pages ---------------------------------------------------------------------------------------


def test_resume_page_uploads_replaces_and_downloads(
    browser: Callable[[str], httpx.Client],
    world: World,
    settings: Settings,
) -> None:
    _font_or_skip()
    graduate = browser("graduate_a")
    page = graduate.get("/web/resume")
    assert page.status_code == 200 and 'href="/web/resume.pdf"' in page.text
    assert 'enctype="multipart/form-data"' in page.text and 'name="attachment"' in page.text
    csrf = graduate.cookies["vocmatch_csrf"]
    bad = graduate.post(
        "/web/resume/attachment",
        data={"_csrf_token": csrf},
        files={"attachment": ("照片.pdf", b"\xff\xd8\xff\xe0" + b"\0" * 50, "application/pdf")},
    )
    assert bad.status_code == 422 and "照片.pdf 的内容不是 PDF 或 Word (.docx) 文档" in bad.text, bad.text
    assert bad.headers["content-type"].startswith("text/html"), bad.headers
    assert _files(settings) == []
    english = graduate.post(
        "/web/resume/attachment?lang=en",
        data={"_csrf_token": csrf},
        files={"attachment": ("big.pdf", _pdf_file() + b"%" * LIMIT, "application/pdf")},
    )
    assert english.status_code == 422 and "big.pdf is larger than the 0.0625 MB allowed" in english.text
    ok = graduate.post(
        "/web/resume/attachment",
        data={"_csrf_token": csrf},
        files={"attachment": ("我的简历.pdf", _pdf_file(), "application/pdf")},
    )
    assert ok.status_code == 303 and ok.headers["location"].startswith("/web/resume?saved=attachment")
    page = graduate.get(ok.headers["location"] + "&lang=zh")
    assert "我的简历.pdf" in page.text and "简历文件已保存" in page.text
    assert graduate.get("/web/resume/attachment").content == _pdf_file()
    pdf = graduate.get("/web/resume.pdf")
    assert pdf.status_code == 200 and "陈小明" in _text(pdf.content) and "技能" in _text(pdf.content)
    deleted = post(graduate, "/web/resume/attachment/delete")
    assert deleted.status_code == 303 and _files(settings) == []
    assert graduate.get("/web/resume/attachment").status_code == 404


async def test_employer_pages_give_the_snapshot_pdf_and_file(
    browser: Callable[[str], httpx.Client],
    api: Api,
    world: World,
    session: AsyncSession,
) -> None:
    _font_or_skip()
    graduate = api("graduate_a")
    graduate.post(
        f"/graduates/{world.ids['graduate_a']}/resume/attachment",
        files={"data": ("cv.docx", _docx(), "application/octet-stream")},
    )
    application_id = apply(graduate, world)
    employer = browser("employer_a")
    page = employer.get(f"/web/applicants/{application_id}")
    assert f"/web/applicants/{application_id}/resume.pdf" in page.text and "cv.docx" in page.text
    pdf = employer.get(f"/web/applicants/{application_id}/resume.pdf")
    assert pdf.status_code == 200 and "陈小明" in _text(pdf.content) and PHONE not in _text(pdf.content)
    file = employer.get(f"/web/applicants/{application_id}/attachment")
    assert file.status_code == 200 and file.content == _docx() and file.headers["x-content-type-options"] == "nosniff"
    assert browser("employer_b").get(f"/web/applicants/{application_id}/attachment").status_code == 404
    assert len(await audit(session, "applicant_attachment")) == 1
