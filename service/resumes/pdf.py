"""The résumé (:func:`service.resumes.resume.build_resume`) as a PDF file with its Chinese font
embedded.

Library: fpdf2 (https://py-pdf.github.io/fpdf2/, LGPL-3.0, pure Python, kept up by the py-pdf
group) embeds a TrueType font as a CIDFontType2 with ``/FontFile2`` and subsets it to the glyphs
used (ISO 32000-1:2008 §9.7.4, §9.9), so the PDF shows the same on a reader without Chinese fonts
and stays small (a few KB for a one-page résumé). ReportLab's CID fonts (STSong-Light) are *not*
embedded: a reader lacking them substitutes, so they were not used.

The font: ``Settings.resume_font`` or the first of :data:`FONT_CANDIDATES` that exists — Debian's
``fonts-wqy-zenhei`` (文泉驿正黑, GPL-2 with the font-embedding exception, 21,000+ CJK characters
incl. every GB 18030 level-1 and -2 character a name may use), which ``.ci/run`` and the Dockerfile
install. None: :class:`FontMissingError`, a 503 problem that says what to install — never a PDF
with boxes or empty text. The check also runs at start-up (a warning in the log).

Layout follows the printable page (``templates/partials/resume_body.html``): A4, the same sections
and headings, in the reader's language (the page's or, for the API, ``?lang=``/``Accept-Language``).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import SubsetMap, TTFFont

from service.errors import DomainError

log = logging.getLogger(__name__)
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # "BDF NOT subset; dropped": bitmaps, not needed
#: Fonts looked for when ``VOCMATCH_RESUME_FONT`` is empty (TrueType outlines, so ``/FontFile2``).
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # Debian/Ubuntu fonts-wqy-zenhei
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",  # Fedora, Arch
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # Debian/Ubuntu fonts-wqy-microhei
)
#: Characters the font must have (a Latin-only font would print boxes).
_PROBE = "简历专业证书陈"
_FAMILY = "resume"
_CJK = re.compile(r"[\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]")
Gettext = Callable[[str], str]


class FontMissingError(DomainError):
    """No usable Chinese font for résumé PDFs (503: the server is not set up for it)."""

    status_code = 503  # type: ignore[assignment]  # DomainError types its codes as HTTPStatus members


@functools.lru_cache(maxsize=4)
def resolve_font(configured: str = "") -> Path:
    """The font file résumé PDFs embed: ``configured`` or the first of :data:`FONT_CANDIDATES`,
    checked to have Chinese glyphs.

    Raises:
        FontMissingError: none found, or the file has no Chinese glyphs (the message says what to do).
    """
    candidates = [configured] if configured else list(FONT_CANDIDATES)
    for name in candidates:
        path = Path(name)
        if path.is_file():
            with TTFont(path, fontNumber=0, lazy=True) as font:
                cmap = font.getBestCmap() or {}
            missing = [c for c in _PROBE if ord(c) not in cmap]
            if missing:
                raise FontMissingError(
                    f"résumé PDF: the font {path} has no Chinese glyphs ({''.join(missing)}); set "
                    "VOCMATCH_RESUME_FONT to a TrueType font with Chinese characters"
                )
            return path
    raise FontMissingError(
        "résumé PDF: no Chinese font found (looked for " + ", ".join(candidates) + "). Install "
        "Debian's fonts-wqy-zenhei (apt-get install fonts-wqy-zenhei) or set VOCMATCH_RESUME_FONT "
        "to a TrueType font with Chinese glyphs / 服务器未安装中文字体，无法生成 PDF 简历"
    )


def check_font_at_start_up(configured: str) -> Path | None:
    """Log whether résumé PDFs can be made (a missing font is a warning here, a 503 on first use)."""
    try:
        path = resolve_font(configured)
    except FontMissingError as exc:
        log.warning("%s", exc.detail)
        return None
    log.info("résumé PDFs embed %s", path)
    return path


@functools.lru_cache(maxsize=2)
def _font_metrics(path: Path) -> TTFFont:
    """The font of ``path`` as fpdf2 reads it (:class:`fpdf.fonts.TTFFont`: widths, glyph ids, the
    font descriptor), read once per process, without its fontTools font (kept by no one: the
    parsed tables took the memory). Reading it took most of a résumé's time (~80 %: the 17 MB
    wqy-zenhei, its 21,000+ characters' widths and glyph ids in Python)."""
    metrics = TTFFont(FPDF(), path, _FAMILY, "", None, None, None, 0)
    metrics.ttfont.close()
    metrics.ttfont = None  # never used: each document opens its own
    return metrics


