"""A crowd of failed logins does not freeze the office: 100 parallel logins under names that do
not exist, against a real threaded WSGI server on loopback, while a logged-in person loads pages.
No request gets a 500, the person's pages keep a p95 well under a second (the benchmark,
bench/login_flood.py, records the figure)."""

from __future__ import annotations

from pathlib import Path

from bench.login_flood import measure, prepare_database, serving

CROWD = 100
# The target is a p95 under 1 s (measured: tens of milliseconds, see the README); the bound is
# generous because this machine's cores are shared with whatever else runs.
P95_BOUND_S = 2.0


def test_login_flood__pages_keep_loading_and_nothing_fails(db_url: str, tmp_path: Path) -> None:
    prepare_database(db_url)
    # Every one of the crowd's passwords is hashed: the address limit is out of the way, as
    # for a crowd coming from many addresses.
    with serving(db_url, str(tmp_path / "attachments"), LOGIN_ADDRESS_ATTEMPTS=10**6) as port:
        result = measure(port, CROWD, baseline_pages=15)
    print(  # the real figure, for `pytest -s`
        f"\nlogin flood ({db_url.split(':', 1)[0]}): p95 alone {result.alone_p95 * 1000:.0f} ms,"
        f" under flood {result.flood_p95 * 1000:.0f} ms over {result.pages_under_flood} pages"
    )
    assert sum(result.login_statuses.values()) == CROWD
    assert set(result.login_statuses) <= {401, 503}, result.login_statuses  # refused or busy
    assert result.login_statuses.get(401, 0) >= CROWD * 0.9, result.login_statuses
    assert result.page_statuses == {200: sum(result.page_statuses.values())}
    assert result.pages_under_flood >= 10
    assert result.flood_p95 < P95_BOUND_S, result
