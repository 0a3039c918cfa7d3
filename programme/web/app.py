"""The app factory: `create_app(clock=..., plans_dir=..., store=...)`, with everything it needs
injected so tests run it on a fixed clock and a private store, and `programme web` runs it on
the configured ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from programme.signing import secret_key
from programme.store import Store
from programme.web import api, pages
from programme.web.security import Csrf, FailureLimiter, SecurityHeaders
from programme.web.service import Service

STATIC = Path(__file__).parent / "static"


def _docs_assets() -> Path | None:
    """Swagger UI's files, shipped by the fastapi-offline package (served from here)."""
    try:
        import fastapi_offline
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    folder = Path(fastapi_offline.__file__).parent / "static"
    return folder if folder.is_dir() else None


def create_app(*, clock: Callable[[], datetime] | None = None, plans_dir: Path | None = None,
               store: Store | None = None, follow_up=None, failure_limit: int = 20,
               failure_window: float = 60.0) -> FastAPI:
    store = store or Store()
    store.migrate()  # once, before any request thread can race to it
    service = Service(store, plans_dir, clock, Csrf(secret_key()),
                      FailureLimiter(failure_limit, failure_window))
    if follow_up is not None:
        service.follow_up = follow_up
    app = FastAPI(title="programme check-in API", version="1",
                  description="Plans, their status and check-ins, for programs. Authenticate "
                              "with a bearer token from `programme token create --person ID`.",
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.service = service
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    assets = _docs_assets()
    if assets is not None:
        app.mount("/docs-assets", StaticFiles(directory=assets), name="docs-assets")
    app.include_router(pages.router)
    app.include_router(api.router)

    @app.get("/", include_in_schema=False)
    def home() -> HTMLResponse:
        return HTMLResponse(service.render("home.html.j2"))

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(service.render("docs.html.j2"))

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict:
        return {"ok": True}

    @app.exception_handler(api.ApiError)
    def api_error(_request: Request, exc: api.ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse({"error": exc.message, "where": exc.where}, status_code=exc.status,
                            headers=headers)

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [{"where": ".".join(str(p) for p in e.get("loc", ())),
                     "error": e.get("msg", "invalid")} for e in exc.errors()]
        first = problems[0] if problems else {"where": "request", "error": "invalid"}
        return JSONResponse({"error": first["error"], "where": first["where"],
                             "problems": problems}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc.detail), "where": request.url.path},
                                status_code=exc.status_code, headers=exc.headers)
        return HTMLResponse(service.render(
            "refused.html.j2", title="Page not found" if exc.status_code == 404 else str(exc.detail),
            detail="Check the address, or open the link from your message again.", contact=None),
            status_code=exc.status_code)

    return app
