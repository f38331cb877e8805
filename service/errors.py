"""Domain errors and their RFC 9457 problem-details responses.

Services raise the errors below; :func:`problem_details_plugin` turns them (and Litestar's
own HTTP errors, and anything unexpected) into ``application/problem+json`` bodies::

    {"type": "about:blank", "title": "Not Found", "status": 404,
     "detail": "posting 99 not found", "errors": [{"field": "...", "message": "..."}]}

No body ever carries a stack trace or SQL. A database that is missing, unreachable, dropped or
without its tables answers 503 with ``Retry-After`` on every route (:func:`database_unavailable`),
never 500; nothing is cached about it, so the service answers again by itself once the database
is back (PostgreSQL connections are checked before use; SQLite files are never created by the
service and a replaced file is reopened: :func:`service.db.make_engine`).
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from litestar.types import ExceptionHandlersMap
from sqlalchemy.exc import DataError, DBAPIError, DisconnectionError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

log = logging.getLogger(__name__)
#: ``Retry-After`` of a 503 answered while the database cannot be used (RFC 9110 §10.2.3), seconds.
RETRY_AFTER_SECONDS = 5
UNAVAILABLE = "the database is not available at the moment; try again shortly / 数据库暂时无法使用，请稍后再试"
#: SQLSTATE of a database that cannot serve requests: connection exceptions (08), insufficient
#: resources (53), operator intervention (57: shut down, database dropped), no such database
#: (3D000), no such table (42P01: an empty database in place of the real one).
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")
_UNAVAILABLE_SQLSTATES = ("3D000", "42P01")
#: Modules whose ``OSError`` means the database connection failed (refused, unreachable, timed out).
_DRIVER_MODULES = ("asyncpg", "aiosqlite", "sqlalchemy.pool", "sqlalchemy.engine", "sqlalchemy.dialects")


class DomainError(Exception):
    """A refusal by a domain rule. ``code`` (optional) is a stable name of the rule broken, e.g.
    ``slot_in_past``: pages choose their translated text by it, never by the English ``detail``;
    it is also given in the problem's ``errors`` item (``code``), for API clients to do the same."""

    status_code = HTTPStatus.BAD_REQUEST

    def __init__(self, detail: str, errors: list[dict[str, str]] | None = None, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.code = code


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

    def __init__(self, field: str, message: str, code: str | None = None) -> None:
        item = {"field": field, "message": message} | ({"code": code} if code else {})
        super().__init__(f"{field}: {message}", [item], code)


class InvalidInputError(DomainError):
    """Input that no handler should see, e.g. a NUL character or over-deep JSON (400).

    ``field`` names the place (a JSON path such as ``certificates[0].name``, or a query/path
    parameter name; empty for the body as a whole); ``source`` is ``body``, ``query`` or ``path``.
    """

    status_code = HTTPStatus.BAD_REQUEST

    def __init__(self, field: str, message: str, source: str = "body") -> None:
        super().__init__(f"{field or source}: {message}", [{"field": field, "source": source, "message": message}])


def _problem(
    status: int, detail: str, errors: list[Any] | None = None, headers: dict[str, str] | None = None
) -> ProblemDetailsException:
    extra: dict[str, Any] = {"errors": errors} if errors else {}
    return ProblemDetailsException(
        status_code=status,
        title=HTTPStatus(status).phrase,
        detail=detail,
        type_="about:blank",
        extra=extra,
        headers=headers,
    )


def _from_domain(exc: DomainError) -> ProblemDetailsException:
    return _problem(int(exc.status_code), exc.detail, exc.errors)


_AT_PATH = re.compile(r" - at `(\$[^`]*)`$")
_NAMED_FIELD = re.compile(r"(?:missing required field|unknown field) `([^`]+)`")


def _body_path(path: str) -> str:
    """msgspec's ``$.certificates[0].name`` → ``certificates[0].name``; ``$``/``$[0]`` stay as they are."""
    return path[2:] if path.startswith("$.") else path


def _field_and_message(item: dict[str, Any], cause: str) -> tuple[str, str]:
    """The real field (path) of one Litestar validation item, and its message without the path.

    Litestar names the whole body ``data`` unless msgspec's path starts ``$.``; msgspec names a
    missing or unknown field only inside the message (``Object missing required field `x```), so
    the field is taken from there, joined to the path it sits at (``certificates[0].name``).
    ``cause`` is the text of the msgspec error behind the exception (for paths like ``$[...]``).
    """
    key, message = str(item.get("key", "")), str(item.get("message", ""))
    source = str(getattr(item.get("source", ""), "value", item.get("source", "")))
    if at := _AT_PATH.search(message):
        message = message[: at.start()]
        key = _body_path(at.group(1))
    elif source == "body" and key == "data":
        # "data" is Litestar's name for the body (or a body field named data): the cause names the
        # body `$.data`, so what follows is the real place (`.data`, `[0]`, or nothing: the body)
        rest = at.group(1)[6:] if (at := _AT_PATH.search(cause)) and at.group(1).startswith("$.data") else ""
        key = rest[1:] if rest.startswith(".") else "$" + rest if rest else ""
    if named := _NAMED_FIELD.search(message):
        key = f"{key}.{named.group(1)}" if key and key != "$" else named.group(1)
    return key or ("$" if source == "body" else key), message


def _from_validation(exc: ValidationException) -> ProblemDetailsException:
    cause = str(exc.__cause__) if exc.__cause__ is not None else ""
    errors = []
    for item in exc.extra or []:
        if isinstance(item, dict):
            source = item.get("source", "body")
            field, message = _field_and_message(item, cause)
            errors.append({"field": field, "source": str(getattr(source, "value", source)), "message": message})
    detail = "; ".join(f"{e['field'] or e['source']}: {e['message']}" for e in errors) or str(exc.detail)
    return _problem(400, detail, errors)


def _from_http(exc: HTTPException) -> ProblemDetailsException:
    if isinstance(exc, ValidationException):
        return _from_validation(exc)
    status = exc.status_code
    if status >= 500:
        return _problem(status, HTTPStatus(status).phrase, headers=exc.headers)
    extra = exc.extra if isinstance(exc.extra, list) else None
    if extra is None and status == 400 and (at := _AT_PATH.search(str(exc.detail))):
        # a body the JSON decoder refused at a place (msgspec: "... - at `$.x`"): name the place
        message = str(exc.detail)[: at.start()]
        extra = [{"field": _body_path(at.group(1)), "source": "body", "message": message}]
    return _problem(status, str(exc.detail), extra, headers=exc.headers)


def _constraint_of(exc: IntegrityError) -> str:
    """Which constraint refused the write — never the values: PostgreSQL's message goes on with
    ``DETAIL: Key (id_number)=(…)``, which would put a 身份证号 in the log."""
    name = getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None)
    return str(name) if name else str(exc.orig).split("\n", 1)[0][:200]


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc``, the DBAPI error it wraps and every cause or context behind them."""
    out: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or any(e is seen for seen in out):
            continue
        out.append(e)
        todo += [getattr(e, "orig", None), e.__cause__, e.__context__]
    return out


def _raised_in_driver(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__", "").startswith(_DRIVER_MODULES):
            return True
        tb = tb.tb_next
    return False


def database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` says the database cannot be used now (rather than that the request is
    wrong): no connection (refused, unreachable, timed out, pool exhausted, closed under the
    request), the database or its tables missing or dropped, the server shutting down, SQLite's
    file missing or locked past the busy timeout. Such failures are 503 on every route."""
    for e in _chain(exc):
        if isinstance(e, (OperationalError, InterfaceError, PoolTimeoutError, DisconnectionError)):
            return True
        if isinstance(e, DBAPIError) and e.connection_invalidated:
            return True
        sqlstate = str(getattr(e, "sqlstate", None) or getattr(e, "pgcode", None) or "")
        if sqlstate[:2] in _UNAVAILABLE_SQLSTATE_CLASSES or sqlstate in _UNAVAILABLE_SQLSTATES:
            return True
        if type(e).__module__.startswith("asyncpg") and type(e).__name__ in (
            "InterfaceError",
            "ConnectionDoesNotExistError",
            "InternalClientError",
        ):
            return True
        if isinstance(e, (OSError, TimeoutError)) and _raised_in_driver(e):
            return True
    return False


