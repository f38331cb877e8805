"""ESCO and O*NET importers: parsers on hand-written files in the published formats, the database
import (both backends, idempotent, synchronising changes), the CLI, and the real releases."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from matching.taxonomy_sources import SourceRelation, importance_weight, read_esco, read_onet
from service.cli import main
from service.config import Settings
from service.taxonomy.importer import import_taxonomy
from service.taxonomy.models import Concept, ConceptAlias, ConceptKind, ConceptRelation
from service.taxonomy.service import skills_for_occupation

WELDER = "http://data.europa.eu/esco/occupation/t0000001-aaaa-4bbb-8ccc-000000000001"
WELD = "http://data.europa.eu/esco/skill/t0000002-aaaa-4bbb-8ccc-000000000001"
SAFETY = "http://data.europa.eu/esco/skill/t0000002-aaaa-4bbb-8ccc-000000000003"


def test_esco_parser_reads_labels_aliases_and_relations(releases: Path) -> None:
    src = read_esco(releases / "esco")
    assert src.counts() == {"occupations": 3, "skills": 3, "aliases": 9, "relations": 4}
    by_code = {c.code: c for c in src.concepts}
    welder = by_code[WELDER]
    # alternative labels split on line breaks, the hidden label kept, the preferred label not repeated
    assert (welder.kind, welder.label, welder.aliases) == (
        "occupation",
        "pipe welder",
        ("welder of pipes", "pipeline welding operative", "pipe weldor"),
    )
    assert (
        by_code["http://data.europa.eu/esco/occupation/t0000001-aaaa-4bbb-8ccc-000000000002"].label
        == "electrician, building"
    )  # quoted comma
    assert {c.kind for c in src.concepts if "/skill/" in c.code} == {"skill"}  # knowledge too
    assert src.skipped == {
        "skill not released": 1,
        "relation naming an unknown occupation or skill": 1,
        "relation listed twice (the first kept)": 1,
    }
    welder_skills = {(r.skill, r.relation, r.weight) for r in src.relations if r.occupation == WELDER}
    assert welder_skills == {(WELD, "essential", None), (SAFETY, "optional", None)}  # not also "weld: optional"
    assert src.rows == {"occupations_en.csv": 3, "skills_en.csv": 4, "occupationSkillRelations_en.csv": 6}


def test_esco_skill_collections_stand_in_for_skills_file(tmp_path: Path, releases: Path) -> None:
    shutil.copy(releases / "esco" / "occupations_en.csv", tmp_path)
    (tmp_path / "greenSkillsCollection_en.csv").write_text(
        "conceptType,conceptUri,preferredLabel,status,skillType,reuseLevel,altLabels,description\n"
        "KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/t-green-1,sort waste,released,skill/competence,"
        "cross-sector,separate rubbish | classify waste,Sort it.\n",
        encoding="utf-8",
    )
    (tmp_path / "digitalSkillsCollection_en.csv").write_text(
        "conceptType,conceptUri,preferredLabel,status,skillType,reuseLevel,altLabels,description\n"
        "KnowledgeSkillCompetence,http://data.europa.eu/esco/skill/t-green-1,sort waste,released,skill/competence,"
        "cross-sector,separate rubbish,Listed in two collections.\n",
        encoding="utf-8",
    )
    src = read_esco(tmp_path)
    [skill] = [c for c in src.concepts if c.kind == "skill"]
    assert skill.aliases == ("separate rubbish", "classify waste")


def test_onet_parser_reads_titles_technology_and_skills(releases: Path) -> None:
    src = read_onet(releases / "onet")
    assert src.counts() == {"occupations": 2, "skills": 4, "aliases": 5, "relations": 6}
    by_code = {c.code: c for c in src.concepts}
    # "n/a" short titles dropped; a short title kept; a reported title merged; the title itself not an alias
    assert by_code["99-9001.00"].aliases == (
        "Pipe Fitter Helper",
        "Sprinkler Pipe Fitter",
        "Sprinkler Fitter",
        "Pipefitter",
    )
    assert by_code["99-9002.00"].aliases == ("Grill Cook",)
    assert by_code["tech:Spreadsheet Test Suite"].kind == "skill"
    assert by_code["2.A.1.a"].label == "Reading Comprehension"
    rel = {(r.occupation, r.skill): (r.relation, r.weight) for r in src.relations}
    assert rel[("99-9001.00", "tech:Spreadsheet Test Suite")] == ("hot_technology", None)
    assert rel[("99-9001.00", "tech:PipeCAD Test Edition")] == ("technology", None)
    # importance 1–5 as (value − 1) / 4; the level scale (LV) is not a relation
    assert rel[("99-9001.00", "2.A.1.a")] == ("importance", 0.53)
    assert rel[("99-9001.00", "2.B.3.a")] == ("importance", 0.75)
    assert rel[("99-9002.00", "2.B.3.a")] == ("importance", 0.3125)
    assert src.skipped == {"title of an unknown occupation": 1}


def test_parsers_name_the_bad_file_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="occupations_en.csv"):
        read_esco(tmp_path)
    with pytest.raises(FileNotFoundError, match="not found"):
        read_onet(tmp_path / "nowhere")
    (tmp_path / "occupations_en.csv").write_text("conceptUri,altLabels\nhttp://x/1,a\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"occupations_en.csv: header lacks column\(s\) \['preferredLabel'\]"):
        read_esco(tmp_path)
    (tmp_path / "Occupation Data.txt").write_text(
        "O*NET-SOC Code\tTitle\n11-1011.00\tChiefs\n\tNo code\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"Occupation Data.txt, line 3, column 'O\*NET-SOC Code': empty"):
        read_onet(tmp_path)


def _edit(folder: Path, name: str, *pairs: tuple[str, str]) -> None:
    text = (folder / name).read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, (name, old)
        text = text.replace(old, new)
    (folder / name).write_text(text, encoding="utf-8")


def test_relation_values_are_checked(tmp_path: Path, releases: Path) -> None:
    onet = tmp_path / "onet"
    shutil.copytree(releases / "onet", onet)
    _edit(onet, "Skills.txt", ("\tIM\tImportance\t2.25\t", "\tIM\tImportance\t7\t"))
    with pytest.raises(
        ValueError, match=r"Skills.txt, line 4, column 'Data Value': '7' is not an importance rating 1–5"
    ):
        read_onet(onet)
    assert importance_weight(1) == 0.0 and importance_weight(5) == 1.0 and importance_weight(3.5) == 0.625
    esco = tmp_path / "esco"
    shutil.copytree(releases / "esco", esco)
    text = (esco / "occupationSkillRelations_en.csv").read_text(encoding="utf-8")
    (esco / "occupationSkillRelations_en.csv").write_text(
        text.replace(",optional,", ",optional" + "x" * 30 + ",", 1), encoding="utf-8"
    )
    with pytest.raises(
        ValueError, match=r"occupationSkillRelations_en.csv, line 3, column 'relationType': longer than 32"
    ):
        read_esco(esco)


async def _counts(session: AsyncSession, scheme: str) -> tuple[int, int, int]:
    """Stored (concepts, aliases, relations) of ``scheme``."""
    concepts = await session.execute(select(func.count()).select_from(Concept).where(Concept.scheme == scheme))
    aliases = await session.execute(
        select(func.count()).select_from(ConceptAlias).join(Concept).where(Concept.scheme == scheme)
    )
    relations = await session.execute(
        select(func.count())
        .select_from(ConceptRelation)
        .join(Concept, Concept.id == ConceptRelation.occupation_id)
        .where(Concept.scheme == scheme)
    )
    return concepts.scalar_one(), aliases.scalar_one(), relations.scalar_one()


async def _relations(session: AsyncSession, scheme: str) -> set[tuple[str, str, str, float | None]]:
    """Stored ``(occupation code, skill code, relation, weight)`` of ``scheme``."""
    occ, skill = aliased(Concept), aliased(Concept)
    rows = await session.execute(
        select(occ.code, skill.code, ConceptRelation.relation, ConceptRelation.weight)
        .join(occ, occ.id == ConceptRelation.occupation_id)
        .join(skill, skill.id == ConceptRelation.skill_id)
        .where(occ.scheme == scheme)
    )
    return set(rows.tuples())


async def test_import_is_idempotent_and_follows_changes(session: AsyncSession, tmp_path: Path, releases: Path) -> None:
    first = await import_taxonomy(session, read_esco(releases / "esco"))
    assert (first.concepts_added, first.aliases_added, first.relations_added) == (6, 9, 4)
    onet = await import_taxonomy(session, read_onet(releases / "onet"))
    assert (onet.concepts_added, onet.aliases_added, onet.relations_added) == (6, 5, 6)
    await session.commit()
    assert await _counts(session, "esco") == (6, 9, 4) and await _counts(session, "onet") == (6, 5, 6)
    assert await _relations(session, "onet") == {
        ("99-9001.00", "tech:PipeCAD Test Edition", "technology", None),
        ("99-9001.00", "tech:Spreadsheet Test Suite", "hot_technology", None),
        ("99-9001.00", "2.A.1.a", "importance", 0.53),
        ("99-9001.00", "2.B.3.a", "importance", 0.75),
        ("99-9002.00", "tech:Spreadsheet Test Suite", "hot_technology", None),
        ("99-9002.00", "2.B.3.a", "importance", 0.3125),
    }
    again = await import_taxonomy(session, read_esco(releases / "esco"))
    assert not again.changed and (again.concepts_unchanged, again.aliases_unchanged) == (6, 9)
    assert (again.relations_unchanged, again.relations_not_in_source) == (4, 0)
    onet_again = await import_taxonomy(session, read_onet(releases / "onet"))
    assert not onet_again.changed and onet_again.relations_unchanged == 6
    await session.commit()
    assert await _counts(session, "esco") == (6, 9, 4) and await _counts(session, "onet") == (6, 5, 6)
    welder = (await session.execute(select(Concept).where(Concept.code == WELDER))).scalar_one()
    assert (welder.scheme, welder.kind, welder.label, welder.lang) == (
        "esco",
        ConceptKind.OCCUPATION,
        "pipe welder",
        "en",
    )
    norms = set(
        (await session.execute(select(ConceptAlias.normalised).where(ConceptAlias.concept_id == welder.id))).scalars()
    )
    assert norms == {"welder of pipes", "pipeline welding operative", "pipe weldor"}

    # a later release: one label changed, one alias gone, one added, one concept dropped (the line
    # cook, whose relation stays with it); "follow safety rules" moves from optional to essential for
    # the welder; the electrician loses its only skill
    folder = tmp_path / "esco"
    shutil.copytree(releases / "esco", folder)
    text = (folder / "occupations_en.csv").read_text(encoding="utf-8")
    text = text.replace(",pipe welder,", ",pipeline welder,").replace("welder of pipes\n", "pipe joiner\n")
    text = "\n".join(line for line in text.splitlines() if "000000000003" not in line) + "\n"
    (folder / "occupations_en.csv").write_text(text, encoding="utf-8")
    relations = [
        line
        for line in (folder / "occupationSkillRelations_en.csv").read_text(encoding="utf-8").splitlines()
        if "electrical wiring diagrams" not in line
    ]
    relations = [
        line.replace(",optional,", ",essential,") if "pipe welder" in line and "safety" in line else line
        for line in relations
    ]
    (folder / "occupationSkillRelations_en.csv").write_text("\n".join(relations) + "\n", encoding="utf-8")
    changed = await import_taxonomy(session, read_esco(folder))
    assert (changed.concepts_added, changed.concepts_updated, changed.concepts_not_in_source) == (0, 1, 1)
    assert (changed.aliases_added, changed.aliases_removed, changed.aliases_updated) == (2, 1, 0)  # + "pipe welder"
    assert (
        changed.relations_added,
        changed.relations_removed,
        changed.relations_updated,
        changed.relations_unchanged,
        changed.relations_not_in_source,
    ) == (1, 2, 0, 1, 1)
    await session.commit()
    await session.refresh(welder)
    assert welder.label == "pipeline welder"
    labels = set(
        (await session.execute(select(ConceptAlias.label).where(ConceptAlias.concept_id == welder.id))).scalars()
    )
    assert labels == {"pipe joiner", "pipeline welding operative", "pipe weldor", "pipe welder"}
    cook = "http://data.europa.eu/esco/occupation/t0000001-aaaa-4bbb-8ccc-000000000003"
    assert await _relations(session, "esco") == {
        (WELDER, WELD, "essential", None),
        (WELDER, SAFETY, "essential", None),
        (cook, SAFETY, "optional", None),
    }
    assert not (await import_taxonomy(session, read_esco(folder))).changed

    # an O*NET release where an importance changed and a technology stopped being "hot"
    folder = tmp_path / "onet"
    shutil.copytree(releases / "onet", folder)
    _edit(folder, "Skills.txt", ("\tIM\tImportance\t3.12\t", "\tIM\tImportance\t3.60\t"))
    _edit(
        folder,
        "Technology Skills.txt",
        (
            "99-9002.00\tLine Cooks, Test\tSpreadsheet Test Suite\t43232110\tSpreadsheet software\tY",
            "99-9002.00\tLine Cooks, Test\tSpreadsheet Test Suite\t43232110\tSpreadsheet software\tN",
        ),
    )
    onet_changed = await import_taxonomy(session, read_onet(folder))
    assert (
        onet_changed.relations_added,
        onet_changed.relations_removed,
        onet_changed.relations_updated,
        onet_changed.relations_unchanged,
    ) == (1, 1, 1, 4)
    await session.commit()
    stored = await _relations(session, "onet")
    assert ("99-9001.00", "2.A.1.a", "importance", 0.65) in stored
    assert ("99-9002.00", "tech:Spreadsheet Test Suite", "technology", None) in stored
    assert ("99-9002.00", "tech:Spreadsheet Test Suite", "hot_technology", None) not in stored
    assert await _counts(session, "onet") == (6, 5, 6) and await _counts(session, "esco") == (6, 10, 3)


async def test_relation_to_an_unknown_code_is_refused_before_writing(session: AsyncSession, releases: Path) -> None:
    src = read_onet(releases / "onet")
    src.relations.append(SourceRelation("99-9001.00", "tech:Not Listed", "technology"))
    with pytest.raises(ValueError, match=r"onet relation 99-9001.00 → tech:Not Listed \(technology\) names a concept"):
        await import_taxonomy(session, src)
    assert await _counts(session, "onet") == (0, 0, 0)


def test_cli_prints_counts_and_refuses_bad_folders(settings: Settings, tmp_path: Path, releases: Path) -> None:
    runner = CliRunner()
    env = {"VOCMATCH_DATABASE_URL": settings.database_url}
    out = runner.invoke(main, ["taxonomy", "import-onet", str(releases / "onet")], env=env)
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert report["read"] == {"occupations": 2, "skills": 4, "aliases": 5, "relations": 6}
    assert report["stored"]["concepts_added"] == 6 and report["stored"]["relations_added"] == 6
    again = json.loads(runner.invoke(main, ["taxonomy", "import-onet", str(releases / "onet")], env=env).output)
    assert again["stored"]["concepts_added"] == 0 and again["stored"]["concepts_unchanged"] == 6
    assert (again["stored"]["relations_added"], again["stored"]["relations_unchanged"]) == (0, 6)
    esco = runner.invoke(main, ["taxonomy", "import-esco", str(releases / "esco")], env=env)
    assert esco.exit_code == 0 and json.loads(esco.output)["stored"]["aliases_added"] == 9
    empty = runner.invoke(main, ["taxonomy", "import-esco", str(tmp_path)], env=env)
    assert empty.exit_code == 1 and "occupations_en.csv" in empty.output
    missing = runner.invoke(main, ["taxonomy", "import-onet", str(tmp_path / "nope")], env=env)
    assert missing.exit_code == 2


#: Measured on ESCO v1.2 (en) and O*NET 29.2 as stored in ../shared/data. The ESCO folder has no
#: occupationSkillRelations file, so it gives no relations; O*NET's are the Technology Skills rows
#: (the folder has no Skills.txt), 32,627 of which 8,768 distinct examples.
ESCO_COUNTS = {"occupations": 3039, "skills": 2302, "aliases": 41894, "relations": 0}
ONET_COUNTS = {"occupations": 1016, "skills": 8768, "aliases": 59997, "relations": 32627}
#: O*NET 29.2 technology links flagged "Hot Technology" = Y (the rest are ``technology``).
ONET_HOT = 11621


async def test_real_releases_import(shared_data: Path, session: AsyncSession) -> None:
    timings = {}
    for scheme, folder, read, counts in (
        ("esco", "esco_v1_2_en", read_esco, ESCO_COUNTS),
        ("onet", "onet_29_2", read_onet, ONET_COUNTS),
    ):
        started = time.perf_counter()
        src = read(shared_data / folder)
        assert src.counts() == counts and not src.skipped
        report = await import_taxonomy(session, src)
        await session.commit()
        timings[scheme] = time.perf_counter() - started
        assert report.concepts_added == counts["occupations"] + counts["skills"]
        assert report.relations_added == counts["relations"]
        assert await _counts(session, scheme) == (
            counts["occupations"] + counts["skills"],
            counts["aliases"],
            counts["relations"],
        )
        started = time.perf_counter()
        again = await import_taxonomy(session, read(shared_data / folder))
        timings[f"{scheme} again"] = time.perf_counter() - started
        assert not again.changed and again.relations_unchanged == counts["relations"]
    hot = await session.execute(
        select(func.count()).select_from(ConceptRelation).where(ConceptRelation.relation == "hot_technology")
    )
    assert hot.scalar_one() == ONET_HOT
    electricians = await skills_for_occupation(session, "onet", "47-2111.00")
    assert {relation for _, relation, _ in electricians} == {"hot_technology", "technology"}
    assert max(timings.values()) < 120, timings
