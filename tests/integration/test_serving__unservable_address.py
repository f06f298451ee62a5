"""`pheduyet serve` on an address it cannot serve stops at once with what to do, starting
nothing: a port another program holds (an earlier `make run`), an address of another machine, a
name that resolves to nothing, a port out of range."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from cli.main import main


@pytest.fixture
def held_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


@pytest.mark.parametrize("dev", [False, True])
def test_serve__a_port_in_use_is_refused_with_another_to_try(held_port: int, dev: bool) -> None:
    args = ["serve", "--port", str(held_port), *(["--dev"] if dev else [])]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert f"127.0.0.1:{held_port} is already in use" in result.output
    assert f"make run PORT={held_port + 1}" in result.output
    assert "serving http" not in result.output  # nothing was started


@pytest.mark.parametrize(
    ("host", "port", "said"),
    [
        ("192.0.2.7", 5000, "is not an address of this machine"),  # TEST-NET-1, never local
        ("no-such-host.invalid", 5000, "no such address"),
        ("127.0.0.1", 70000, "not in the range 1<=x<=65535"),
        ("127.0.0.1", 0, "not in the range 1<=x<=65535"),
    ],
)
def test_serve__an_address_it_cannot_serve_is_refused(host: str, port: int, said: str) -> None:
    result = CliRunner().invoke(main, ["serve", "--host", host, "--port", str(port)])
    assert result.exit_code in (1, 2)
    assert said in result.output
    assert "serving http" not in result.output
