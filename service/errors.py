"""Domain errors and their RFC 9457 problem-details responses.

Services raise the errors below; :func:`problem_details_plugin` turns them (and Litestar's
own HTTP errors, and anything unexpected) into ``application/problem+json`` bodies::

    {"type": "about:blank", "title": "Not Found", "status": 404,
     "detail": "posting 99 not found", "errors": [{"field": "...", "message": "..."}]}

No body ever carries a stack trace or SQL.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from sqlalchemy.exc import IntegrityError

log = logging.getLogger(__name__)


class DomainError(Exception):
    status_code = HTTPStatus.BAD_REQUEST

    def __init__(self, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFoundError(DomainError):
    """An id in the path does not exist (404)."""

    status_code = HTTPStatus.NOT_FOUND

    def __init__(self, resource: str, ident: object) -> None:
        super().__init__(f"{resource} {ident} not found")


class ConflictError(DomainError):
    """The request clashes with stored state, e.g. a duplicate or a forbidden status move (409)."""

    status_code = HTTPStatus.CONFLICT


class InvalidFieldError(DomainError):
    """A well-formed request whose field value is unacceptable (422); names the field."""

    status_code = HTTPStatus.UNPROCESSABLE_ENTITY

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", [{"field": field, "message": message}])


def _problem(status: int, detail: str, errors: list[Any] | None = None,
             headers: dict[str, str] | None = None) -> ProblemDetailsException:
    extra: dict[str, Any] = {"errors": errors} if errors else {}
    return ProblemDetailsException(
        status_code=status, title=HTTPStatus(status).phrase, detail=detail, type_="about:blank",
        extra=extra, headers=headers,
    )


def _from_domain(exc: DomainError) -> ProblemDetailsException:
    return _problem(int(exc.status_code), exc.detail, exc.errors)


def _from_validation(exc: ValidationException) -> ProblemDetailsException:
    errors = []
    for item in exc.extra or []:
        if isinstance(item, dict):
            source = item.get("source", "body")
            errors.append({"field": str(item.get("key", "")), "source": str(getattr(source, "value", source)),
                           "message": str(item.get("message", ""))})
    detail = "; ".join(f"{e['field'] or e['source']}: {e['message']}" for e in errors) or str(exc.detail)
    return _problem(400, detail, errors)


def _from_http(exc: HTTPException) -> ProblemDetailsException:
    if isinstance(exc, ValidationException):
        return _from_validation(exc)
    status = exc.status_code
    if status >= 500:
        return _problem(status, HTTPStatus(status).phrase, headers=exc.headers)
    extra = exc.extra if isinstance(exc.extra, list) else None
    return _problem(status, str(exc.detail), extra, headers=exc.headers)


def _from_integrity(exc: IntegrityError) -> ProblemDetailsException:
    log.info("integrity error: %s", exc.orig)
    return _problem(409, "the request conflicts with stored data (duplicate or missing reference)")


def _internal_error(request: Request, exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _problem(500, "internal server error").to_response(request)


def problem_details_plugin() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            exception_to_problem_detail_map={
                HTTPException: _from_http,
                DomainError: _from_domain,
                IntegrityError: _from_integrity,
            }
        )
    )


EXCEPTION_HANDLERS = {Exception: _internal_error}
