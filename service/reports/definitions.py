"""Definitions printed beside every report: figures, categories, NACE mapping, rounding, suppression.

Sources:
- 毕业去向 categories: 教育部 高校毕业生毕业去向统计口径 (签就业协议形式就业, 签劳动合同形式就业,
  其他录用形式就业, 自主创业, 自由职业, 应征义务兵, 升学, 出国出境, 待就业, 暂不就业), used here for
  中职 graduates as well.
- 中职就业率: 教育部 中等职业学校毕业生就业情况统计 — 就业率 = (直接就业 + 升入高一级学校) / 毕业生总数;
  对口就业率 = 对口就业人数 / 直接就业人数. The MOE's yearly 中职 releases (e.g. 教育部 "2015年全国中等职业学校
  毕业生就业情况", moe.gov.cn, Feb 2016; 2013 release: "直接就业的毕业生中, 对口就业率达76.01%") count 直接就业
  as work in 国家机关/企事业单位, 个体经营 and 其他方式 — jobs. Here that is 签就业协议, 签劳动合同, 其他录用/
  灵活就业, 自主创业 and 自由职业 ("employed_in_jobs"), not 应征义务兵: conscripts hold no job that could be
  对口 or local, sign no labour contract and get no employer social insurance. 对口就业率, 本地就业率,
  劳动合同签订率 and 社会保险缴纳率 divide by it; 就业率 still counts 应征义务兵 as 直接就业.
- NACE: National Association of Colleges and Employers, "First-Destination Survey Standards and
  Protocols" (naceweb.org/job-market/graduate-outcomes/first-destination/standards-and-protocols):
  knowledge rate = known outcomes (incl. seeking and not seeking) / graduating class; career
  outcomes rate = (employed + service + military + continuing education) / (known outcomes − not seeking).
- WIOA: Workforce Innovation and Opportunity Act §116(b)(2)(A)(i)(I)-(II), "employment rate 2nd /
  4th quarter after exit"; here "exit" is the graduation date and quarters are calendar quarters.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.destinations.models import DestinationCategory as C

CATEGORY_ZH = {
    C.EMPLOYMENT_AGREEMENT: "签就业协议形式就业",
    C.LABOUR_CONTRACT: "签劳动合同形式就业",
    C.OTHER_EMPLOYMENT: "其他录用形式就业/灵活就业",
    C.SELF_EMPLOYED: "自主创业",
    C.FREELANCE: "自由职业",
    C.MILITARY: "应征义务兵",
    C.FURTHER_STUDY: "升学",
    C.ABROAD: "出国、出境",
    C.SEEKING: "待就业",
    C.NOT_SEEKING: "暂不就业",
}

#: MOE category → (NACE first-destination category, counts as a NACE career outcome).
#: 出国出境 covers both work and study abroad; NACE counts either as a career outcome.
NACE_MAPPING: dict[C, tuple[str, bool]] = {
    C.EMPLOYMENT_AGREEMENT: ("Employed full-time (traditional employer)", True),
    C.LABOUR_CONTRACT: ("Employed full-time (traditional employer)", True),
    C.OTHER_EMPLOYMENT: ("Employed (temporary/contract work assignment)", True),
    C.SELF_EMPLOYED: ("Employed (entrepreneur)", True),
    C.FREELANCE: ("Employed (freelancer)", True),
    C.MILITARY: ("Serving in the armed forces", True),
    C.FURTHER_STUDY: ("Enrolled in a program of continuing education", True),
    C.ABROAD: ("Employed or continuing education (abroad)", True),
    C.SEEKING: ("Still seeking employment or continuing education", False),
    C.NOT_SEEKING: ("Not seeking employment or continuing education", False),
}

#: Default upper edges (元/月) of the starting-salary bands; a setting
#: (``VOCMATCH_REPORT_SALARY_BANDS``, :class:`service.config.Settings`).
DEFAULT_SALARY_EDGES: tuple[int, ...] = (2000, 3000, 4000, 5000, 6000)

#: A salary band: (column, label, lowest 元/月 included, highest 元/月 included or None).
SalaryBand = tuple[str, str, int, int | None]


def parse_salary_edges(text: str, variable: str = "VOCMATCH_REPORT_SALARY_BANDS") -> tuple[int, ...]:
    """``"2000,3000,4000"`` → ``(2000, 3000, 4000)``: the upper edges (元/月, included) of the bands.

    Raises:
        ValueError: empty, not whole numbers, not positive or not strictly increasing; the message
            names ``variable`` and the offending text.
    """
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise ValueError(
            f"{variable}={text!r}: give the bands' upper edges in 元/月 as increasing whole numbers, "
            "e.g. 2000,3000,4000,5000,6000"
        )
    edges = tuple(int(p) for p in parts)
    if edges[0] <= 0 or any(b <= a for a, b in zip(edges, edges[1:])):
        raise ValueError(f"{variable}={text!r}: the edges must be positive and strictly increasing")
    return edges


def salary_bands(edges: tuple[int, ...] = DEFAULT_SALARY_EDGES) -> tuple[SalaryBand, ...]:
    """The starting-salary bands for upper ``edges``, upper bound included, as provincial
    就业质量年度报告 print them (bands such as "2001–3000元, 3001–4000元"; issue 15 item 2): salaries are
    whole 元, so "2001–3000元" cannot be misread, and the two ends name their edge with "及以下" /
    "及以上" (never a bare "以上", which readers take either way).

    ``(2000, 3000)`` → ``salary_le2000`` 2000元及以下, ``salary_2001_3000`` 2001–3000元,
    ``salary_ge3001`` 3001元及以上."""
    bands: list[SalaryBand] = [(f"salary_le{edges[0]}", f"{edges[0]}元及以下", 0, edges[0])]
    for low, high in zip(edges, edges[1:]):
        bands.append((f"salary_{low + 1}_{high}", f"{low + 1}–{high}元", low + 1, high))
    bands.append((f"salary_ge{edges[-1] + 1}", f"{edges[-1] + 1}元及以上", edges[-1] + 1, None))
    return tuple(bands)


def band_of(salary: int, bands: tuple[SalaryBand, ...]) -> str:
    """The column of the band holding ``salary`` (元/月). Raises ``ValueError`` for a negative one."""
    for col, _, low, high in bands:
        if salary >= low and (high is None or salary <= high):
            return col
    raise ValueError(f"negative salary {salary}")


def count_columns(edges: tuple[int, ...] = DEFAULT_SALARY_EDGES) -> dict[str, str]:
    """Count columns of every breakdown row, with their Chinese headers, for salary band ``edges``."""
    return {
        "graduates": "毕业生数",
        **{c.value: CATEGORY_ZH[c] for c in C},
        "unknown": "去向未知",
        "employed": "直接就业",
        "employed_in_jobs": "直接就业(不含应征义务兵)",
        "in_field": "对口就业",
        "not_in_field": "不对口就业",
        "in_field_unknown": "对口未确定",
        "local": "本地就业",
        "not_local": "异地或地点未知就业",
        "contract": "签订劳动合同",
        "no_contract": "未签劳动合同",
        "contract_unknown": "劳动合同未记录",
        "insured": "缴纳社会保险",
        "not_insured": "未缴纳社会保险",
        "insurance_unknown": "社会保险未记录",
        "salary_known": "起薪已知",
        "salary_unknown": "起薪未知",
        **{col: "起薪" + label for col, label, _, _ in salary_bands(edges)},
        "q2_measurable": "第2季度可测人数",
        "q2_unmeasurable": "第2季度未到人数",
        "q2_employed": "第2季度就业",
        "q2_not_employed": "第2季度未就业",
        "q4_measurable": "第4季度可测人数",
        "q4_unmeasurable": "第4季度未到人数",
        "q4_employed": "第4季度就业",
        "q4_not_employed": "第4季度未就业",
    }


#: The count columns for the default salary bands (a report's own are in its definitions).
COUNT_COLUMNS: dict[str, str] = count_columns()

EMPLOYED_CATEGORIES = (
    "employment_agreement",
    "labour_contract",
    "other_employment",
    "self_employed",
    "freelance",
    "military",
)
#: 直接就业 in jobs: every employed category but 应征义务兵 (the denominator of the job-quality rates).
JOB_CATEGORIES = EMPLOYED_CATEGORIES[:-1]

#: A rate over a recorded fact (劳动合同, 社会保险) is shown as unknown when more than this share of
#: its denominator has the fact unrecorded: the numerator would then be mostly unknown, and an
#: unknown read as "no" (or as "yes") would decide the figure.
MAX_UNKNOWN_SHARE = 0.5


def row_relations(edges: tuple[int, ...] = DEFAULT_SALARY_EDGES) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Additive relations inside one row: (total column, part columns). Used for complementary suppression."""
    return (
        ("graduates", (*(c.value for c in C), "unknown")),
        ("employed", EMPLOYED_CATEGORIES),
        ("employed", ("employed_in_jobs", "military")),
        ("employed_in_jobs", JOB_CATEGORIES),
        ("employed_in_jobs", ("in_field", "not_in_field", "in_field_unknown")),
        ("employed_in_jobs", ("local", "not_local")),
        ("employed_in_jobs", ("contract", "no_contract", "contract_unknown")),
        ("employed_in_jobs", ("insured", "not_insured", "insurance_unknown")),
        ("employed", ("salary_known", "salary_unknown")),
        ("salary_known", tuple(col for col, _, _, _ in salary_bands(edges))),
        ("graduates", ("q2_measurable", "q2_unmeasurable")),
        ("q2_measurable", ("q2_employed", "q2_not_employed")),
        ("graduates", ("q4_measurable", "q4_unmeasurable")),
        ("q4_measurable", ("q4_employed", "q4_not_employed")),
    )