def unavailable_problem() -> ProblemDetailsException:
    """The 503 answer for :func:`database_unavailable` errors."""
    return _problem(503, UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _from_integrity(exc: IntegrityError) -> ProblemDetailsException:
    log.info("integrity error: %s", _constraint_of(exc))
    return _problem(409, "the request conflicts with stored data (duplicate or missing reference)")


def _is_data_error(exc: DBAPIError) -> bool:
    """A value the database refused (SQLSTATE class 22 "data exception", e.g. 22003 numeric value
    out of range, 22021 NUL in text), or one the driver could not encode (asyncpg raises a
    ``ValueError`` subclass for "value out of int64 range")."""
    if isinstance(exc, DataError):
        return True
    orig = exc.orig
    sqlstate = str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")
    return sqlstate.startswith("22") or isinstance(getattr(orig, "__cause__", None), ValueError)


_OUT_OF_RANGE = (
    "a value in the request cannot be stored (a number out of range, or a character "
    "the database does not accept) / 请求中的数值超出范围或含有无法保存的字符"
)


def _from_database(exc: DBAPIError) -> ProblemDetailsException:
    """Safety net behind the request checks: a data error becomes 400 without any SQL text; a
    database that cannot be used 503 (:func:`database_unavailable`); any other database failure
    stays a 500 (logged)."""
    if _is_data_error(exc):
        log.warning("database refused a value: %s", exc.orig)
        return _problem(400, _OUT_OF_RANGE)
    if database_unavailable(exc):
        log.warning("database unavailable: %s", exc.orig)
        return unavailable_problem()
    log.error("database error", exc_info=exc)
    return _problem(500, "internal server error")


def _from_overflow(exc: OverflowError) -> ProblemDetailsException:
    """Safety net: SQLite's driver raises ``OverflowError`` for integers beyond 64 bits."""
    log.warning("value out of range: %s", exc)
    return _problem(400, _OUT_OF_RANGE)


def _internal_error(request: Request, exc: Exception) -> Response[Any]:
    if database_unavailable(exc):  # e.g. the driver's own ConnectionRefusedError, a pool timeout
        log.warning("database unavailable on %s %s: %r", request.method, request.url.path, exc)
        return unavailable_problem().to_response(request)
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _problem(500, "internal server error").to_response(request)


def problem_details_plugin() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            exception_to_problem_detail_map={
                HTTPException: _from_http,
                DomainError: _from_domain,
                IntegrityError: _from_integrity,
                DBAPIError: _from_database,
                OverflowError: _from_overflow,
            }
        )
    )


