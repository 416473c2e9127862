"""The FastAPI application: routes, limits, problem documents and the policy stamp on every response."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..core.errors import OsmsError
from ..core.messages import using
from ..outputs.records import _json_default
from ..policy import PolicySet
from . import models, service
from .i18n import negotiate
from .inputs import parse_json
from .limits import BODY_TIMEOUT_SECONDS, MAX_BODY_BYTES, TooLarge
from .page import render
from .problems import problem

log = logging.getLogger("osms.serve")


class BodyTimeout(Exception):
    """The body did not arrive in time."""


def _in(lang: str, work: Callable[[], bytes]) -> bytes:
    """`work` with messages in `lang` (a worker thread does not share the request's language)."""
    with using(lang):
        return work()


def dumps(doc: Any) -> bytes:
    """JSON exactly as the CLI writes it (Decimal → integer or shortest decimal), compact."""
    return json.dumps(doc, ensure_ascii=False, default=_json_default, separators=(",", ":")).encode()


def stamp_headers(policy: PolicySet) -> dict[str, str]:
    return {
        "X-Osms-Policy": f"{policy.id} {policy.version}",
        "X-Osms-Fingerprint": policy.fingerprint,
        "X-Osms-Engine": f"osms-eval {__version__}",
    }


def language(
    request: Request,
    lang: Annotated[
        models.Lang | None, Query(description="Language of labels and messages (default: Accept-Language, then ru)")
    ] = None,
) -> str:
    return negotiate(lang, request.headers.get("accept-language"))


Lang = Annotated[str, Depends(language)]
PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": models.Problem, "content": {"application/problem+json": {}}, "description": what}
    for code, what in (
        (408, "The body did not arrive in time"),
        (413, "Body, scenario or payment count too large"),
        (415, "The body is not JSON"),
        (422, "Bad input: every problem, with the CLI's message"),
        (500, "A fault in the program (no internals shown)"),
    )
}