#: The row relations for the default salary bands.
ROW_RELATIONS = row_relations()


@dataclass(frozen=True, slots=True)
class Rate:
    """A percentage: (Σ num_plus − Σ num_minus) / (Σ den_plus − Σ den_minus) × 100, from counts.

    ``unknown`` names the count of denominator members whose fact is unrecorded: when it exceeds
    :data:`MAX_UNKNOWN_SHARE` of the denominator the rate is shown as unknown, not computed."""

    zh: str
    num_plus: tuple[str, ...]
    den_plus: tuple[str, ...]
    definition: str
    num_minus: tuple[str, ...] = ()
    den_minus: tuple[str, ...] = ()
    unknown: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return (
            self.num_plus + self.num_minus + self.den_plus + self.den_minus + ((self.unknown,) if self.unknown else ())
        )


_PLACED = ("employed", "further_study", "abroad")
RATES: dict[str, Rate] = {
    "employment_rate": Rate(
        "就业率",
        ("employed", "further_study"),
        ("graduates",),
        "(直接就业 + 升学) / 毕业生数 (中职口径) / (employed + further study) / graduates",
    ),
    "placement_rate": Rate(
        "毕业去向落实率", _PLACED, ("graduates",), "(直接就业 + 升学 + 出国出境) / 毕业生数 / placed / graduates"
    ),
    "in_field_rate": Rate(
        "对口就业率",
        ("in_field",),
        ("employed_in_jobs",),
        "对口就业 / 直接就业(不含应征义务兵); 对口未确定计为不对口 / in-field / employed in jobs "
        "(directly employed except conscripts), unknown = not",
    ),
    "further_study_rate": Rate("升学率", ("further_study",), ("graduates",), "升学 / 毕业生数"),
    "local_rate": Rate(
        "本地就业率",
        ("local",),
        ("employed_in_jobs",),
        "就业地与学校在同一地级市 (GB/T 2260 前4位) / 直接就业(不含应征义务兵); 地点未知计为非本地 / "
        "local / employed in jobs",
    ),
    "labour_contract_rate": Rate(
        "劳动合同签订率",
        ("contract",),
        ("employed_in_jobs",),
        "签订劳动合同 / 直接就业(不含应征义务兵); 未记录者超过分母一半时本率显示为未知 / "
        "contract / employed in jobs; unknown when over half are unrecorded",
        unknown="contract_unknown",
    ),
    "social_insurance_rate": Rate(
        "社会保险缴纳率",
        ("insured",),
        ("employed_in_jobs",),
        "缴纳社会保险 / 直接就业(不含应征义务兵); 未记录不计为未缴, 未记录者超过分母一半时本率显示为未知 / "
        "insured / employed in jobs; unrecorded is not 'no'; unknown when over half are "
        "unrecorded",
        unknown="insurance_unknown",
    ),
    "nace_knowledge_rate": Rate(
        "NACE去向知晓率",
        ("graduates",),
        ("graduates",),
        "(毕业生数 − 去向未知) / 毕业生数 (NACE knowledge rate)",
        num_minus=("unknown",),
    ),
    "nace_career_outcomes_rate": Rate(
        "NACE职业成果率",
        _PLACED,
        ("graduates",),
        "(就业 + 升学 + 出国出境) / (毕业生数 − 去向未知 − 暂不就业) (NACE)",
        den_minus=("unknown", "not_seeking"),
    ),
    "q2_employment_rate": Rate(
        "毕业后第2季度就业率",
        ("q2_employed",),
        ("q2_measurable",),
        "毕业所在季度后第2个日历季度内任一天直接就业 / 该季度已结束的毕业生 (WIOA)",
    ),
    "q4_employment_rate": Rate(
        "毕业后第4季度就业率",
        ("q4_employed",),
        ("q4_measurable",),
        "毕业所在季度后第4个日历季度内任一天直接就业 / 该季度已结束的毕业生 (WIOA)",
    ),
}

