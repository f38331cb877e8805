"""``vocmatch evaluate recommend``: protocol, split, bad input, end-to-end run and CLI on real files."""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from matching.evaluation.baselines import CONTROL
from matching.evaluation.jobboard import protocol_queries, training_queries
from matching.evaluation.recommend import BASELINES, MODEL_NAME, evaluate_recommend, pool_runs, split_applicants
from matching.persistence import load_model
from service.cli.evaluate import evaluate
from service.jobboard import read_board

CITIES = [("Newark", "NJ"), ("Trenton", "NJ"), ("Fresno", "CA"), ("Austin", "TX")]
#: ``vocmatch evaluate recommend``'s default ``--seed``.
DEFAULT_SEED = 20250301
TITLES = ["Line Cook", "Cashier", "Security Officer", "Warehouse Associate", "Receptionist"]


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def make_board(folder: Path, n_applicants: int = 90, seed: int = 1) -> Path:
    """Jobs in four cities; applicants view jobs in their home city with their title of interest."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    jobs = [(100 + i, TITLES[i % 5], f"Co{i % 7}", *CITIES[(i // 5) % 4]) for i in range(60)]
    _write(
        folder / "jobs.csv",
        ["Job.ID", "Title", "Position", "Company", "City", "State.Name", "State.Code", "Industry"],
        [[j, f"{t} @ {c}", t, c, city, "", st, "NA"] for j, t, c, city, st in jobs],
    )
    views, exp, poi = [], [], []
    for a in range(1, n_applicants + 1):
        city, st = CITIES[a % 4]
        title = TITLES[a % 5]
        mine = [j for j in jobs if j[3] == city and j[1] == title] or [j for j in jobs if j[3] == city]
        n = 1 if a % 3 == 0 else rng.randint(2, 4)
        for k in range(n):
            job = rng.choice(mine)
            start = f"2015-01-{1 + (a % 20):02d} {10 + k:02d}:00:00 UTC"
            views.append([a, job[0], start])
            views.append([a, job[0], f"2015-02-{1 + (a % 20):02d} 09:00:00 UTC"])  # repeat: collapses
        exp.append([a, title.lower(), "Somewhere", city, st, "NA", "NA", "did things"])
        if a % 2:
            poi.append([a, title])
    _write(folder / "views.csv", ["Applicant.ID", "Job.ID", "View.Start"], views)
    _write(
        folder / "experience.csv",
        [
            "Applicant.ID",
            "Position.Name",
            "Employer.Name",
            "City",
            "State.Code",
            "Start.Date",
            "End.Date",
            "Job.Description",
        ],
        exp,
    )
    _write(folder / "positions_of_interest.csv", ["Applicant.ID", "Position.Of.Interest"], poi)
    return folder


def test_protocol_collapses_orders_and_groups(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    _write(
        folder / "jobs.csv",
        ["Job.ID", "Title", "Position", "Company", "City", "State.Code"],
        [
            [1, "A", "Cook", "X", "Newark", "NJ"],
            [2, "B", "Cashier", "Y", "Newark", "NJ"],
            [3, "C", "Guard", "Z", "Austin", "TX"],
        ],
    )
    _write(
        folder / "views.csv",
        ["Applicant.ID", "Job.ID", "View.Start"],
        [
            [7, 2, "2015-01-02 10:00:00 UTC"],
            [7, 1, "2015-01-03 10:00:00 UTC"],
            [7, 2, "2015-01-09 10:00:00 UTC"],  # repeat of job 2: its earliest view counts, so 1 is last
            [8, 3, "2015-01-05 10:00:00 UTC"],
            [8, 1, "2015-01-05 10:00:00 UTC"],  # same time: by Job.ID, 3 last
            [9, 3, "2015-01-05 10:00:00 UTC"],  # one job, no profile: not evaluated
            [10, 2, "2015-01-05 10:00:00 UTC"],  # one job, a position of interest: cold
        ],
    )
    _write(folder / "positions_of_interest.csv", ["Applicant.ID", "Position.Of.Interest"], [[10, "cashier"]])
    board = read_board(folder)
    warm, cold = protocol_queries(board.views, board.profiles, {j.id: j for j in board.jobs})
    assert [(q.key, q.history, list(q.targets)) for q in warm] == [(7, (2,), [1]), (8, (1,), [3])]
    assert [(q.key, q.history, list(q.targets), q.seeker.desired_titles) for q in cold] == [(10, (), [2], ("cashier",))]
    assert warm[0].seeker.city == "Newark"  # no profile: placed at the last history job


def test_training_queries_cold_per_applicant(tmp_path: Path) -> None:
    """Profile-only queries for an applicant's first interactions, each at its own time; warm ones unchanged."""
    board = read_board(make_board(tmp_path / "b", n_applicants=12))
    jobs = {j.id: j for j in board.jobs}
    one = training_queries(board.views, board.profiles, jobs)
    three = training_queries(board.views, board.profiles, jobs, cold_per_applicant=3)
    assert [q for q in one if q.history] == [q for q in three if q.history]
    per = defaultdict(list)
    for it in board.views:
        per[it.seeker].append(it)
    for applicant, items in per.items():
        cold = [q for q in three if q.key == applicant and not q.history]
        assert [(list(q.targets), q.at) for q in cold] == [([it.job_id], it.at) for it in items[:3]]
        assert len([q for q in one if q.key == applicant and not q.history]) == 1
        assert all(q.seeker is board.profiles[applicant] for q in cold)