EXCEPTION_HANDLERS: ExceptionHandlersMap = {Exception: _internal_error}


#: Error statuses every operation may answer (RFC 9457 bodies), documented on each operation.
DOCUMENTED_ERRORS = {
    400: "malformed body or parameter (the field is named)",
    401: "not signed in, or an invalid or expired token",
    403: "signed in, but this role may not do this",
    404: "unknown id, or an object the caller may not see",
    409: "clashes with stored data (duplicate, forbidden status move)",
    413: "request body over the size limit (the limit is named)",
    415: "a JSON route's body not sent as application/json",
    422: "well-formed but unacceptable value (the field is named)",
    429: "too many requests (see Retry-After)",
    503: "the database is not available at the moment (see Retry-After)",
}
PROBLEM_MEDIA_TYPE = "application/problem+json"


def document_problem_responses(app: Any) -> None:
    """Declare the RFC 9457 error answers on every operation of ``app``'s OpenAPI document:
    :data:`DOCUMENTED_ERRORS` with ``application/problem+json`` bodies (replacing Litestar's default
    ``application/json`` 400), and 204 answers documented without a body. Call once after the app is built, before it serves requests."""
    from litestar._openapi.plugin import OpenAPIPlugin
    from litestar.openapi.spec import Components, OpenAPIMediaType, OpenAPIResponse, Reference, Schema
    from litestar.openapi.spec.enums import OpenAPIType

    openapi = app.plugins.get(OpenAPIPlugin).provide_openapi()
    components = openapi.components if isinstance(openapi.components, Components) else Components()
    openapi.components = components
    components.schemas = dict(components.schemas or {})
    components.schemas["ProblemDetails"] = Schema(
        type=OpenAPIType.OBJECT,
        required=["status", "title", "type"],
        properties={
            "type": Schema(type=OpenAPIType.STRING),
            "title": Schema(type=OpenAPIType.STRING),
            "status": Schema(type=OpenAPIType.INTEGER),
            "detail": Schema(type=OpenAPIType.STRING),
            "errors": Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.OBJECT)),
        },
    )
    problem = {PROBLEM_MEDIA_TYPE: OpenAPIMediaType(schema=Reference(ref="#/components/schemas/ProblemDetails"))}
    for item in (openapi.paths or {}).values():
        for method in ("get", "put", "post", "delete", "patch"):
            operation = getattr(item, method, None)
            if operation is None:
                continue
            responses = dict(operation.responses or {})
            for status, description in DOCUMENTED_ERRORS.items():
                responses[str(status)] = OpenAPIResponse(description=description, content=problem)
            no_body = responses.get("204")  # RFC 9110 §15.3.5: a 204 has no content (Litestar documents
            if isinstance(no_body, OpenAPIResponse) and no_body.content:  # Response[None] as a JSON null)
                responses["204"] = OpenAPIResponse(description=no_body.description, headers=no_body.headers)
            operation.responses = responses