def _add_font(pdf: FPDF, path: Path) -> None:
    """``pdf.add_font(_FAMILY, fname=path)`` from :func:`_font_metrics` instead of reading the font again.

    What a document changes stays per document: fpdf2 subsets the font to the glyphs the document
    used by changing the fontTools font in place (``fpdf/output.py``, ``Subsetter.subset``), so each
    document opens its own (lazily: the tables are read when the subset needs them); the used-glyph
    map (``subset``), the widths (a ``defaultdict`` a lookup adds to), the glyph ids, the missing
    glyphs and the descriptor (given the document's object number and font file) are copies. The
    rest (the character map, names, scale, flags) is only read. A font fpdf2 treats differently
    (colour glyphs, CFF outlines) is added the usual way. ``tests/conversations/test_resume_files.py``
    checks the PDF is the one ``add_font`` makes, font subset included."""
    metrics = _font_metrics(path)
    if metrics.color_font is not None or metrics.is_cff or metrics.is_compressed:
        pdf.add_font(_FAMILY, fname=str(path), collection_font_number=0)
        return
    font = TTFFont.__new__(TTFFont)
    for name in TTFFont.__slots__:
        if hasattr(metrics, name):  # fpdf2 leaves some unset (unicode_range)
            setattr(font, name, getattr(metrics, name))
    font.i = len(pdf.fonts) + 1
    font.ttfont = TTFont(path, recalcTimestamp=False, fontNumber=0, lazy=True)
    font.cw = copy.copy(metrics.cw)
    font.glyph_ids = dict(metrics.glyph_ids)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.desc = copy.copy(metrics.desc)
    font.subset = SubsetMap(font)
    pdf.fonts[font.fontkey] = font


class _Doc(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self._footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FAMILY, size=8)
        self.set_text_color(120)
        self.cell(0, 6, f"{self._footer_text} · {self.page_no()}/{{nb}}", align="C")


def _wrap(text: str) -> WrapMode:
    """Text with Chinese characters breaks between characters (Chinese puts no spaces between
    words; W3C "Requirements for Chinese Text Layout", https://www.w3.org/TR/clreq/); other text
    between words."""
    return WrapMode.CHAR if _CJK.search(text) else WrapMode.WORD


def _join(items: list[str], _: Gettext) -> str:
    return _("LIST_SEPARATOR").join(items)


def _education(value: str, _: Gettext) -> str:
    return {
        "any": _("Any schooling"),
        "junior_secondary": _("Junior secondary or below"),
        "secondary_vocational": _("Secondary vocational (中职)"),
        "senior_secondary": _("Senior secondary (高中)"),
        "associate": _("Associate degree (大专)"),
        "bachelor": _("Bachelor's degree"),
        "master": _("Master's degree"),
        "doctorate": _("Doctorate"),
    }.get(value, value)


def _job_type(value: str, _: Gettext) -> str:
    return {
        "FULL_TIME": _("Full-time"),
        "PART_TIME": _("Part-time"),
        "INTERN": _("Internship"),
        "WORK_PLACEMENT": _("Work placement"),
        "TEMPORARY": _("Temporary"),
        "CONTRACTOR": _("Contract"),
    }.get(value, _("Other"))


def _parts(*values: Any) -> str:
    return " · ".join(str(v) for v in values if v not in (None, ""))