def test_bad_rows_are_named(tmp_path: Path) -> None:
    folder = make_board(tmp_path / "b", n_applicants=5)
    with (folder / "views.csv").open("a", encoding="utf-8") as fh:
        fh.write("3,101,yesterday\n")
    with pytest.raises(ValueError, match=r"views.csv, row \d+, column View.Start"):
        read_board(folder)
    (folder / "views.csv").unlink()
    with pytest.raises(FileNotFoundError, match="views.csv"):
        read_board(folder)


def test_split_is_seeded_and_disjoint(tmp_path: Path) -> None:
    board = read_board(make_board(tmp_path / "b"))
    train, test = split_applicants(board.views, 0.3, seed=4)
    assert not train & test and len(train) + len(test) == 90 and len(test) == 27
    assert split_applicants(board.views, 0.3, seed=4) == (train, test)
    assert split_applicants(board.views, 0.3, seed=5) != (train, test)
    with pytest.raises(ValueError, match="test_fraction"):
        split_applicants(board.views, 1.0, seed=4)


def test_end_to_end_on_two_folders_never_trains_on_test_applicants(tmp_path: Path) -> None:
    train = make_board(tmp_path / "train", n_applicants=120, seed=2)
    test = make_board(tmp_path / "test", n_applicants=60, seed=3)  # ids 1..60 are in both: left out of training
    result = evaluate_recommend(read_board(train), read_board(test), seed=1)
    assert result["split"]["mode"] == "two folders"
    assert result["split"]["applicants_in_both_left_out_of_training"] == 60
    assert result["split"]["train_applicants"] == 60 and result["split"]["test_applicants"] == 60
    for group in ("warm", "cold"):
        g = result["groups"][group]
        assert set(g["baselines"]) == set(BASELINES) and g["queries"] > 0
        for m in (g["model"], *g["baselines"].values()):
            assert set(m) == {"recall@10", "NDCG@10", "MRR"} and all(0.0 <= v <= 1.0 for v in m.values())
    # home city and title decide everything here: the model must find it
    assert (
        result["groups"]["warm"]["model"]["recall@10"]
        > result["groups"]["warm"]["baselines"]["popularity"]["recall@10"]
    )


