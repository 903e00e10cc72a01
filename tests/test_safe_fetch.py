"""bot.downloads.public: only public https addresses are ever connected to. No test here opens a connection:
the network edge (getaddrinfo, the socket connect) is replaced wherever a test gets that far."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohappyeyeballs
import aiohttp
import pytest

from bot.downloads import public as safe_fetch
from bot.downloads.public import (
    DownloadFailed,
    PublicOnlyResolver,
    UnsafeURL,
    check_url,
    fetch_following_redirects,
    fetch_public_https,
    is_public_address,
    read_limited,
)

MB = 1024 * 1024


class NetworkEdge:
    """Records every attempt to resolve or connect; connecting always fails, so nothing leaves."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]] | None) -> None:
        self.resolved: list[str] = []
        self.connects: list[Any] = []
        loop = asyncio.get_running_loop()
        real_getaddrinfo = loop.getaddrinfo

        async def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            self.resolved.append(host)
            if answers is None:  # the real thing: only used for "localhost", answered from /etc/hosts
                return await real_getaddrinfo(host, port, *args, **kwargs)
            infos = []
            for address in answers[host]:
                ip = ipaddress.ip_address(address)
                if ip.version == 4:
                    infos.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
                else:
                    infos.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
            return infos

        async def refuse_connect(*args: Any, **kwargs: Any) -> Any:
            self.connects.append((args, kwargs))
            raise OSError("connections are not allowed in tests")

        async def start_connection(addr_infos: Any, **kwargs: Any) -> Any:
            self.connects.append(list(addr_infos))
            raise OSError("connections are not allowed in tests")

        monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(loop, "sock_connect", refuse_connect)
        monkeypatch.setattr(loop, "create_connection", refuse_connect)
        monkeypatch.setattr(aiohappyeyeballs, "start_connection", start_connection)


@pytest.fixture
def edge(monkeypatch: pytest.MonkeyPatch):
    def make(answers: dict[str, list[str]] | None = None) -> NetworkEdge:
        return NetworkEdge(monkeypatch, answers)

    return make


# --- the link itself ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/cat.png",
        "ftp://example.com/cat.png",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "example.com/cat.png",
    ],
)
async def test_only_https_links(url: str, edge) -> None:
    network = edge()
    with pytest.raises(UnsafeURL, match=r"only https:// links are allowed"):
        await fetch_public_https(url, MB)
    assert network.resolved == [] and network.connects == []


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/x",
        "https://10.0.0.1/",
        "https://[::1]/",
        "https://169.254.169.254/",
        "https://100.64.0.1/",
        "https://192.168.1.1/",
        "https://0.0.0.0/",
        "https://[::ffff:127.0.0.1]/",
        "https://[fe80::1]/",
        "https://[fd00::1]/",
        "https://224.0.0.1/",
        "https://2130706433/",
        "https://127.1/",
        "https://0x7f.0.0.1/",
    ],
)
async def test_private_ip_literals_refused_without_any_connection_attempt(url: str, edge) -> None:
    network = edge()
    with pytest.raises(UnsafeURL) as caught:
        await fetch_public_https(url, MB)
    assert "not allowed" in str(caught.value) or "not a valid address" in str(caught.value)
    assert network.resolved == [] and network.connects == []


async def test_credentials_in_the_link_are_refused(edge) -> None:
    network = edge()
    with pytest.raises(UnsafeURL, match="user name or password"):
        await fetch_public_https("https://user:secret@example.com/a.png", MB)
    assert network.resolved == [] and network.connects == []


async def test_a_name_resolving_to_loopback_is_refused(edge) -> None:
    network = edge()  # real getaddrinfo: localhost comes from /etc/hosts
    with pytest.raises(UnsafeURL, match=r"localhost resolves to a private or reserved address"):
        await fetch_public_https("https://localhost/x.png", MB)
    assert network.resolved == ["localhost"]
    assert network.connects == []


async def test_one_private_address_among_public_ones_is_enough_to_refuse(edge) -> None:
    network = edge({"images.example.com": ["93.184.215.14", "10.1.2.3"]})
    with pytest.raises(UnsafeURL, match=r"10\.1\.2\.3"):
        await fetch_public_https("https://images.example.com/cat.png", MB)
    assert network.connects == []


