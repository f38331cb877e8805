"""对口 (in-field) proposals: the major's own occupation list where the core taxonomy has one,
else the 专业类 → ISCO-08 mapping, which covers every major of the 2021 中职 catalogue.

Order (first that applies decides):

1. the major is in the core taxonomy (:mod:`matching.taxonomy`, the sample's eleven majors):
   in-field when the job's occupation is one of the major's listed occupations;
2. the major's 专业类 (first four digits of its 专业代码) has ISCO-08 groups in
   ``service/catalog/data/major_class_isco08.csv``: in-field when the occupation's ISCO-08 unit
   group lies inside one of them (ILO, *International Standard Classification of Occupations
   ISCO-08*, Vol. I: a unit group belongs to the minor, sub-major and major groups its code
   starts with);
3. otherwise no proposal (``None``), with the reason; reports list such majors in their
   data-quality section (:func:`majors_without_mapping`).

The job's occupation is the posting's occupation code, or the occupation its title names
(:meth:`matching.taxonomy.Taxonomy.resolve_title`); its ISCO-08 group is the concept's ``isco``.
"""

from __future__ import annotations

from collections.abc import Iterable

from service.catalog.majors import isco_groups_of, isco_in_field
from service.taxonomy.core import core_taxonomy


def has_in_field_mapping(major_code: str | None) -> bool:
    """Can 对口 be proposed for graduates of ``major_code`` (rule 1 or 2 of the module docstring)?"""
    return core_taxonomy().major(major_code) is not None or bool(isco_groups_of(major_code))


def majors_without_mapping(codes: Iterable[str | None]) -> list[str]:
    """The distinct ``codes`` (sorted) for which no 对口 can be proposed; ``None``/``-`` (no major
    recorded) are left out."""
    return sorted({c for c in codes if c and c != "-" and not has_in_field_mapping(c)})


def propose_in_field(
    major_code: str | None, occupation_code: str | None, job_title: str | None
) -> tuple[bool | None, str | None, str]:
    """Propose 对口 for a directly-employed outcome.

    Returns ``(in_field, occupation_code, reason)``: ``in_field`` is ``True``/``False`` when the
    graduate's major has a mapping (module docstring) and the job's occupation (given, or resolved
    from ``job_title``) can be placed in it, else ``None``; ``occupation_code`` is the resolved
    concept code (or ``None``); ``reason`` says how the proposal was made, in Chinese and English.
    """
    tax = core_taxonomy()
    version = tax.version or "core"
    occ = tax.occupation_code(occupation_code, job_title)
    major = tax.major(major_code)
    groups = () if major is not None else isco_groups_of(major_code)
    if major is None and not groups:
        return (
            None,
            occ,
            (
                f"未提出: 专业 {major_code or '缺失'} 没有对口职业对照 / no in-field mapping for the major "
                f"(neither the taxonomy {version} nor its 专业类 → ISCO-08)"
            ),
        )
    if occ is None:
        return None, None, f"未提出: 岗位名称无法对应到职业 / occupation not recognised from the job title ({version})"
    concept = tax.concept(occ)
    label = concept.label if concept else occ
    if major is not None:
        verdict = tax.in_field(major_code, occ)
        word = "对口" if verdict else "不对口"
        return (
            verdict,
            occ,
            (
                f"系统建议{word}: 职业 {label} ({occ}) {'属于' if verdict else '不属于'}专业 {major_code} "
                f"的对口职业 / proposed from the major↔occupation mapping, taxonomy {version}"
            ),
        )
    isco = concept.isco if concept else None
    if isco is None:
        return None, occ, f"未提出: 职业 {label} 没有 ISCO-08 编码 / the occupation has no ISCO-08 group ({version})"
    verdict = isco_in_field(groups, isco)
    word = "对口" if verdict else "不对口"
    return (
        verdict,
        occ,
        (
            f"系统建议{word}: 职业 {label} (ISCO-08 {isco}) {'属于' if verdict else '不属于'}专业类 "
            f"{(major_code or '')[:4]} 的对口职业组 {' '.join(groups)} / proposed from the 专业类 → ISCO-08 "
            "mapping (service/catalog/data/major_class_isco08.csv)"
        ),
    )
