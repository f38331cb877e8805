"""对口 (in-field) proposals from the major↔occupation mapping in :mod:`matching.taxonomy`."""

from __future__ import annotations

from functools import cache

from matching.taxonomy import Taxonomy


@cache
def core_taxonomy() -> Taxonomy:
    """The packaged core taxonomy, loaded on first use (never at import) and kept."""
    return Taxonomy.from_core()


def propose_in_field(major_code: str | None, occupation_code: str | None,
                     job_title: str | None) -> tuple[bool | None, str | None, str]:
    """Propose 对口 for a directly-employed outcome.

    Returns ``(in_field, occupation_code, reason)``: ``in_field`` is ``True``/``False`` when the
    graduate's major and the job's occupation (given, or resolved from ``job_title``) are both in
    the taxonomy, else ``None``; ``occupation_code`` is the resolved concept code (or ``None``);
    ``reason`` says how the proposal was made, in Chinese and English.
    """
    tax = core_taxonomy()
    version = tax.version or "core"
    occ = tax.occupation_code(occupation_code, job_title)
    if tax.major(major_code) is None:
        return None, occ, f"未提出: 专业 {major_code or '缺失'} 不在专业↔职业对照中 / major not in the taxonomy ({version})"
    if occ is None:
        return None, None, f"未提出: 岗位名称无法对应到职业 / occupation not recognised from the job title ({version})"
    verdict = tax.in_field(major_code, occ)
    label = tax.concept(occ).label if tax.concept(occ) else occ
    word = "对口" if verdict else "不对口"
    return verdict, occ, (f"系统建议{word}: 职业 {label} ({occ}) {'属于' if verdict else '不属于'}专业 {major_code} "
                          f"的对口职业 / proposed from the major↔occupation mapping, taxonomy {version}")