ROUNDING_RULE = (
    "百分比由未取整的人数计算, 四舍五入 (half up) 保留1位小数; 起薪中位数四舍五入到元. "
    "Rates are computed from exact counts and rounded half up to 0.1 percentage point; "
    "the median salary to the nearest 元. Rounded rates need not add up to 100."
)

SUPPRESSION_RULE = (
    "小格抑制: 人数为 1 至 阈值−1 的格子不公布 (主抑制); 毕业生数被抑制的行整行不公布; "
    "任何加总关系 (行内各去向之和 = 毕业生数, 各组之和 = 合计, 省 = 各市之和 …) 中若只有一个格子被抑制, "
    "再抑制同一关系中最小的非零格子 (补充抑制); 然后以整数规划对所有公布关系做精确审核, 再补充抑制, 直至任何被抑制的非零格子"
    "都不能由公布数据推出唯一值, 且每个小格的可能取值范围不小于阈值; 涉及被抑制格子的比率不公布. 阈值高于 5 时的抑制格"
    "包含阈值 5 的抑制格, 不同阈值的发布版合在一起也推不出更多. "
    "Counts from 1 to threshold−1 are suppressed; complementary suppression hides more until an exact "
    "integer-programming audit over every published relation finds no hidden non-zero count pinned to "
    "one value and every small cell's feasible range at least the threshold. The pattern at a higher "
    "threshold contains the pattern at 5, so combining publications at several thresholds reveals nothing more."
)

