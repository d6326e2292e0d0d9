"""The JSON API under ``/api/v1`` (DESIGN §14): rows as in the CLI's ``--format json``."""

from __future__ import annotations

import re
import secrets
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field

from memberlens.errors import InputError, unknown_choice
from memberlens.web.deps import Admin, Analyst, Caller, Svc, Viewer, address, masked
from memberlens.web.security import SESSION_COOKIE, SESSION_SECONDS, csrf_ok

router = APIRouter(prefix="/api/v1")

GRAINS = ("day", "week", "month", "quarter", "year")
UPLOAD_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".parquet")
_MEMBER_ID = re.compile(r"[^\x00-\x1f\x7f]{1,128}")
NO_STORE = {"Cache-Control": "no-store"}


def check_date(text: str, parameter: str) -> str:
    try:
        return (
            date.fromisoformat(text).isoformat() if len(text) <= 10 else _bad_date(text, parameter)
        )
    except ValueError:
        return _bad_date(text, parameter)


def _bad_date(text: str, parameter: str) -> str:
    raise InputError(
        f"{parameter}={text[:80]!r}: write the date as 2025-03-31.",
        parameter=parameter,
        value=text[:80],
    )


def split_ids(ids: str | None) -> list[str]:
    from memberlens.web.queries import Queries

    if ids is None or not ids.strip():
        from memberlens.metrics.catalog import METRICS

        return [m.id for m in METRICS]
    return Queries.check_ids([part.strip() for part in ids.split(",") if part.strip()])


def boolean(text: str | None, parameter: str) -> bool:
    if text is None:
        return False
    if text.lower() in ("true", "1", "yes"):
        return True
    if text.lower() in ("false", "0", "no", ""):
        return False
    raise unknown_choice("value", text[:40], ["true", "false"], parameter=parameter)


# -- auth ----------------------------------------------------------------------------------
class Login(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1000)


def sign_in(svc: Svc, request: Request, response: Response, username: str, password: str) -> Any:
    """Check a password with throttling; set the session cookie. Shared by the login form."""
    where = address(request)
    keys = (f"user:{username}", f"address:{where}")
    wait = svc.throttle.blocked(*keys)
    if wait is not None:
        svc.audit.record(username, "login_throttled", username, where)
        raise HTTPException(
            429,
            "Too many failed sign-ins; wait a minute and try again.",
            headers={"Retry-After": str(max(1, int(wait) + 1))},
        )
    user = svc.users.verify_password(username, password)
    if user is None:
        svc.throttle.fail(*keys)
        svc.audit.record(username, "login_failed", username, where)
        raise HTTPException(401, "Wrong user name or password.")
    svc.throttle.clear(f"user:{username}")
    cookie, _ = svc.sessions.issue(user.name)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    svc.audit.record(user.name, "login", user.name, where)
    return user


@router.post("/login")
def login(body: Login, request: Request, response: Response, svc: Svc) -> dict[str, str]:
    """Sign in: sets a signed HttpOnly session cookie."""
    user = sign_in(svc, request, response, body.username, body.password)
    return {"username": user.name, "role": str(user.role)}


@router.post("/logout")
def logout(response: Response) -> dict[str, bool]:
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"signed_out": True}


@router.get("/me")
def me(caller: Viewer) -> dict[str, str]:
    return {"username": caller.user.name, "role": str(caller.role)}


# -- catalog and metrics ---------------------------------------------------------------------
@router.get("/catalog")
def catalog(caller: Viewer, svc: Svc) -> dict[str, Any]:
    """The metric catalog (as ``metrics list``) and the dimensions of ``by``."""
    return {"rows": svc.queries.catalog(), "dimensions": svc.queries.dimensions()}