def _body_doc(model: type[models.BaseModel]) -> dict[str, Any]:
    """The OpenAPI request body of a route that parses its body itself (exact decimals, the CLI's checks)."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
        }
    }


async def read_body(request: Request, limit: int, timeout: float) -> bytes:
    """The body, refused past `limit` bytes (by Content-Length and while reading) or after `timeout` seconds."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"the body is {declared} bytes; the limit is {limit}")
    ctype = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if ctype not in ("application/json", ""):
        raise StarletteHTTPException(415, f"send the body as application/json, not {ctype}")
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + timeout
    stream = request.stream().__aiter__()
    while True:
        remaining = deadline - time.monotonic()
        try:
            chunk = await asyncio.wait_for(stream.__anext__(), max(remaining, 0.001))
        except StopAsyncIteration:
            break
        except asyncio.TimeoutError:
            raise BodyTimeout(f"the body did not arrive whole within {timeout:g} seconds") from None
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the body is over {limit} bytes; the limit is {limit}")
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(
    policy: PolicySet, body_timeout: float = BODY_TIMEOUT_SECONDS, max_body: int = MAX_BODY_BYTES
) -> FastAPI:
    """The application for one policy set (loaded and compiled by the caller, once)."""
    app = FastAPI(
        title="osms-eval",
        version=__version__,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        description="Kazakhstan's mandatory social health insurance (ОСМС / МӘМС) law "
        "as data: contributions, insured status, explanations with legal citations.",
    )
    headers = stamp_headers(policy)
    stamp = {"policy": policy.stamp, "engine": {"name": "osms-eval", "version": __version__}}

    def answer(doc: dict[str, Any], status: int = 200, media: str = "application/json") -> Response:
        return Response(dumps(doc), status_code=status, media_type=media, headers=headers)

    def problem_response(request: Request, kind: str, status: int, **kw: Any) -> Response:
        lang = negotiate(
            request.query_params.get("lang") if request.query_params.get("lang") in ("ru", "kk", "en") else None,
            request.headers.get("accept-language"),
        )
        doc = {**problem(kind, status, lang, request.url.path, **kw), **stamp}
        return answer(doc, status, "application/problem+json")

    @app.exception_handler(OsmsError)
    async def _osms(request: Request, exc: OsmsError) -> Response:
        from ..core.errors import OsmsErrors

        errors = exc.errors if isinstance(exc, OsmsErrors) else [exc]
        return problem_response(request, "invalid", 422, errors=errors)

    @app.exception_handler(TooLarge)
    async def _large(request: Request, exc: TooLarge) -> Response:
        return problem_response(request, "too_large", 413, detail=str(exc))

    @app.exception_handler(BodyTimeout)
    async def _slow(request: Request, exc: BodyTimeout) -> Response:
        return problem_response(request, "timeout", 408, detail=str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errs = [
            OsmsError(str(e.get("msg", "invalid")), field=".".join(str(p) for p in e.get("loc", ())))
            for e in exc.errors()
        ]
        return problem_response(request, "invalid", 422, errors=errs)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        kind = {404: "not_found", 405: "method", 415: "media"}.get(exc.status_code, "http")
        return problem_response(request, kind, exc.status_code, detail=str(exc.detail))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s", request.url.path)
        return problem_response(request, "internal", 500)

    @app.middleware("http")
    async def _stamp(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        asked = request.query_params.get("lang")
        with using(negotiate(asked if asked in ("ru", "kk", "en") else None, request.headers.get("accept-language"))):
            response = await call_next(request)  # the request's messages in its language (the task copies it)
        for k, v in headers.items():
            response.headers.setdefault(k, v)
        return response

    # Evaluations at once: they are CPU-bound, so more would only add memory, not speed; the rest wait their turn.
    evaluations = asyncio.Semaphore(max(2, os.cpu_count() or 2))

    async def posted(request: Request, work: Callable[[PolicySet, Any, str], dict[str, Any]], lang: str) -> Response:
        data = await read_body(request, max_body, body_timeout)
        async with evaluations:
            payload = await run_in_threadpool(lambda: _in(lang, lambda: dumps(work(policy, parse_json(data), lang))))
        return Response(payload, media_type="application/json", headers=headers)

    @app.post(
        "/calculate",
        response_model=models.CalculateResponse,
        responses=PROBLEMS,
        openapi_extra=_body_doc(models.CalculateRequest),
        summary="Evaluate scenarios (as `osms-eval run`)",
    )
    async def calculate(request: Request, lang: Lang) -> Response:
        """Amounts, payers, categories and insured status for each scenario and month: the records of
        `osms-eval run --format json`. Give `month`, or `from` and `to`, or `on` (a day: that month's amounts and
        the status on the day). Amounts are JSON numbers or decimal strings, read exactly."""
        return await posted(request, service.calculate, lang)

    @app.post(
        "/explain",
        response_model=models.ExplainResponse,
        responses=PROBLEMS,
        openapi_extra=_body_doc(models.ExplainRequest),
        summary="Explain a month (as `osms-eval explain`)",
    )
    async def explain(request: Request, lang: Lang) -> Response:
        """How each output was reached: rule, formula, parameters with values and citations, categories, status."""
        return await posted(request, service.explain, lang)

    @app.post(
        "/coverage",
        response_model=models.CoverageResponse,
        responses=PROBLEMS,
        openapi_extra=_body_doc(models.CoverageRequest),
        summary="Service coverage (as `osms-eval coverage`)",
    )
    async def coverage(request: Request, lang: Lang) -> Response:
        """Whether each service is covered for the person on a day, under which package, and why."""
        return await posted(request, service.coverage, lang)

    @app.get("/parameters", response_model=models.ParametersResponse, responses=PROBLEMS)
    async def parameters(
        lang: Lang, at: Annotated[str | None, Query(description="A day, YYYY-MM-DD")] = None
    ) -> Response:
        """Every parameter with its dated values and citations (as `osms-eval params --format json`)."""
        return answer(service.parameters(policy, None, at, lang))

    @app.get("/parameters/{name}", response_model=models.ParametersResponse, responses=PROBLEMS)
    async def parameter(
        name: str, lang: Lang, at: Annotated[str | None, Query(description="A day, YYYY-MM-DD")] = None
    ) -> Response:
        """One parameter; with `at`, only the value in force on that day."""
        if name not in policy.parameters:
            try:
                service.parameters(policy, name, None, lang)
            except OsmsError as exc:
                raise StarletteHTTPException(404, exc.message) from None
        return answer(service.parameters(policy, name, at, lang))

    @app.get("/categories", response_model=models.CategoriesResponse)
    async def categories(lang: Lang) -> Response:
        """The preferential categories (paid for by the state or the local budget), with their conditions."""
        return answer(service.categories(policy, lang))

    @app.get("/services", response_model=models.ServicesResponse)
    async def services(lang: Lang) -> Response:
        """The care catalogue: which package each service belongs to, by date."""
        return answer(service.services(policy, lang))

    @app.get("/sources", response_model=models.SourcesResponse)
    async def sources(lang: Lang) -> Response:
        """The bibliography: each source's title, publisher, address, and every file:line that cites it."""
        return answer(service.sources(policy, lang))

    @app.get("/health", response_model=models.Health)
    async def health() -> Response:
        """Liveness: the process answers."""
        return answer({"status": "ok"})

    @app.get("/ready", response_model=models.Ready)
    async def ready() -> Response:
        """Readiness: the policy set is loaded and compiled (it is loaded before the server listens)."""
        return answer({"status": "ready", **stamp})

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page(lang: Lang) -> Response:
        return Response(render(policy, lang), media_type="text/html; charset=utf-8", headers=headers)

    _add_body_schemas(app)
    return app


def _add_body_schemas(app: FastAPI) -> None:
    """Put the request models the routes refer to into the OpenAPI components."""
    from pydantic import BaseModel
    from pydantic.json_schema import models_json_schema

    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = original()
        reqs: list[tuple[type[BaseModel], Literal["validation"]]] = [
            (m, "validation") for m in (models.CalculateRequest, models.ExplainRequest, models.CoverageRequest)
        ]
        _, defs = models_json_schema(reqs, ref_template="#/components/schemas/{model}")
        doc.setdefault("components", {}).setdefault("schemas", {}).update(defs.get("$defs", {}))
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
