"""``vocmatch recommend`` / ``candidates``: the recommendations as the API gives them, as JSON."""

from __future__ import annotations

import click

from service.cli.helpers import echo_json, load_settings, run_in_session


@click.command()
@click.argument("graduate_id", type=int)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
def recommend(graduate_id: int, limit: int) -> None:
    """Print the recommendations for GRADUATE_ID as JSON (the body of GET /graduates/{id}/recommendations)."""
    from service.errors import NotFoundError
    from service.recommendations.service import RankerCache, RecommendationService

    try:
        settings = load_settings()
        result = run_in_session(
            settings,
            lambda s: RecommendationService(s, RankerCache(settings=settings)).for_graduate(graduate_id, limit),
        )
    except NotFoundError as exc:
        raise click.ClickException(exc.detail) from exc
    echo_json(result)


@click.command()
@click.argument("posting_id", type=int)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
def candidates(posting_id: int, limit: int) -> None:
    """Print ranked candidates for POSTING_ID as JSON (the body of GET /postings/{id}/candidates)."""
    from service.errors import NotFoundError
    from service.recommendations.service import RankerCache, RecommendationService

    try:
        settings = load_settings()
        result = run_in_session(
            settings, lambda s: RecommendationService(s, RankerCache(settings=settings)).for_posting(posting_id, limit)
        )
    except NotFoundError as exc:
        raise click.ClickException(exc.detail) from exc
    echo_json(result)
