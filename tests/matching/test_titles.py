"""Job-title similarity model, O*NET title reader and the ``evaluate titles`` runner."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.base import clone

from matching.evaluation.titles import evaluate_titles, load_collection
from matching.onet_titles import read_onet_titles
from matching.titles import TitleMatcher, char_ngrams, zscore_rows
from service.cli.evaluate import evaluate

TALENTCLEF = "talentclef2025_titles"


def _scores(model: TitleMatcher, query: str) -> dict[str, float]:
    return dict(zip(model.corpus_, model.score([query])[0].tolist(), strict=True))


@pytest.mark.parametrize("embedder", [None, "e5"])
def test_chinese_trade_title_is_closer_to_its_short_form_than_to_another_job(embedder: str | None) -> None:
    model = TitleMatcher(embedder=embedder).fit(["会计", "数控车工", "厨师"])
    s = _scores(model, "数控车床操作工")
    assert s["数控车工"] > s["会计"] and s["数控车工"] > s["厨师"]
    assert model.corpus_[model.rank("数控车床操作工")[0]] == "数控车工"


@pytest.mark.parametrize("embedder", [None, "e5"])
def test_line_cook_is_closer_to_cook_than_to_line_installer(embedder: str | None) -> None:
    model = TitleMatcher(embedder=embedder).fit(["line installer", "accountant", "cook"])
    assert model.rank("line cook").tolist() == [2, 0, 1]


def test_embedding_links_titles_without_shared_characters() -> None:
    model = TitleMatcher().fit(["焊工", "簿记员", "卡车司机"])
    assert model.corpus_[model.rank("会计")[0]] == "簿记员"
    cross = TitleMatcher().fit(["电焊工", "厨师", "卡车司机"])
    assert cross.corpus_[cross.rank("cook")[0]] == "厨师"


def test_traditional_and_full_width_input_is_normalised() -> None:
    model = TitleMatcher(embedder=None).fit(["會計", "ＣＮＣ操作工"])
    assert model.component_scores(["会计"])["char"][0, 0] == pytest.approx(1.0)
    assert char_ngrams("PLC 車工") == [" p", "pl", "lc", "c ", " pl", "plc", "lc ", " plc", "plc ", "车", "工", "车工"]
    assert char_ngrams("CNC 車工") == char_ngrams("数控车工")  # a CNC compound is written 数控 (vocab.text)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def onet_dir(tmp_path: Path) -> Path:
    _write(
        tmp_path / "Occupation Data.txt",
        "O*NET-SOC Code\tTitle\tDescription\n"
        "39-9011.00\tChildcare Workers\tAttend to children.\n53-3032.00\tHeavy Truck Drivers\tDrive trucks.\n"
        "13-2011.00\tAccountants and Auditors\tExamine financial records.\n",
    )
    _write(
        tmp_path / "Alternate Titles.txt",
        "O*NET-SOC Code\tAlternate Title\tShort Title\tSource(s)\n"
        "39-9011.00\tNanny\tn/a\t08\n39-9011.00\tBabysitter\tn/a\t08\n53-3032.00\tLong Haul Trucker\tn/a\t08\n"
        "13-2011.00\tCertified Public Accountant\tCPA\t09\n",
    )
    return tmp_path


def test_read_onet_titles(onet_dir: Path) -> None:
    onet = read_onet_titles(onet_dir)
    assert onet.codes == ("13-2011.00", "39-9011.00", "53-3032.00")
    assert ("13-2011.00", "CPA") in onet.all_titles and ("39-9011.00", "Nanny") in onet.all_titles
    assert len(onet.occupation_titles) == 3 and len(onet.all_titles) == 8


def test_read_onet_titles_reports_file_line_and_column(onet_dir: Path, tmp_path: Path) -> None:
    _write(
        onet_dir / "Alternate Titles.txt",
        "O*NET-SOC Code\tAlternate Title\tShort Title\n39-9011.00\tNanny\tn/a\n99-9999.00\tGhost\tn/a\n",
    )
    with pytest.raises(ValueError, match=r"Alternate Titles.txt, line 3, column 'O\*NET-SOC Code': unknown occupation"):
        read_onet_titles(onet_dir)
    with pytest.raises(FileNotFoundError, match="O\\*NET directory not found"):
        read_onet_titles(tmp_path / "absent")


def test_onet_alternate_titles_bridge_synonyms(onet_dir: Path) -> None:
    corpus = ["truck driver", "accountant", "babysitter"]
    plain = TitleMatcher(embedder=None).fit(corpus)
    assert plain.component_scores(["nanny"])["char"][0, 2] == 0.0  # no shared character n-gram
    model = TitleMatcher(embedder=None, onet_dir=onet_dir).fit(corpus)
    onet = model.component_scores(["nanny"])["onet_lexical"][0]
    assert onet.argmax() == 2 and onet[2] > 0.9
    assert model.corpus_[model.rank("nanny")[0]] == "babysitter"


def test_estimator_contract() -> None:
    model = TitleMatcher(weights={"char": 1.0}, embedder=None, top_titles=5)
    assert model.get_params()["top_titles"] == 5 and not hasattr(model, "corpus_")
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(RuntimeError, match="not fitted"):
        model.score(["cook"])
    assert model.fit(["cook"]) is model and model.weights_ == {"char": 1.0}
    assert model.score(["cook", "chef"]).shape == (2, 1)
    with pytest.raises(ValueError, match="unknown component"):
        TitleMatcher(weights={"bm25": 1.0}).fit(["cook"])
    with pytest.raises(ValueError, match="corpus_titles is empty"):
        TitleMatcher(embedder=None).fit([])


def test_zscore_rows_keeps_constant_rows_at_zero() -> None:
    z = zscore_rows(np.array([[1.0, 1.0], [0.0, 2.0]]))
    assert z.tolist() == [[0.0, 0.0], [-1.0, 1.0]]


def _collection(tmp_path: Path, qrels: str) -> tuple[Path, Path, Path]:
    q = _write(tmp_path / "queries.tsv", "q_id\tjobtitle\n1\t数控车床操作工\n2\t会计\n3\t无关职位\n")
    c = _write(tmp_path / "corpus.tsv", "c_id\tjobtitle\n10\t数控车工\n11\t会计师\n12\t厨师\n")
    r = _write(tmp_path / "qrels.tsv", qrels)
    return q, c, r


def test_evaluate_titles_on_a_small_collection(tmp_path: Path) -> None:
    q, c, r = _collection(tmp_path, "1\t0\t10\t1\n2\t0\t11\t1\n2\t0\t12\t0\n")
    data = load_collection(q, c, r)
    assert data.queries == ("数控车床操作工", "会计") and data.relevant == (frozenset({0}), frozenset({1}))
    out = evaluate_titles(q, c, r, embedder=None)
    assert (out["language"], out["queries"], out["corpus"]) == ("zh", 2, 3)
    assert out["model"]["MAP"] == 1.0 and out["model"]["P@5"] == pytest.approx(0.2)
    assert set(out["baselines"]) == {"tfidf_char_1_3", "fuzz_ratio"}
    assert out["baselines"]["tfidf_char_1_3"]["MAP"] == 1.0


def test_evaluate_titles_reports_bad_qrels_rows(tmp_path: Path) -> None:
    q, c, r = _collection(tmp_path, "1\t0\t10\t1\n2\t0\t99\t1\n")
    with pytest.raises(ValueError, match=r"qrels.tsv, line 2, column 3: corpus id '99'"):
        load_collection(q, c, r)
    _write(r, "1 0 10 1\n")
    with pytest.raises(ValueError, match="line 1: expected 4 fields"):
        load_collection(q, c, r)


def test_cli_prints_json_and_table(tmp_path: Path) -> None:
    q, c, r = _collection(tmp_path, "1\t0\t10\t1\n2\t0\t11\t1\n")
    args = ["titles", "--queries", str(q), "--corpus", str(c), "--qrels", str(r), "--no-embedding"]
    res = CliRunner().invoke(evaluate, [*args, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["model"]["MAP"] == 1.0
    table = CliRunner().invoke(evaluate, args)
    assert table.exit_code == 0 and "tfidf_char_1_3" in table.output and "MAP" in table.output
    _write(r, "1\t0\t10\n")
    bad = CliRunner().invoke(evaluate, args)
    assert bad.exit_code == 1 and "expected 4 fields" in bad.output


@pytest.mark.shared_data
def test_english_lexical_model_with_onet_on_talentclef(shared_data: Path) -> None:
    """English without embeddings: char n-grams + O*NET synonyms (measured MAP 0.4452; baseline 0.3308)."""
    d = shared_data / TALENTCLEF / "english"
    out = evaluate_titles(
        d / "queries.tsv",
        d / "corpus_elements.tsv",
        d / "qrels.tsv",
        onet_dir=shared_data / "onet_29_2",
        embedder=None,
        baselines=False,
    )
    assert out["model"]["MAP"] >= 0.43


@pytest.mark.shared_data
def test_chinese_full_model_on_talentclef(shared_data: Path) -> None:
    """Chinese with e5 + O*NET bridge: MAP ≥ 0.45 (measured 0.4563 here, 0.4578 with the default
    weights; baseline TF-IDF char 1–3-grams 0.3422).

    ``onet_lexical`` is left out to keep the test short (it vectorises 50,000 English O*NET
    titles); it only touches the few Chinese titles with Latin letters (``it经理``, ``mba候选人``).
    """
    from matching.evaluation.titles import evaluate_scores

    d = shared_data / TALENTCLEF / "chinese"
    data = load_collection(d / "queries.tsv", d / "corpus_elements.tsv", d / "qrels.tsv")
    model = TitleMatcher(
        weights={"char": 0.2, "embedding": 1.0, "onet_embedding": 0.5}, onet_dir=shared_data / "onet_29_2"
    ).fit(list(data.corpus))
    assert evaluate_scores(model.score(list(data.queries)), data.relevant)["MAP"] >= 0.45
