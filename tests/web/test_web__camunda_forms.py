"""A Camunda model's forms through the pages: the embedded HTML form and the Camunda Form of
tests/fixtures/camunda_forms/purchase render as the task's fields, a submission is checked
against them, and what they set decides the route."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

import engine
from engine import transaction
from tests.conftest import fixture_files
from tests.form_models import camunda_form_step
from tests.web.api_helpers import api_as
from tests.web.conftest import post

REVIEWER, PAYER = "qlkh.cv1", "qlkh.tp"


@pytest.fixture
def purchase(app: Flask, office: Any) -> int:
    """A purchase request started by the reviewer, waiting for review."""
    factory = app.extensions["pheduyet.sessions"]
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("camunda_forms/purchase"), office.clock, "quantri")
        engine.add_group(s, "purchase_reviewers", "Reviewers")
        engine.add_group(s, "purchase_payers", "Payers")
        for who, group in ((REVIEWER, "purchase_reviewers"), (PAYER, "purchase_payers")):
            groups = list(engine.get_identity(s, who).groups)
            engine.set_user_groups(s, who, [*groups, group])
    item: int = office.start("purchase_request", REVIEWER, amount="1200000", purpose="Giấy in")
    return item


def _url(office: Any, who: str, item: int, step: str) -> str:
    return f"/tasks/{office.task(who, item, step).id}"


def _completed(office: Any, item: int) -> list[str]:
    with transaction(office.factory) as s:
        return engine.instance_progress(s, office.config, item).completed


def test_camunda_forms__the_html_form_renders_and_decides(
    purchase: int, office: Any, login: Any
) -> None:
    client = login(REVIEWER)
    url = _url(office, REVIEWER, purchase, "review")
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'<label for="f-supplier">Supplier', page)
    assert 'name="quoted"' in page and 'min="0"' in page
    assert "Administration" in page and "Laboratory" in page
    assert re.search(r'<textarea id="f-remarks" name="remarks"[^>]*maxlength="500"', page)
    assert 'type="checkbox" id="f-approved"' in page and "Approve the purchase" in page
    assert "never run by the server" not in page  # the form's script is not taken along

    refused = post(client, url, url, {"quoted": "900", "approved": "on"})
    assert refused.status_code == 422
    assert 'id="f-supplier-error"' in refused.get_data(as_text=True)

    assert 'name="rush" value="True"> Yes</label>' in page  # a Boolean select, its choices
    sent = {"supplier": "Hồng Hà", "quoted": "1100000", "approved": "on", "rush": "True"}
    done = post(client, url, url, sent)
    assert done.status_code == 302
    assert office.steps(purchase) == ["pay"]
    with transaction(office.factory) as s:
        assert engine.item_data(s, purchase)["rush"] is True


def test_camunda_forms__the_camunda_form_renders_and_decides(
    purchase: int, office: Any, login: Any
) -> None:
    office.do(REVIEWER, purchase, "review", supplier="Hồng Hà", approved=True)
    client = login(PAYER)
    url = _url(office, PAYER, purchase, "pay")
    page = client.get(url).get_data(as_text=True)
    assert "Check the invoice against the approved amount before paying." in page
    assert re.search(r'<label for="f-invoice_no">Invoice number', page)
    assert "Pay now" in page and "Delivery note" in page
    assert re.search(r'name="bank" value="vcb" checked', page)  # the default
    assert 'name="budget_line"' not in page  # read-only, nothing to show yet

    refused = post(client, url, url, {"invoice_no": "hd-12", "payment": "pay"})
    assert refused.status_code == 422
    assert 'id="f-invoice_no-error"' in refused.get_data(as_text=True)

    answer = {
        "invoice_no": "HD-12",
        "paid_amount": "1.100.000",
        "paid_on": "05/01/2026",
        "documents": ["invoice", "delivery"],
        "bank": "bidv",
        "payment": "pay",
    }
    assert post(client, url, url, answer).status_code == 302
    route = _completed(office, purchase)
    assert "paid" in route and "held" not in route
    with transaction(office.factory) as s:
        data = engine.show_instance(s, purchase).data
    assert (data["paid_amount"], data["paid_on"], data["bank"]) == (1100000, "2026-01-05", "bidv")


def test_camunda_forms__a_rejection_through_the_page_ends_there(
    purchase: int, office: Any, login: Any
) -> None:
    client = login(REVIEWER)
    url = _url(office, REVIEWER, purchase, "review")
    assert post(client, url, url, {"supplier": "Hồng Hà"}).status_code == 302
    route = _completed(office, purchase)
    assert "rejected" in route and "pay" not in route


@pytest.fixture
def offered(purchase: int) -> None:
    """The purchase request, deployed besides the catalog: "Tạo mới" and the API offer it to
    everyone, as its model names no starters."""


def test_camunda_forms__the_start_page_asks_the_start_form(
    offered: None, office: Any, login: Any
) -> None:
    client = login(REVIEWER)
    page = client.get("/items/new").get_data(as_text=True)
    assert re.search(r'<label for="f-purchase_request-amount">Amount<span class="req"', page)
    assert "Office supplies" in page and 'name="needed_by"' in page
    assert 'name="channel"' not in page  # read-only: kept as the model says

    start = "/items/new/purchase_request"
    refused = post(client, "/items/new", start, {"amount": "0", "purpose": "Giấy in"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="f-purchase_request-amount-error"' in html and 'value="Giấy in"' in html

    answer = {"amount": "2500000", "purpose": "Giấy in", "category": "travel", "urgent": "on"}
    assert post(client, "/items/new", start, answer).status_code == 303
    with transaction(office.factory) as s:
        mine = engine.my_items(s, engine.get_identity(s, REVIEWER)).rows
        newest = max(i.id for i in mine if i.process_id == "purchase_request")
        data = engine.show_instance(s, newest).data
    assert (data["amount"], data["category"], data["urgent"], data["channel"]) == (
        2500000,
        "travel",
        True,
        "web",
    )


def test_camunda_forms__the_api_starts_with_the_start_forms_fields(
    offered: None, app: Flask
) -> None:
    api = api_as(app, REVIEWER)
    status, listed = api.get("/processes")
    (mine,) = [p for p in listed["processes"] if p["key"] == "purchase_request"]
    assert mine["start_fields"] == ["amount", "category", "needed_by", "purpose", "urgent"]
    start = "/processes/purchase_request/items"
    status, body = api.post(start, {"data": {"amount": 0, "purpose": "Giấy in"}})
    assert (status, body["error"]["fields"]["amount"]["code"]) == (422, "min")
    status, body = api.post(start, {"data": {"purpose": "Giấy in", "channel": "x"}})
    assert (status, body["error"]["fields"]["channel"]["code"]) == (422, "unknown")
    status, item = api.post(start, {"data": {"amount": 7, "purpose": "Giấy in"}})
    assert status == 201 and item["process"] == "purchase_request"


def test_camunda_forms__a_field_named_with_dots_and_dashes_is_filled_on_the_page(
    app: Flask, office: Any, login: Any
) -> None:
    model = camunda_form_step(
        "kyc",
        '<camunda:formField id="applicant.address" label="Địa chỉ" type="string" />'
        '<camunda:formField id="document-number" label="Số giấy tờ" type="string" />',
        assignee=REVIEWER,
    )
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        engine.deploy(s, [model], office.clock, "quantri")
    item = int(office.start("kyc", REVIEWER))
    client = login(REVIEWER)
    url = _url(office, REVIEWER, item, "check")
    page = client.get(url).get_data(as_text=True)
    assert 'name="applicant.address"' in page and 'name="document-number"' in page
    sent = {"applicant.address": "12 Lê Lợi", "document-number": "0123-456"}
    assert post(client, url, url, sent).status_code == 302
    with transaction(office.factory) as s:
        data = engine.item_data(s, item)
    assert (data["applicant.address"], data["document-number"]) == ("12 Lê Lợi", "0123-456")