async def test_the_connection_goes_to_the_vetted_addresses_only(edge) -> None:
    network = edge({"images.example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]})
    with pytest.raises(DownloadFailed, match="could not connect"):
        await fetch_public_https("https://images.example.com/cat.png", MB)
    assert network.resolved == ["images.example.com"]
    # aiohttp tried exactly the addresses the resolver vetted (and, thanks to the stand-in, no socket).
    tried = {info[4][0] for attempt in network.connects for info in attempt}
    assert tried == {"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"}


# --- the resolver on its own -------------------------------------------------------------------------


async def test_resolver_refuses_when_any_address_is_private(edge) -> None:
    edge(
        {
            "mixed.example": ["8.8.8.8", "2001:4860:4860::8888", "::ffff:192.168.0.1"],
            "metadata.example": ["169.254.169.254"],
            "shared.example": ["100.64.10.10"],
        }
    )
    resolver = PublicOnlyResolver()
    for host in ("mixed.example", "metadata.example", "shared.example"):
        with pytest.raises(UnsafeURL, match=f"{host} resolves to a private or reserved address"):
            await resolver.resolve(host, 443, family=socket.AF_UNSPEC)
    await resolver.close()


async def test_resolver_returns_the_public_addresses_as_numeric_results(edge) -> None:
    network = edge({"ok.example": ["8.8.8.8", "2001:4860:4860::8888"]})
    results = await PublicOnlyResolver().resolve("ok.example", 443, family=socket.AF_UNSPEC)
    assert network.resolved == ["ok.example"]
    assert [(r["hostname"], r["host"], r["port"], r["family"]) for r in results] == [
        ("ok.example", "8.8.8.8", 443, socket.AF_INET),
        ("ok.example", "2001:4860:4860::8888", 443, socket.AF_INET6),
    ]
    assert all(r["flags"] & socket.AI_NUMERICHOST for r in results)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("::ffff:8.8.8.8", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("100.127.255.254", False),
        ("0.0.0.0", False),
        ("224.0.0.251", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("::ffff:100.64.0.1", False),
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


def test_check_url_accepts_an_ordinary_https_link() -> None:
    assert str(check_url("https://example.com/a/cat.png?x=1")) == "https://example.com/a/cat.png?x=1"


async def test_the_session_sends_no_cookies_and_ignores_the_environment() -> None:
    session = safe_fetch._public_session(5.0)
    try:
        assert isinstance(session.cookie_jar, aiohttp.DummyCookieJar)
        assert session.trust_env is False
        assert "Authorization" not in session.headers
        assert isinstance(session.connector, aiohttp.TCPConnector)
        assert isinstance(session.connector._resolver, PublicOnlyResolver)
        assert session.connector.use_dns_cache is False
    finally:
        await session.close()


# --- reading the body within the limit ---------------------------------------------------------------


class FakeContent:
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.read_chunks = 0

    async def iter_chunked(self, size: int) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.read_chunks += 1
            yield chunk


class FakeResponse:
    def __init__(
        self,
        status: int = 200,
        chunks: list[bytes] | None = None,
        headers: dict[str, str] | None = None,
        content_length: int | None = None,
    ) -> None:
        self.status = status
        self.content = FakeContent(chunks or [])
        self.headers = headers or {}
        self.content_length = content_length


async def test_read_limited_refuses_from_content_length_before_reading() -> None:
    response = FakeResponse(chunks=[b"x" * 10], content_length=25 * MB)
    with pytest.raises(DownloadFailed, match=r"larger than 20 MB"):
        await read_limited(response, 20 * MB)
    assert response.content.read_chunks == 0


async def test_read_limited_stops_while_streaming_when_the_size_is_unknown() -> None:
    response = FakeResponse(chunks=[b"x" * MB, b"x" * MB, b"x" * MB, b"never read"])
    with pytest.raises(DownloadFailed, match=r"larger than 2 MB"):
        await read_limited(response, 2 * MB)
    assert response.content.read_chunks == 3


async def test_read_limited_does_not_trust_a_lying_content_length() -> None:
    response = FakeResponse(chunks=[b"x" * MB, b"x" * MB], content_length=10)
    with pytest.raises(DownloadFailed, match=r"larger than 1 MB"):
        await read_limited(response, MB)


async def test_read_limited_returns_the_body_within_the_limit() -> None:
    response = FakeResponse(chunks=[b"ab", b"cd"], content_length=4)
    assert await read_limited(response, 4) == b"abcd"


# --- redirects, followed by hand ---------------------------------------------------------------------


class FakeSession:
    """Answers GETs from a table; records what was asked and how."""

    def __init__(self, answers: dict[str, FakeResponse]) -> None:
        self.answers = answers
        self.requests: list[tuple[str, dict[str, Any]]] = []

    @asynccontextmanager
    async def get(self, url: str, **kwargs: Any) -> AsyncIterator[FakeResponse]:
        self.requests.append((url, kwargs))
        yield self.answers[url]


def redirect(location: str, status: int = 302) -> FakeResponse:
    return FakeResponse(status=status, headers={"Location": location})


async def test_redirects_are_followed_by_hand_and_relative_locations_resolved() -> None:
    session = FakeSession(
        {
            "https://a.example/start": redirect("https://b.example/next", 301),
            "https://b.example/next": redirect("/img/cat.png", 307),
            "https://b.example/img/cat.png": redirect("cat2.png", 308),
            "https://b.example/img/cat2.png": FakeResponse(
                chunks=[b"PNG!"], headers={"Content-Type": "image/png"}
            ),
        }
    )
    body, content_type = await fetch_following_redirects(session, "https://a.example/start", MB)
    assert (body, content_type) == (b"PNG!", "image/png")
    assert [url for url, _ in session.requests] == [
        "https://a.example/start",
        "https://b.example/next",
        "https://b.example/img/cat.png",
        "https://b.example/img/cat2.png",
    ]
    for _, kwargs in session.requests:
        assert kwargs["allow_redirects"] is False
        assert "Authorization" not in kwargs.get("headers", {})
        assert "auth" not in kwargs and "cookies" not in kwargs


async def test_more_than_three_redirects_fail() -> None:
    session = FakeSession({f"https://a.example/{i}": redirect(f"/{i + 1}") for i in range(5)})
    with pytest.raises(DownloadFailed, match="redirects more than 3 times"):
        await fetch_following_redirects(session, "https://a.example/0", MB)
    assert len(session.requests) == 4


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://a.example/cat.png", "only https:// links are allowed"),
        ("https://169.254.169.254/latest/meta-data/", "private or reserved address"),
        ("https://[::1]:8080/", "private or reserved address"),
        ("https://admin:pw@a.example/", "user name or password"),
    ],
)
async def test_each_redirect_target_is_checked_again(location: str, reason: str) -> None:
    session = FakeSession({"https://a.example/start": redirect(location)})
    with pytest.raises(UnsafeURL, match=reason) as caught:
        await fetch_following_redirects(session, "https://a.example/start", MB)
    assert "redirects to" in str(caught.value)
    assert len(session.requests) == 1


@pytest.mark.parametrize("status", [404, 403, 500, 204])
async def test_a_status_other_than_200_fails_with_the_status(status: int) -> None:
    session = FakeSession({"https://a.example/x": FakeResponse(status=status)})
    with pytest.raises(DownloadFailed, match=f"HTTP {status}"):
        await fetch_following_redirects(session, "https://a.example/x", MB)


async def test_a_redirect_without_location_fails() -> None:
    session = FakeSession({"https://a.example/x": FakeResponse(status=302)})
    with pytest.raises(DownloadFailed, match="HTTP 302"):
        await fetch_following_redirects(session, "https://a.example/x", MB)


async def test_the_size_limit_applies_after_redirects() -> None:
    session = FakeSession(
        {
            "https://a.example/x": redirect("/big"),
            "https://a.example/big": FakeResponse(chunks=[b"x" * 100], content_length=30 * MB),
        }
    )
    with pytest.raises(DownloadFailed, match="larger than 20 MB"):
        await fetch_following_redirects(session, "https://a.example/x", 20 * MB)
