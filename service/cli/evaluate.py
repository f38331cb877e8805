"""``vocmatch evaluate``: offline evaluation of the matching models on files the user gives.

vocmatch evaluate titles --queries Q --corpus C --qrels R [--onet DIR] [--no-embedding] [--json]
vocmatch evaluate recommend --train DIR --test DIR [--test-fraction F] [--seed N] [--save-model PATH]
    [--cold-queries N] [--json]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from service.progress import progress_for

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group("evaluate")
def evaluate() -> None:
    """Evaluate matching models on a test collection (prints MAP, recall@k, P@k)."""


@evaluate.command("titles")
@click.option("--queries", required=True, type=_FILE, help="queries.tsv: q_id<TAB>jobtitle, with header")
@click.option("--corpus", required=True, type=_FILE, help="corpus_elements.tsv: c_id<TAB>jobtitle, with header")
@click.option("--qrels", required=True, type=_FILE, help="qrels.tsv: q_id<TAB>0<TAB>c_id<TAB>relevance, no header")
@click.option(
    "--onet",
    "onet_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="O*NET text-file directory (Occupation Data.txt, Alternate Titles.txt …) used as synonyms",
)
@click.option("--no-embedding", is_flag=True, help="purely lexical model (no multilingual-e5 embeddings)")
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
def titles(queries: Path, corpus: Path, qrels: Path, onet_dir: Path | None, no_embedding: bool, as_json: bool) -> None:
    """Rank every corpus title for each query title; print MAP (full ranking), recall@10 and P@5.

    The title model and two baselines (TF-IDF char 1–3-grams, fuzz.ratio) run on the same data.
    """
    from matching.evaluation.titles import evaluate_titles

    try:
        with progress_for(as_json) as progress:
            result = evaluate_titles(
                queries, corpus, qrels, onet_dir=onet_dir, embedder=None if no_embedding else "e5", progress=progress
            )
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"language {result['language']}, {result['queries']} queries, {result['corpus']} corpus titles")
    click.echo(f"{'model':<16}{'MAP':>8}{'recall@10':>11}{'P@5':>8}{'NDCG@10':>9}{'MRR':>8}")
    rows = [(result["model"]["name"], result["model"]), *result["baselines"].items()]
    for name, m in rows:
        click.echo(
            f"{name:<16}{m['MAP']:>8.4f}{m['recall@10']:>11.4f}{m['P@5']:>8.4f}{m['NDCG@10']:>9.4f}{m['MRR']:>8.4f}"
        )


_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@evaluate.command("recommend")
@click.option(
    "--train",
    "train_dir",
    required=True,
    type=_DIR,
    help="folder like us_jobboard_views: jobs.csv, views.csv, experience.csv, positions_of_interest.csv",
)
@click.option(
    "--test",
    "test_dir",
    required=True,
    type=_DIR,
    help="folder of the applicants to evaluate (its jobs.csv is the pool); the same folder as --train "
    "splits the applicants at random into training and test",
)
@click.option(
    "--test-fraction",
    type=click.FloatRange(0.0, 1.0, min_open=True, max_open=True),
    default=0.3,
    show_default=True,
    help="share of applicants evaluated when --train and --test are the same folder",
)
@click.option(
    "--seed",
    "seeds",
    type=int,
    multiple=True,
    default=(20250301,),
    show_default=True,
    help="seed of the split, sampling and ties; repeat it (--seed 1 --seed 2) to run several splits "
    "and pool their test applicants",
)
@click.option(
    "--save-model",
    "save_to",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="also write the trained model here (.skops, with a .json metadata file beside it)",
)
@click.option(
    "--cold-queries",
    type=click.IntRange(1),
    default=None,
    help="profile-only training queries per training applicant (their first views) [default: 1]",
)
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
def recommend(
    train_dir: Path,
    test_dir: Path,
    test_fraction: float,
    seeds: tuple[int, ...],
    save_to: Path | None,
    cold_queries: int | None,
    as_json: bool,
) -> None:
    """Train the learned ranker on --train's applicants and rank the pool for --test's applicants;
    print recall@10, NDCG@10 and MRR for warm and cold applicants, with the issue's four baselines and a
    control (the blend within a creation-order window) from the same run.

    The applicants evaluated are never trained on; popularity counts training interactions only.
    Each lift comes with its 95 % paired-bootstrap interval; with several --seed values the runs'
    test applicants are also pooled (JSON: ``{"runs": [...], "pooled": {...}}``).
    """
    import datetime as dt

    from matching.evaluation.recommend import MODEL_NAME, pool_runs, run_recommend
    from matching.persistence import save_model
    from service.jobboard import read_board

    if save_to is not None and len(seeds) > 1:
        raise click.UsageError(f"--save-model needs one --seed; {len(seeds)} were given")
    results = []
    try:
        options: dict[str, Any] = {}  # run_recommend's keyword arguments given on the command line
        if cold_queries is not None:
            options["cold_per_applicant"] = cold_queries
        train = read_board(train_dir)
        test = None if train_dir.resolve() == test_dir.resolve() else read_board(test_dir)
        with progress_for(as_json) as progress:
            progress("seeds", 0, len(seeds))
            for done, seed in enumerate(seeds, start=1):
                result, model = run_recommend(
                    train,
                    test,
                    test_fraction=test_fraction,
                    seed=seed,
                    progress=None if as_json else progress.echo,
                    **options,
                )
                results.append(result)
                progress("seeds", done, len(seeds))
    except (ValueError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc
    pooled = pool_runs(results) if len(results) > 1 else None
    if save_to is not None:
        trained_at = dt.datetime.now(dt.UTC)
        save_model(
            model,
            save_to,
            {
                "version": f"{MODEL_NAME}-{trained_at:%Y%m%dT%H%M%SZ}",
                "trained_at": trained_at.isoformat(),
                "training": {**result["model"]["training"], "source": str(train_dir), "split": result["split"]},
                "metrics": {g: {"model": v["model"], "baselines": v["baselines"]} for g, v in result["groups"].items()},
            },
        )
        result["saved_model"] = str(save_to)
    if as_json:
        out = result if pooled is None else {"runs": results, "pooled": pooled}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for result in results:
        click.echo(f"pool {result['pool']} postings; split: {result['split']}")
        for group, g in result["groups"].items():
            click.echo(f"\n{group}: {g['queries']} applicants")
            click.echo(f"{'model':<22}{'recall@10':>11}{'NDCG@10':>9}{'MRR':>8}")
            for name, m in [(MODEL_NAME, g["model"]), *g["baselines"].items()]:
                click.echo(f"{name:<22}{m['recall@10']:>11.4f}{m['NDCG@10']:>9.4f}{m['MRR']:>8.4f}")
            lift = g["lift_over_best_baseline"]["NDCG@10"]
            low, high = g["ndcg_lift_ci95"]
            click.echo(
                f"NDCG@10 vs best baseline ({g['best_baseline']}): {lift:+.1%} (95 % interval {low:+.1%} to "
                f"{high:+.1%})"
            )
            c = g["control"]
            c_low, c_high = c["ndcg_lift_ci95"]
            click.echo(
                f"control {c['name']}: recall@10 {c['recall@10']:.4f}, NDCG@10 {c['NDCG@10']:.4f}, MRR "
                f"{c['MRR']:.4f}; NDCG@10 vs control {c['ndcg_lift']:+.1%} (95 % interval {c_low:+.1%} to "
                f"{c_high:+.1%})"
            )
    for group, p in (pooled or {}).items():
        low, high = p["lift_ci95"]
        click.echo(
            f"\npooled {group}: {p['queries']} applicants, NDCG@10 {p['model_ndcg@10']:.4f} vs "
            f"{p['best_baseline_ndcg@10']:.4f}: {p['lift']:+.1%} (95 % interval {low:+.1%} to {high:+.1%})"
        )
        if "lift_over_control" in p:
            c_low, c_high = p["lift_over_control_ci95"]
            click.echo(
                f"pooled {group} vs control: {p['control_ndcg@10']:.4f}: {p['lift_over_control']:+.1%} "
                f"(95 % interval {c_low:+.1%} to {c_high:+.1%})"
            )