@pytest.fixture(scope="module")
def board_150(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The CLI tests' board: 150 applicants, seed 4 (only read by the tests)."""
    return make_board(tmp_path_factory.mktemp("board") / "b", n_applicants=150, seed=4)


@pytest.fixture(scope="module")
def default_run(board_150: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """``recommend --json --save-model`` on :func:`board_150` with the default seed and options: its JSON and
    the model file. Run once per module (each run trains three boosted bags, ~25 s of CPU): the JSON
    test reads both, the training-options test compares its other options against the same run."""
    out = tmp_path_factory.mktemp("models") / "m.skops"
    args = ["recommend", "--train", str(board_150), "--test", str(board_150), "--json", "--save-model", str(out)]
    res = CliRunner().invoke(evaluate, args)
    assert res.exit_code == 0, res.output
    return json.loads(res.output), out


def test_cli_json_and_saved_model(default_run: tuple[dict[str, Any], Path], tmp_path: Path) -> None:
    result, out = default_run
    assert result["saved_model"] == str(out)
    assert result["split"]["mode"].startswith("one folder") and result["model"]["name"] == MODEL_NAME
    model, meta = load_model(out)
    assert meta["metrics"]["warm"]["model"] == result["groups"]["warm"]["model"]
    assert meta["training"]["queries"] == result["model"]["training"]["queries"] and model.n_iter_ >= 10
    assert result["model"]["options"] == {"cold_per_applicant": 1}
    bad = CliRunner().invoke(evaluate, ["recommend", "--train", str(tmp_path), "--test", str(tmp_path)])
    assert bad.exit_code == 1 and "jobs.csv" in bad.output


def test_cli_pools_several_seeds_with_intervals(
    board_150: Path, default_run: tuple[dict[str, Any], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two seeds pooled: two trainings. The first seed is the default one, so the single run with that seed
    is :func:`default_run` (a training of its own, compared with the pooled run's first). The text output
    renders the same two runs: it gets them from a stand-in for ``run_recommend`` that returns what the JSON
    invocation trained (the printing, not the training, is what the text assertions test)."""
    import matching.evaluation.recommend as recommend_module

    folder = board_150
    seed = str(DEFAULT_SEED)
    args = ["recommend", "--train", str(folder), "--test", str(folder), "--json"]
    trained: dict[int, tuple[dict[str, Any], Any]] = {}
    real_run = recommend_module.run_recommend

    def recording(*a: Any, **kw: Any) -> tuple[dict[str, Any], Any]:
        trained[kw["seed"]] = real_run(*a, **kw)
        return trained[kw["seed"]]

    monkeypatch.setattr(recommend_module, "run_recommend", recording)
    res = CliRunner().invoke(evaluate, [*args, "--seed", seed, "--seed", "2"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    runs, pooled = out["runs"], out["pooled"]
    assert [r["split"]["seed"] for r in runs] == [DEFAULT_SEED, 2]
    for group in ("warm", "cold"):
        per = [r["groups"][group] for r in runs]
        for g in per:  # each run: per-query NDCG@10 whose mean is the reported figure, and an interval
            q = g["ndcg_per_query"]
            assert len(q["applicants"]) == len(q["model"]) == len(q["best_baseline"]) == g["queries"]
            assert sum(q["model"]) / g["queries"] == pytest.approx(g["model"]["NDCG@10"], abs=1e-3)
            best = g["baselines"][g["best_baseline"]]["NDCG@10"]
            assert sum(q["best_baseline"]) / g["queries"] == pytest.approx(best, abs=1e-3)
            low, high = g["ndcg_lift_ci95"]
            assert low <= g["lift_over_best_baseline"]["NDCG@10"] + 1e-3 and high >= low
            assert g["best_baseline"] in BASELINES and CONTROL not in g["baselines"]  # the control is apart
            c = g["control"]
            assert c["name"] == CONTROL and sum(q["control"]) / g["queries"] == pytest.approx(c["NDCG@10"], abs=1e-3)
            assert c["ndcg_lift"] == pytest.approx(g["model"]["NDCG@10"] / c["NDCG@10"] - 1.0, abs=1e-3)
        p = pooled[group]
        assert p["queries"] == sum(g["queries"] for g in per)
        model = sum(sum(g["ndcg_per_query"]["model"]) for g in per) / p["queries"]
        assert p["model_ndcg@10"] == pytest.approx(model, abs=1e-4)
        assert p["lift_ci95"][0] <= p["lift"] + 1e-3 <= p["lift_ci95"][1] + 2e-3
        control = sum(sum(g["ndcg_per_query"]["control"]) for g in per) / p["queries"]
        assert p["control_ndcg@10"] == pytest.approx(control, abs=1e-4)
        assert p["lift_over_control"] == pytest.approx(model / control - 1.0, abs=1e-3)
    assert pool_runs(runs) == pooled
    single = default_run[0]  # the default seed alone (plus --save-model, which changes nothing in the run)
    assert single["split"]["seed"] == DEFAULT_SEED
    assert single["groups"]["warm"]["model"] == runs[0]["groups"]["warm"]["model"]  # same seed, same run

    def replay(*a: Any, seed: int, progress: Any = None, **kw: Any) -> tuple[dict[str, Any], Any]:
        assert progress is not None  # the text output reports progress, as run_recommend does
        progress(f"replaying the run of seed {seed}")
        return trained[seed]

    monkeypatch.setattr(recommend_module, "run_recommend", replay)
    text = CliRunner().invoke(evaluate, [*args[:-1], "--seed", seed, "--seed", "2"])
    assert text.exit_code == 0 and "control blend_creation_window" in text.output
    assert "pooled cold vs control" in text.output
    both = CliRunner().invoke(evaluate, [*args, "--seed", "1", "--seed", "2", "--save-model", str(tmp_path / "m")])
    assert both.exit_code == 2 and "--save-model needs one --seed" in both.output
    with pytest.raises(ValueError, match="no result"):
        pool_runs([])


def test_cli_training_options(board_150: Path, default_run: tuple[dict[str, Any], Path]) -> None:
    """--cold-queries adds profile-only training queries, so the same seed trains another model; the
    removed --profile-features (issue 19) is refused."""
    folder = board_150
    args = ["recommend", "--train", str(folder), "--test", str(folder), "--json"]
    plain = default_run[0]  # the same arguments, plus --save-model, which changes nothing in the run
    other = CliRunner().invoke(evaluate, [*args, "--cold-queries", "3"])
    assert other.exit_code == 0, other.output
    result = json.loads(other.output)
    assert result["model"]["options"] == {"cold_per_applicant": 3}
    assert result["model"]["training"]["queries"] > plain["model"]["training"]["queries"]
    assert result["groups"]["cold"]["baselines"] == plain["groups"]["cold"]["baselines"]  # baselines unchanged
    assert CliRunner().invoke(evaluate, [*args, "--cold-queries", "0"]).exit_code == 2
    assert CliRunner().invoke(evaluate, [*args, "--profile-features"]).exit_code == 2


@pytest.mark.shared_data
def test_protocol_on_the_real_views(shared_data: Path) -> None:
    """The protocol's groups equal an independent reading of the raw files."""
    folder = shared_data / "us_jobboard_views"
    board = read_board(folder)
    warm, cold = protocol_queries(board.views, board.profiles, {j.id: j for j in board.jobs})
    first: dict[tuple[str, str], str] = {}
    with (folder / "views.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            k = (r["Applicant.ID"], r["Job.ID"])
            first[k] = min(first.get(k, r["View.Start"]), r["View.Start"])
    seq: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for (a, j), t in first.items():
        seq[a].append((t, int(j)))
    profiled = set()
    for name in ("experience.csv", "positions_of_interest.csv"):
        with (folder / name).open(encoding="utf-8") as fh:
            profiled |= {r["Applicant.ID"] for r in csv.DictReader(fh)}
    expect_warm = {int(a): sorted(s)[-1][1] for a, s in seq.items() if len(s) >= 2}
    expect_cold = {int(a): s[0][1] for a, s in seq.items() if len(s) == 1 and a in profiled}
    assert {q.key: next(iter(q.targets)) for q in warm} == expect_warm
    assert {q.key: next(iter(q.targets)) for q in cold} == expect_cold
    assert len(warm) > 1000 and len(cold) > 250
