"""Application factory: ``create_app(settings)`` builds the Litestar app; nothing runs at import."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import swagger_ui_bundle
from advanced_alchemy.extensions.litestar import (
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyPlugin,
)
from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

from service.access_log import install as install_access_log_redaction
from service.config import Settings
from service.db import make_engine
from service.errors import EXCEPTION_HANDLERS, document_problem_responses, problem_details_plugin
from service.inputs import check_request_input

DOCS_ASSETS = "/docs-assets"


def _openapi_config() -> OpenAPIConfig:
    swagger = SwaggerRenderPlugin(
        js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
        path="/swagger",
        favicon="",
    )
    return OpenAPIConfig(
        title="vocmatch",
        version="0.1.0",
        description="Job matching and employment statistics for secondary-vocational (中职) graduates.",
        path="/docs",
        render_plugins=[swagger],
    )


_frozen = False


def freeze_start_up_objects() -> None:
    """Once per process, at the first app's start-up: collect, then move every object made so far
    (modules, classes, the app) out of the garbage collector's full passes (``gc.freeze``). Those
    passes stop every thread of the server and scanned them all each time (~200 ms here), which a
    request allocating many objects triggers; the objects live as long as the process anyway."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the ASGI app for ``settings`` (default: from the environment).

    One database transaction per request: committed when the handler returns a 2xx/3xx,
    rolled back otherwise. The engine connects lazily on the first request.
    """
    from service.accounts.setup import build_security
    from service.alerts.controllers import AlertController
    from service.applications.controllers import ApplicationController
    from service.catalog.controllers import CatalogController
    from service.conversations.controllers import ConversationController, InvitationController
    from service.destinations.controllers import DestinationController, FollowUpController
    from service.employers.controllers import ROUTES as EMPLOYER_ROUTES
    from service.graduates.controllers import GraduateController
    from service.health.controllers import health
    from service.internships.controllers import InternshipController
    from service.interviews.controllers import InterviewController
    from service.notifications.controllers import NotificationController
    from service.postings.controllers import PostingController
    from service.privacy.controllers import AuditController, PrivacyController, delete_graduate
    from service.recommendations.controllers import RecommendationController
    from service.recommendations.service import RankerCache, warm_up_ranker
    from service.reports.controllers import ReportController
    from service.resumes.controllers import ResumeController
    from service.rosters.controllers import RosterController, RosterTemplateController
    from service.rosters.workers import RosterWorkers
    from service.taxonomy.controllers import TaxonomyController
    from service.web.setup import web_router, web_template_config

    settings = settings or Settings.from_env()
    install_access_log_redaction()  # query strings carry searches for names: never logged
    security = build_security(settings)  # may create var/secret_key (embedded default)
    engine = make_engine(settings)
    ranker_cache = RankerCache(settings=settings)
    roster_workers = RosterWorkers(settings)  # roster imports run in worker processes
    background: set[asyncio.Task[None]] = set()

    async def freeze_long_lived() -> None:
        freeze_start_up_objects()

    async def start_warm_up() -> None:
        ranker_cache.follow(engine)  # the postings' change feed, applied in the background
        if settings.warm_up:
            task = asyncio.create_task(warm_up_ranker(engine, ranker_cache))
            background.add(task)
            task.add_done_callback(background.discard)

    async def check_resume_font() -> None:
        from service.resumes.pdf import check_font_at_start_up

        check_font_at_start_up(settings.resume_font)  # a warning now, a 503 problem when a PDF is asked for

    async def stop_background() -> None:
        for task in list(background):
            task.cancel()
        roster_workers.close()
        ranker_cache.close()

    db_config = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_config=AsyncSessionConfig(expire_on_commit=False, autoflush=False),
        before_send_handler="autocommit_include_redirects",  # commit on 2xx and 3xx (form posts redirect)
        session_dependency_key="db_session",
        set_default_exception_handler=False,
    )
    docs_assets = create_static_files_router(
        path=DOCS_ASSETS,
        directories=[Path(swagger_ui_bundle.swagger_ui_path)],
        include_in_schema=False,
    )
    app = Litestar(
        route_handlers=[
            health,
            docs_assets,
            PostingController,
            *EMPLOYER_ROUTES,
            GraduateController,
            ApplicationController,
            CatalogController,
            DestinationController,
            FollowUpController,
            ReportController,
            RosterController,
            RecommendationController,
            AuditController,
            PrivacyController,
            delete_graduate,
            TaxonomyController,
            NotificationController,
            InterviewController,
            InternshipController,
            RosterTemplateController,
            ResumeController,
            ConversationController,
            InvitationController,
            AlertController,
            security.router,
            web_router(security.kit),
        ],
        plugins=[SQLAlchemyPlugin(config=db_config), problem_details_plugin()],
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=_openapi_config(),
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
        state=State(
            {
                "settings": settings,
                "ranker_cache": ranker_cache,
                "roster_workers": roster_workers,
                "login_limiter": security.kit.limiter,
            }
        ),
        debug=settings.debug,
        on_startup=[freeze_long_lived, start_warm_up, check_resume_font],
        on_shutdown=[stop_background],
        middleware=security.middleware,
        before_send=[security.headers_hook],
        before_request=check_request_input,
        request_max_body_size=settings.max_body_bytes,
        template_config=web_template_config(),
        # every route needs a valid token (bearer or session cookie) except those marked
        # opt={"exclude_from_auth": True} (login, register, refresh, public reference data) and
        # PUBLIC_PATHS (health, docs); handler guards then decide who may use each route.
        on_app_init=[security.auth.on_app_init],
    )
    document_problem_responses(app)  # RFC 9457 error answers on every operation
    return app