PRECEDENCE_RULE = (
    "每名毕业生在每个指标中只计一次: 取截至统计日已发生、未被本人异议的去向中发生日期最晚者; 同日按来源 "
    "平台录用 > 学校跟踪调查 > 名册导入 > 本人填报, 再按登记时间; 对口以学校最近一次更正为准; 实习/见习不是去向, 不取代任何其他去向, 仅在别无记录时计为待就业. "
    "Each graduate counts once: the latest undisputed outcome on or before the as-of date; same-day "
    "ties by source (platform hire > school survey > import > self-report), then recording time; an "
    "internship never replaces another outcome and counts as seeking only when nothing else is recorded."
)

DENOMINATOR_RULE = (
    "分母为所选届别、毕业日期不晚于统计日的中职毕业生 (有学校); 在校生、其他届别、无毕业日期者不计入. "
    "The denominator is the cohort's graduates with a graduation date on or before the as-of date."
)

UNKNOWN_RULE = (
    f'未记录不等于"否": 劳动合同、社会保险是记录的事实, 未记录者单列 (劳动合同未记录, 社会保险未记录), 不计入"未签"/"未缴". '
    f'若分母中未记录者超过 {MAX_UNKNOWN_SHARE:.0%}, 该比率显示为"未知" (不是被抑制). '
    f"An unrecorded contract or social insurance is not a 'no'; when more than {MAX_UNKNOWN_SHARE:.0%} "
    "of a rate's denominator is unrecorded, the rate is shown as unknown (listed in the row's "
    "unknown_rates), not computed."
)


def denominators() -> dict[str, str]:
    """Every rate's denominator, spelled out from its columns (Chinese headers, then the column names)."""
    out = {}
    for name, r in RATES.items():
        zh = " + ".join(COUNT_COLUMNS[c] for c in r.den_plus) + "".join(f" − {COUNT_COLUMNS[c]}" for c in r.den_minus)
        en = " + ".join(r.den_plus) + "".join(f" − {c}" for c in r.den_minus)
        out[name] = f"{r.zh}: {zh} ({en})"
    return out
