"""``vocmatch evaluate``: offline evaluation of the matching models on files the user gives.

    vocmatch evaluate titles --queries Q --corpus C --qrels R [--onet DIR] [--no-embedding] [--json]

Registered in :mod:`service.cli` with ``main.add_command(evaluate)``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group("evaluate")
def evaluate() -> None:
    """Evaluate matching models on a test collection (prints MAP, recall@k, P@k)."""


@evaluate.command("titles")
@click.option("--queries", required=True, type=_FILE, help="queries.tsv: q_id<TAB>jobtitle, with header")
@click.option("--corpus", required=True, type=_FILE, help="corpus_elements.tsv: c_id<TAB>jobtitle, with header")
@click.option("--qrels", required=True, type=_FILE, help="qrels.tsv: q_id<TAB>0<TAB>c_id<TAB>relevance, no header")
@click.option("--onet", "onet_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="O*NET text-file directory (Occupation Data.txt, Alternate Titles.txt …) used as synonyms")
@click.option("--no-embedding", is_flag=True, help="purely lexical model (no multilingual-e5 embeddings)")
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
def titles(queries: Path, corpus: Path, qrels: Path, onet_dir: Path | None, no_embedding: bool, as_json: bool) -> None:
    """Rank every corpus title for each query title; print MAP (full ranking), recall@10 and P@5.

    The title model and two baselines (TF-IDF char 1–3-grams, fuzz.ratio) run on the same data.
    """
    from matching.evaluation.titles import evaluate_titles

    try:
        result = evaluate_titles(queries, corpus, qrels, onet_dir=onet_dir, embedder=None if no_embedding else "e5")
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"language {result['language']}, {result['queries']} queries, {result['corpus']} corpus titles")
    click.echo(f"{'model':<16}{'MAP':>8}{'recall@10':>11}{'P@5':>8}{'NDCG@10':>9}{'MRR':>8}")
    rows = [(result["model"]["name"], result["model"]), *result["baselines"].items()]
    for name, m in rows:
        click.echo(f"{name:<16}{m['MAP']:>8.4f}{m['recall@10']:>11.4f}{m['P@5']:>8.4f}{m['NDCG@10']:>9.4f}{m['MRR']:>8.4f}")
