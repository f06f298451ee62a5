"""Tìm kiếm: the box in every page's header and its results, only among the items the person
may see. The engine answers from its index; this page only shows the rows."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

import engine
from workflows.roles import AUDITOR_GROUPS

from .items import STATUS_LABELS
from .unit_of_work import me, uow
from .wording import process_title

bp = Blueprint("search", __name__)

PAGE_SIZE = 20
MAX_PAGE = 500  # no one reads that far; the bound keeps the offset cheap
MAX_QUERY = 200


@bp.get("/tim-kiem")
@login_required  # type: ignore[misc]
def results() -> str:
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    page = min(max(request.args.get("trang", 1, type=int) or 1, 1), MAX_PAGE)
    hits: list[engine.SearchHit] = []
    if query:
        with uow() as s:
            # One more than a page tells whether there is a next one.
            hits = engine.search_items(
                s,
                me(),
                query,
                auditor_groups=AUDITOR_GROUPS,
                limit=PAGE_SIZE + 1,
                offset=(page - 1) * PAGE_SIZE,
            )
    rows = [
        {
            "hit": hit,
            "process": process_title(hit.process_id),
            "status": STATUS_LABELS.get(hit.status, hit.status),
        }
        for hit in hits[:PAGE_SIZE]
    ]
    return render_template(
        "search/results.html",
        query=query,
        rows=rows,
        page=page,
        more=len(hits) > PAGE_SIZE,
    )