@router.get("/metrics")
def metrics(
    caller: Viewer,
    svc: Svc,
    ids: str | None = None,
    period: str | None = None,
    by: str | None = None,
    compare: str | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """Metric values for a period, split ``by`` a dimension, or with 环比/同比 (``compare``);
    ``lang`` (zh, en) names the metrics of the summary."""
    q = svc.queries
    chosen = split_ids(ids)
    if period is not None:
        period = q.check_period(period)
    if by is not None:
        q.check_dimension(by)
        if period is None:
            raise InputError("by= needs a period=, e.g. period=2025-03.", parameter="period")
    return {"rows": q.metrics(chosen, period, by, boolean(compare, "compare"), lang)}


@router.get("/series")
def series(
    caller: Viewer,
    svc: Svc,
    start: Annotated[str, Query(alias="from")],
    end: Annotated[str, Query(alias="to")],
    ids: str | None = None,
    grain: str = "month",
) -> dict[str, Any]:
    """One value per ``grain`` period from ``from`` to ``to``."""
    chosen = split_ids(ids)
    first, last = check_date(start, "from"), check_date(end, "to")
    if last < first:
        raise InputError(f"to={last} is before from={first}.", parameter="to", value=last)
    if grain not in GRAINS:
        raise unknown_choice("grain", grain[:40], GRAINS, parameter="grain")
    return {"rows": svc.queries.series(chosen, first, last, grain)}


# -- members -----------------------------------------------------------------------------------
@router.get("/rfm")
def rfm(
    request: Request, svc: Svc, as_of: str, summary: str | None = None, lang: str | None = None
) -> JSONResponse:
    """RFM segments as of a date; ``summary=true`` for sizes and revenue share (viewer),
    every member's scores otherwise (analyst); segment names in ``lang`` (zh, en)."""
    from memberlens.web.deps import require
    from memberlens.web.users import Role

    wanted = boolean(summary, "summary")
    caller = require(Role.viewer if wanted else Role.analyst)(request, svc)
    day = check_date(as_of, "as_of")
    found = svc.queries.rfm(day, wanted, lang)
    return JSONResponse({"rows": masked(found, caller)}, headers=NO_STORE)


@router.get("/tiers")
def tiers(
    request: Request, svc: Svc, as_of: str, summary: str | None = None, lang: str | None = None
) -> JSONResponse:
    """Tiers as of a date; ``summary=true`` for members per tier (viewer, tier names in
    ``lang``), every member's tier otherwise (analyst)."""
    from memberlens.web.deps import require
    from memberlens.web.users import Role

    wanted = boolean(summary, "summary")
    caller = require(Role.viewer if wanted else Role.analyst)(request, svc)
    day = check_date(as_of, "as_of")
    found = svc.queries.tiers(day, wanted, lang)
    return JSONResponse({"rows": masked(found, caller)}, headers=NO_STORE)


@router.get("/tiers/migration")
def tier_migration(
    caller: Viewer,
    svc: Svc,
    start: Annotated[str, Query(alias="from")],
    end: Annotated[str, Query(alias="to")],
    lang: str | None = None,
) -> dict[str, Any]:
    """Members by the tier held on ``from`` and on ``to`` (long form; ``(new)``: registered
    in between), from the tier-history replay."""
    first, last = check_date(start, "from"), check_date(end, "to")
    if last < first:
        raise InputError(f"to={last} is before from={first}.", parameter="to", value=last)
    return {"rows": svc.queries.tier_migration(first, last, lang)}


@router.get("/value")
def value(caller: Viewer, svc: Svc, as_of: str, lang: str | None = None) -> dict[str, Any]:
    """The value × loyalty matrix and the value tiers (as ``value --as-of D``)."""
    return svc.queries.value(check_date(as_of, "as_of"), lang)


@router.get("/scores/{kind}")
def scores(kind: str, caller: Viewer, svc: Svc) -> dict[str, Any]:
    """The distribution of the saved CLV (``clv``) or churn risks (``churn``) as a histogram;
    404 until ``clv --save`` or ``churn`` has written them."""
    if kind not in ("clv", "churn"):
        raise unknown_choice("score", kind[:20], ["clv", "churn"], parameter="kind")
    found = svc.queries.scores(kind)
    if found is None:
        command = "clv --calibration-end D --save" if kind == "clv" else "churn"
        raise HTTPException(404, f"No {kind} scores yet: run 'memberlens -w DIR {command}'.")
    return found


@router.get("/lookup")
def lookup(q: Annotated[str, Query(max_length=128)], caller: Viewer, svc: Svc) -> JSONResponse:
    """Members by id or masked phone (``138****8000``): ``{"query", "kind", "rows",
    "total"}`` with rows (member_id, phone, registered_at), at most 20. Phones are masked
    below admin; only an admin may search by a whole phone number."""
    found = svc.queries.lookup(q, caller.admin)
    return JSONResponse(masked(found, caller), headers=NO_STORE)


@router.get("/members")
def members_of(
    caller: Analyst, svc: Svc, by: str, group: str, as_of: str, lang: str | None = None
) -> JSONResponse:
    """The member list of a tier (``by=tier``) or RFM segment (``by=rfm_segment``), masked."""
    day = check_date(as_of, "as_of")
    check_group(svc, by, group, day)
    svc.audit.record(caller.user.name, "member_list", f"{by}={group} {day}", None)
    return JSONResponse(
        {"rows": masked(svc.queries.members_of(by, group, day, lang), caller)}, headers=NO_STORE
    )


def check_group(svc: Svc, by: str, group: str, as_of: str) -> None:
    """``group`` must be a tier of the ladder or a segment of the RFM summary."""
    if by == "tier":
        choices = svc.queries.tier_ids()
    elif by == "rfm_segment":
        choices = [r["segment"] for r in svc.queries.rfm(as_of, True)]
    else:
        raise unknown_choice("member-list dimension", by[:40], ["tier", "rfm_segment"], "", "by")
    if group not in choices:
        raise unknown_choice("group", group[:80], choices, parameter="group")


@router.get("/members/{member_id}")
def member(member_id: str, caller: Viewer, svc: Svc, lang: str | None = None) -> JSONResponse:
    """One member: tier, segment, balance, CLV, P(alive), churn risk; phone masked below admin."""
    if not _MEMBER_ID.fullmatch(member_id):
        raise InputError(
            "member_id: give 1–128 printable characters, e.g. M00000042.",
            parameter="member_id",
            value=member_id[:80],
        )
    try:
        profile = svc.queries.member(member_id, lang)
    except InputError as error:
        if "No member" in str(error):
            raise HTTPException(404, str(error)) from None
        raise
    return JSONResponse(masked(profile, caller), headers=NO_STORE)


# -- points, cohorts, alerts ----------------------------------------------------------------------
@router.get("/points/breakage")
def breakage(caller: Viewer, svc: Svc, as_of: str) -> dict[str, Any]:
    """Forward breakage and the adjusted liability (as ``points breakage --format json``)."""
    return svc.queries.breakage(check_date(as_of, "as_of"))


@router.get("/points/vintages")
def vintages(caller: Viewer, svc: Svc, as_of: str) -> dict[str, Any]:
    return {"rows": svc.queries.vintages(check_date(as_of, "as_of"))}


@router.get("/cohorts")
def cohorts(
    caller: Viewer,
    svc: Svc,
    start: Annotated[str, Query(alias="from")],
    end: Annotated[str, Query(alias="to")],
) -> dict[str, Any]:
    return {"rows": svc.queries.cohorts(check_date(start, "from"), check_date(end, "to"))}


@router.get("/alerts")
def alerts(
    caller: Viewer,
    svc: Svc,
    start: Annotated[str, Query(alias="from")],
    end: Annotated[str, Query(alias="to")],
) -> dict[str, Any]:
    """Anomalies in the daily core metrics (as ``alerts --format json``)."""
    first, last = check_date(start, "from"), check_date(end, "to")
    if last < first:
        raise InputError(f"to={last} is before from={first}.", parameter="to", value=last)
    return {"rows": svc.queries.alerts(first, last)}


# -- experiments, campaigns, voice of the customer ------------------------------------------------
VOC_TABLES = ("tickets", "surveys", "posts")
_EXPERIMENT_ID = re.compile(r"[^\x00-\x1f\x7f]{1,128}")


def window(text: str | None, parameter: str = "window_days") -> int:
    """Days of the exposure window: a whole number from 1 to 365 (default 14)."""
    if text is None:
        return 14
    if not text.isdigit() or not 1 <= int(text) <= 365:
        raise InputError(
            f"{parameter}={text[:40]!r}: give a whole number of days from 1 to 365, e.g. 14.",
            parameter=parameter,
            value=text[:40],
        )
    return int(text)


def level(text: str | None, parameter: str = "alpha") -> float:
    """A significance level strictly between 0 and 0.5 (default 0.05)."""
    if text is None:
        return 0.05
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 0.5:
        raise InputError(
            f"{parameter}={text[:40]!r}: give a level between 0 and 0.5, e.g. 0.05.",
            parameter=parameter,
            value=text[:40],
        )
    return value


def experiment_metrics(text: str | None) -> list[str] | None:
    from memberlens.experiments.outcomes import Outcome

    if text is None or not text.strip():
        return None
    choices = [str(o) for o in Outcome]
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    for metric_id in chosen:
        if metric_id not in choices:
            raise unknown_choice("experiment metric", metric_id[:80], choices, parameter="metric")
    return chosen


@router.get("/experiments")
def experiments(caller: Viewer, svc: Svc) -> dict[str, Any]:
    """The experiment ids with assignments in the warehouse."""
    return {"rows": [{"experiment_id": i} for i in svc.queries.experiment_ids()]}


@router.get("/experiments/{experiment_id}")
def experiment(
    experiment_id: str,
    caller: Viewer,
    svc: Svc,
    metric: str | None = None,
    window_days: str | None = None,
    cuped: str | None = None,
    sequential: str | None = None,
    control: str = "control",
    alpha: str | None = None,
) -> dict[str, Any]:
    """The read-out of one experiment (as ``experiment analyze ID --format json``): arms,
    sample-ratio check, and per (metric, variant) lifts with intervals, p-values, chance to
    win and risk. ``metric`` takes comma-separated outcomes."""
    if not _EXPERIMENT_ID.fullmatch(experiment_id):
        raise InputError(
            "experiment_id: give 1–128 printable characters, e.g. EXP2025PUSH.",
            parameter="experiment_id",
            value=experiment_id[:80],
        )
    chosen = experiment_metrics(metric)
    days, alpha_value = window(window_days), level(alpha)
    flags = boolean(cuped, "cuped"), boolean(sequential, "sequential")
    known = svc.queries.experiment_ids()
    if experiment_id not in known:
        hint = f"Known experiments: {', '.join(known[:20])}." if known else "None are loaded."
        raise HTTPException(404, f"No experiment '{experiment_id[:80]}'. {hint}")
    return svc.queries.experiment(
        experiment_id, chosen, days, flags[0], flags[1], control[:128], alpha_value
    )


@router.get("/campaigns")
def campaigns(
    caller: Viewer,
    svc: Svc,
    ids: str | None = None,
    by: str | None = None,
    window_days: str | None = None,
    alpha: str | None = None,
) -> dict[str, Any]:
    """Campaigns against their holdouts, ranked by incremental revenue per cost (as
    ``campaign analyze [IDS] [--by tier] --format json``)."""
    if by is not None and by != "tier":
        raise unknown_choice("split", by[:40], ["tier"], parameter="by")
    chosen = [part.strip()[:128] for part in (ids or "").split(",") if part.strip()] or None
    days, alpha_value = window(window_days), level(alpha)
    try:
        return {"rows": svc.queries.campaigns(chosen, by, days, alpha_value)}
    except InputError as error:
        if error.parameter != "campaign_ids":
            raise
        raise InputError(str(error), parameter="ids", value=error.value) from None


@router.get("/causal/points")
def causal_points(caller: Viewer, svc: Svc, as_of: str) -> dict[str, Any]:
    """Do points users buy more? (as ``causal points --as-of D --format json``)."""
    return svc.queries.causal_points(check_date(as_of, "as_of"))


@router.get("/voc/topics")
def voc_topics(
    caller: Viewer,
    svc: Svc,
    start: Annotated[str, Query(alias="from")],
    end: Annotated[str, Query(alias="to")],
    table: str = "tickets",
    k: str | None = None,
) -> JSONResponse:
    """Topic clusters of a text table from ``from`` to ``to`` (as ``voc topics --format
    json``) and the emerging topic-weeks; example texts are masked for every role."""
    if table not in VOC_TABLES:
        raise unknown_choice("table", table[:40], VOC_TABLES, parameter="table")
    first, last = check_date(start, "from"), check_date(end, "to")
    if last < first:
        raise InputError(f"to={last} is before from={first}.", parameter="to", value=last)
    topics = 8
    if k is not None:
        if not k.isdigit() or not 1 <= int(k) <= 30:
            raise InputError(
                f"k={k[:40]!r}: give a number of topics from 1 to 30, e.g. 8.",
                parameter="k",
                value=k[:40],
            )
        topics = int(k)
    found = svc.queries.voc_topics(table, first, last, topics)
    return JSONResponse(mask_texts(found), headers=NO_STORE)


def mask_texts(value: Any) -> Any:
    """Every text masked (phones, e-mails, id numbers), whatever the role."""
    from memberlens.pii import mask_text

    if isinstance(value, dict):
        return {k: mask_texts(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_texts(v) for v in value]
    if isinstance(value, str):
        return mask_text(value)
    return value


@router.get("/voc/nps")
def voc_nps(caller: Viewer, svc: Svc, period: str, by: str | None = None) -> dict[str, Any]:
    """NPS of a period with its 95 % interval and n (as ``voc nps --format json``)."""
    chosen = svc.queries.check_period(period)
    if by is not None:
        svc.queries.check_dimension(by)
    return {"rows": svc.queries.voc_nps(chosen, by)}


# -- files ---------------------------------------------------------------------------------------
REPORT_TYPES = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@router.get("/reports/{name}")
def report(name: str, request: Request, caller: Analyst, svc: Svc) -> Response:
    """The report for a period as ``2025-03.html``, ``2025-03.xlsx`` or ``2025-03.pdf``
    (analyst); the PDF is printed by the server's Chromium (503 without one)."""
    match = re.fullmatch(r"(.{1,40})\.(html|xlsx|pdf)", name)
    if match is None:
        raise InputError(
            f"report {name[:80]!r}: ask for PERIOD.html, PERIOD.xlsx or PERIOD.pdf, "
            "e.g. 2025-03.html.",
            parameter="name",
            value=name[:80],
        )
    period = svc.queries.check_period(match[1])
    kind = match[2]
    path = svc.queries.report(period, kind)
    svc.audit.record(caller.user.name, "download", f"report {period}.{kind}", address(request))
    return FileResponse(
        path,
        media_type=REPORT_TYPES[kind],
        filename=f"memberlens-{period}.{kind}".replace("..", "_"),
        headers=NO_STORE,
    )


@router.post("/ingest/{table}")
async def ingest(
    table: str,
    request: Request,
    caller: Admin,
    svc: Svc,
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    """Load an uploaded file into a canonical table (admin); answers like the CLI's summary."""
    from starlette.concurrency import run_in_threadpool

    from memberlens.schema import TABLES

    if caller.via == "session":
        form = await request.form()
        given = request.headers.get("x-csrf-token") or form.get("csrf")
        if not csrf_ok(caller.csrf, given if isinstance(given, str) else None):
            raise HTTPException(403, "Missing or wrong CSRF token; reload the page and retry.")
    if table not in TABLES:
        raise unknown_choice("table", table[:80], TABLES, parameter="table")
    original = Path(file.filename or "upload").name
    suffix = Path(original).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise InputError(
            f"file {original[:80]!r}: upload a {', '.join(UPLOAD_SUFFIXES)} file.",
            parameter="file",
            value=original[:80],
        )
    folder = svc.root / "uploads"
    folder.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as temporary:
        path = Path(temporary) / f"{secrets.token_hex(8)}{suffix}"
        with path.open("wb") as handle:
            while chunk := await file.read(1 << 20):
                handle.write(chunk)
        svc.audit.record(caller.user.name, "upload", f"{table} {original}", address(request))
        result = await run_in_threadpool(svc.queries.ingest, table, path)
    return {
        "table": result.table,
        "source": original,
        "load_id": result.load_id,
        "rows_read": result.rows_read,
        "loaded": result.loaded,
        "replaced": result.replaced,
        "quarantined": result.quarantined,
        "reasons": result.reasons,
        "ignored_columns": result.ignored_columns,
        "notes": result.notes,
        "seconds": round(result.seconds, 3),
    }


__all__ = ["Caller", "router"]