def _lines(resume: dict[str, Any], _: Gettext) -> list[tuple[str, str]]:
    """The résumé as (kind, text) lines: ``h`` section heading, ``p`` paragraph, ``li`` list item."""
    out: list[tuple[str, str]] = []
    if resume.get("summary"):
        out += [("h", _("About me")), ("p", resume["summary"])]
    out += [("h", _("Skills")), ("p", _join(resume["skills"], _) if resume["skills"] else _("none listed"))]
    out.append(("h", _("Certificates")))
    out += [
        ("li", _parts(c["name"] + (f"（{c['level']}）" if c.get("level") else ""), c.get("issuer"), c.get("issued_on")))
        for c in resume["certificates"]
    ] or [("p", _("none listed"))]
    if resume["awards"]:
        out.append(("h", _("Skills-competition awards")))
        out += [
            ("li", _parts(a["competition"], a.get("level"), a.get("prize"), a.get("year"))) for a in resume["awards"]
        ]
    out.append(("h", _("Internships and jobs")))
    for e in resume["experiences"]:
        period = f"{e['start_date']} – {e.get('end_date') or _('now')}" if e.get("start_date") else None
        out.append(("li", _parts(e["title"], e.get("employer_name"), e.get("city"), period)))
        if e.get("description"):
            out.append(("p", e["description"]))
    if not resume["experiences"]:
        out.append(("p", _("none listed")))
    prefs = resume["preferences"]
    out.append(("h", _("Wishes")))
    if prefs["desired_titles"]:
        out.append(("p", f"{_('Positions')}: {_join(prefs['desired_titles'], _)}"))
    out.append(
        (
            "p",
            f"{_('Places')}: " + (_join(prefs["preferred_locations"], _) if prefs["preferred_locations"] else _("any")),
        )
    )
    salary = prefs.get("min_salary_monthly")
    out.append(
        ("p", f"{_('Minimum salary')}: " + (_("%(n)s yuan/month") % {"n": salary} if salary else _("not stated")))
    )
    if prefs["preferred_job_types"]:
        out.append(("p", f"{_('Job types')}: {_join([_job_type(t, _) for t in prefs['preferred_job_types']], _)}"))
    return out


def render_pdf(
    resume: dict[str, Any], gettext: Gettext, *, font: Path, contact: Any = None, taken_at: dt.datetime | None = None
) -> bytes:
    """The PDF of ``resume`` (a :func:`~service.resumes.resume.build_resume` document), headings
    translated by ``gettext``; ``contact`` (phone, email) only when the caller may show it;
    ``taken_at``: the snapshot's time, printed in the footer. CPU-bound (the font's metrics are
    read once per process, :func:`_font_metrics`; then ~0.3 s, mostly subsetting the font): call
    it in a worker thread."""
    _ = gettext
    footer = (
        _("Résumé as it was when they applied (%(date)s).") % {"date": taken_at.date().isoformat()}
        if taken_at
        else _("Made from the profile on %(date)s.") % {"date": dt.date.today().isoformat()}
    )
    pdf = _Doc(footer)
    pdf.set_title(f"{_('Résumé')} · {resume['name']}")
    pdf.set_creator("vocmatch")
    _add_font(pdf, font)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(18, 16, 18)
    pdf.add_page()
    pdf.set_font(_FAMILY, size=20)
    pdf.multi_cell(0, 10, resume["name"], wrapmode=_wrap(resume["name"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FAMILY, size=10.5)
    cohort = _("cohort %(year)s") % {"year": resume["cohort"]} if resume.get("cohort") else None
    meta = _parts(
        resume.get("school_name") or _("school not stated"),
        resume.get("major_name") or _("major not stated"),
        _education(resume["education"], _),
        cohort,
        resume.get("city"),
    )
    pdf.multi_cell(0, 6, meta, wrapmode=_wrap(meta), align="L", new_x="LMARGIN", new_y="NEXT")
    if contact is not None:
        line = f"{_('Phone')}: {contact.phone or _('not stated')} · {_('E-mail')}: {contact.email or _('not stated')}"
        pdf.multi_cell(0, 6, line, wrapmode=_wrap(line), align="L", new_x="LMARGIN", new_y="NEXT")
    for kind, text in _lines(resume, _):
        if kind == "h":
            pdf.ln(3)
            pdf.set_font(_FAMILY, size=13)
            pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
            pdf.set_draw_color(180)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
            pdf.ln(1)
            pdf.set_font(_FAMILY, size=10.5)
        else:
            pdf.multi_cell(
                0,
                6,
                ("● " if kind == "li" else "") + text,
                wrapmode=_wrap(text),
                align="L",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    return bytes(pdf.output())
