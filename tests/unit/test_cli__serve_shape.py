"""How `pheduyet serve` shapes gunicorn: where no slow client can reach it (behind a proxy, or on
the loopback address), one process a core whose threads each accept and serve one connection at
a time; exposed on a network address, two processes a core keeping their connections alive."""

from __future__ import annotations

import os

import pytest

from cli.serving import default_workers, gunicorn_argv, is_sheltered

CORES = len(os.sched_getaffinity(0))


@pytest.mark.parametrize(
    ("host", "proxies", "sheltered"),
    [
        ("127.0.0.1", 0, True),
        ("127.0.0.2", 0, True),
        ("::1", 0, True),
        ("localhost", 0, True),
        ("10.0.0.11", 1, True),  # behind nginx, which takes each request whole first
        ("10.0.0.11", 0, False),
        ("0.0.0.0", 0, False),
        ("::", 0, False),
        ("pheduyet.skhcn.example.gov.vn", 0, False),
    ],
)
def test_serve__shelter_decides_processes_and_connections(
    host: str, proxies: int, sheltered: bool
) -> None:
    assert is_sheltered(host, proxies) is sheltered
    workers = default_workers(sheltered)
    assert workers == min(CORES if sheltered else 2 * CORES, 8)
    argv = gunicorn_argv(host, 5000, workers, 2, proxies, sheltered=sheltered)
    assert argv[argv.index("--workers") + 1] == str(workers)
    if sheltered:  # each thread accepts its own connections, none kept alive
        assert argv[argv.index("--worker-class") + 1] == "web.serving_worker.ThreadsAccepting"
    else:  # gunicorn's threaded worker, connections kept alive
        assert "--worker-class" not in argv
    # With one thread a process, gunicorn's sync worker is that shape, with the master's timeout.
    one = gunicorn_argv(host, 5000, workers, 1, proxies, sheltered=sheltered)
    assert "--worker-class" not in one
    # A one-thread process is silent while it serves: a large export must not be cut off.
    assert argv[argv.index("--timeout") + 1] == "120"
    assert argv[-2:] == ["--preload", "web.serving:create_served_app()"]
