"""The app as `pheduyet serve` runs it: gunicorn creates it once, in its master process
(`--preload`), and forks every web process from there. It is warmed before the fork, so each web
process starts with what its first requests would otherwise pay for: every template compiled
(once for each language), the department's engine configuration built (its calendar of this
year read), and the process versions in use restored into SpiffWorkflow. A fresh process served
its first item's 23 requests (the demo's flow, in-process) with about four times the CPU of the
next item's, 425 against 105 ms; warmed, with about twice. A web process that gunicorn starts
again after a crash is forked warm too. The database's connections are closed before the fork,
so no two processes share one, and a database that cannot be read yet only leaves the versions
to be restored at first use."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_babel import force_locale, get_translations

import engine

from . import create_app, serving_refusals, unit_of_work
from .extensions import LOCALES

# The master's log, where gunicorn says it is listening: under gunicorn it is shown at INFO.
log = logging.getLogger("gunicorn.error")
TEMPLATE_EXTENSIONS = ("html", "txt", "xml")


def create_served_app() -> Flask:
    serving_refusals.install()  # the pages gunicorn itself sends, in every web process
    app = create_app()
    warm(app)
    return app


def warm(app: Flask) -> None:
    """Whatever fails here is logged and left to first use, as it was before: warming never
    keeps the server from starting."""
    began = time.perf_counter()
    names = app.jinja_env.list_templates(extensions=TEMPLATE_EXTENSIONS)
    with app.test_request_context():  # as a request to the site's root, for the links
        languages = _in_each_language(app)
        compiled = sum(
            all(_warmed(f"template {name}", env.get_template, name) for env in languages)
            for name in names
        )
        _warmed("the engine configuration", _calendar)
    restored = engine.restore_versions_in_use(app.extensions["pheduyet.sessions"])
    if restored is None:
        versions = "no process version restored (each web process reads them at first use)"
        log.warning("pheduyet: the process versions in use could not be read from the database")
    else:
        versions = f"{restored} process version(s) restored"
    _freeze_what_lives_on()
    log.info(
        "pheduyet: web processes start warm: %d templates compiled, %s (%.1f s)",
        compiled,
        versions,
        time.perf_counter() - began,
    )


def _freeze_what_lives_on() -> None:
    """Leave what the app holds now (its code, templates, specs, mappings: about 150,000
    objects, as long-lived as the process) out of the cycle collector's full passes, which
    otherwise walk all of it again every few dozen items (85 ms each, 1.4 ms of an item's 69 in
    process; frozen, 0.3). Before the fork, as Python's documentation advises for servers that
    fork: the processes also keep sharing those pages instead of each copying them. What is
    frozen and later dropped is still freed when nothing refers to it; only a cycle among such
    objects stays (a parsed spec a cache lets go, say): at most what the warm-up held."""
    gc.collect()
    gc.freeze()


def _in_each_language(app: Flask) -> list[Any]:
    """The templates' environment of each language's catalogue (web/localized_templates.py),
    as a request in that language to this request's root gets it: each template is compiled
    once for each."""
    found = []
    for locale in LOCALES:
        with force_locale(locale):
            found.append(app.jinja_env.for_request(get_translations()))
    return found


def _calendar() -> None:
    config = unit_of_work.config()
    config.add_working_days(config.clock(), 1)


def _warmed(what: str, step: Callable[..., object], *args: object) -> bool:
    try:
        step(*args)
    except Exception:  # it fails again, with its message, where it is used
        log.warning(
            "pheduyet: %s could not be prepared before the first request", what, exc_info=True
        )
        return False
    return True
