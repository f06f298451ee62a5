"""A template's fixed links are built once per script root, when it is compiled for that root
(web/localized_templates.py): an app mounted under a prefix (behind nginx,
SCRIPT_NAME=/pheduyet) and one at the root get their own URLs from the one process, and an
external URL (scheme and host) is built at each rendering."""

from __future__ import annotations

import re

from flask import Flask, render_template_string

MOUNTS = [("http://localhost/", ""), ("http://localhost/pheduyet/", "/pheduyet")]


def test_url_cache__each_script_root_gets_its_own_urls(app: Flask) -> None:
    client = app.test_client()
    for base_url, root in [*MOUNTS, *MOUNTS]:  # again: now from the cache
        page = client.get("/login", base_url=base_url).get_data(as_text=True)
        [css] = re.findall(r'href="([^"]*/css/app\.css)"', page)
        assert css == f"{root}/static/css/app.css", base_url


def test_url_cache__an_external_url_has_its_requests_host(app: Flask) -> None:
    template = "{{ url_for('static', filename='css/app.css', _external=True) }}"
    for host in ["http://a.example/", "https://b.example/pheduyet/", "http://a.example/"]:
        with app.test_request_context("/", base_url=host):
            assert render_template_string(template) == f"{host}static/css/app.css"
