"""The sample's hand-written data files and identifier helpers (pure: no database)."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from stdnum import numdb
from stdnum.cn import ric, uscc

from service.graduates.identity import gender_of_id_number
from service.sample import datafiles
from service.sample.generator import generate_sample
from service.sample.identifiers import make_id_number, make_uscc, org_code_check_digit
from service.sample.reference import reference_regions
from service.taxonomy.core import core_taxonomy

TODAY = dt.date(2026, 11, 29)


def _current_names(code: str) -> list[str]:
    """Names stdnum's GB/T 2260 table gives ``code`` today (``[1988-]惠州市`` → 惠州市)."""
    info = numdb.get("cn/loc").info(code)
    text = info[1][1].get("county", "") if len(info) == 2 else ""
    names = []
    for part in text.split(","):
        m = re.match(r"^(?:\[(\d{4})?-(\d{4})?\])?(.+)$", part)
        if m and not m.group(2):
            names.append(m.group(3))
    return names


def test_guangdong_rows_match_gb_t_2260() -> None:
    rows = datafiles.guangdong_regions()
    assert rows[0].code == "440000" and rows[0].name == "广东省"
    cities = [r for r in rows if r.level == "city"]
    assert len(cities) == 21 and all(r.parent_code == "440000" for r in cities)
    for r in rows[1:]:
        assert r.name in _current_names(r.code), (r.code, r.name, _current_names(r.code))
        if r.level == "county":
            assert r.parent_code == r.code[:4] + "00"


def test_reference_regions_add_the_missing_shenzhen_districts() -> None:
    codes = {r.code: r for r in reference_regions()}
    assert {"440309", "440310", "440311"} <= codes.keys()
    assert codes["440311"].name == "光明区" and codes["440311"].parent_code == "440300"
    assert len(codes) > 3000  # the national list is there too
    assert all(r.parent_code is None or r.parent_code in codes for r in codes.values())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,name,level\n440000,广东省,province\n", "missing column(s) parent_code"),
        ("code,name,level,parent_code\n44000,广东省,province,\n", "row 2, column code"),
        ("code,name,level,parent_code\n440000,广东省,province,\n440100,广州市,town,440000\n", "row 3, column level"),
        ("code,name,level,parent_code\n440100,广州市,city,440000\n", "row 2, column parent_code: 440000 is not listed"),
        (
            "code,name,level,parent_code\n440000,广东省,province,\n440000,广东,province,\n",
            "row 3, column code: 440000 listed twice",
        ),
    ],
)
def test_bad_region_rows_are_named(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        datafiles.parse_regions_csv(text, "regions.csv")


def test_schools_and_employers_refer_to_known_regions_and_majors() -> None:
    names = {r.code for r in datafiles.guangdong_regions()}
    majors = set(core_taxonomy().majors)
    schools = datafiles.schools()
    assert 10 <= len(schools) <= 15
    for s in schools:
        assert s.code.startswith("SAMPLE") and s.region_code in names and set(s.majors) <= majors
    for e in datafiles.employers():
        assert e.region_code in names and set(e.majors) <= majors
    taught = {m for s in schools for m in s.majors}
    hired = {m for e in datafiles.employers() for m in e.majors}
    assert taught == hired == majors


def test_org_code_check_digit_matches_a_published_code() -> None:
    # 91110000600037341L (stdnum's documented example) embeds organisation code 60003734-1
    assert org_code_check_digit("60003734") == "1"
    with pytest.raises(ValueError):
        org_code_check_digit("6000373")


def test_generated_identifiers_pass_their_check_digits() -> None:
    rng = random.Random(7)
    for _ in range(200):
        code = make_uscc(rng, "440306")
        assert uscc.validate(code) == code and code[2:8] == "440306"
        assert org_code_check_digit(code[8:16]) == code[16]
        born = dt.date(2006, 1, 1) + dt.timedelta(days=rng.randrange(365))
        male = rng.random() < 0.5
        number = make_id_number(rng, "440106", born, male)
        assert ric.validate(number) == number
        assert ric.get_birth_date(number) == born
        assert gender_of_id_number(number).value == ("male" if male else "female")


def test_same_seed_same_sample_and_another_seed_differs() -> None:
    tax = core_taxonomy()
    first = generate_sample(tax, seed=2026, today=TODAY)
    assert generate_sample(tax, seed=2026, today=TODAY) == first
    other = generate_sample(tax, seed=7, today=TODAY)
    assert other.employers[0].uscc != first.employers[0].uscc
    assert [g.name for g in other.graduates] != [g.name for g in first.graduates]
