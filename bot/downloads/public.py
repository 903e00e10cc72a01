"""Download an image from a link a person gave, without letting the link reach anything but the public
internet (no SSRF into the bot's own network or the cloud's metadata service).

- only https:// links, without a user name or password in them;
- an IP-literal host is checked before anything else happens;
- a host name is resolved by `PublicOnlyResolver`, which aiohttp's connector calls right before it
  connects: every address the name resolves to must be public, and the connector connects to exactly
  the addresses the resolver returned, so nothing can change between the check and the connection
  (no DNS-rebinding gap). The DNS cache is off, so each connection is checked afresh;
- redirects are followed by hand (at most `MAX_REDIRECTS`), each new address checked again;
- no cookies, no Authorization header, no proxy or .netrc from the environment;
- the size limit holds both from Content-Length and while the body streams in.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any
from urllib.parse import urljoin

import aiohttp
import yarl
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.downloads.core import DownloadFailed, read_limited

MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "slack-openai-bot (image fetch)"

# Not global, yet not always flagged by the `ipaddress` properties on every Python version.
_SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")


class UnsafeURL(DownloadFailed):
    """A link the bot refuses to open; the message says why."""


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public_address(ip: IPAddress) -> bool:
    """True when `ip` is a public unicast address (and so is any IPv4 address it carries inside)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return False
        # Addresses that stand for an IPv4 address (IPv4-mapped, well-known NAT64 prefix): that decides.
        translated = ip.ipv4_mapped
        if translated is None and ip in _NAT64_WELL_KNOWN:
            translated = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if translated is not None:
            return is_public_address(translated)
        # Tunnels that carry an IPv4 address: it must be public too.
        inner = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if inner is not None and not is_public_address(inner):
            return False
    if (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
    ):
        return False
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED_ADDRESS_SPACE:
        return False
    return ip.is_global


def _parse_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def check_url(url: str) -> yarl.URL:
    """The parsed URL when it may be fetched as far as can be told without DNS; UnsafeURL otherwise."""
    try:
        parsed = yarl.URL(url)
    except (ValueError, TypeError) as exc:
        raise UnsafeURL("that is not a valid link") from exc
    if parsed.scheme.lower() != "https":
        raise UnsafeURL("only https:// links are allowed")
    if not parsed.host:
        raise UnsafeURL("the link has no host name")
    if parsed.user is not None or parsed.password is not None:
        raise UnsafeURL("links with a user name or password in them are not allowed")
    ip = _parse_ip(parsed.host)
    last_label = parsed.host.rstrip(".").rsplit(".", 1)[-1].lower()
    if ip is None and (last_label.isdigit() or last_label.startswith("0x")):
        # 2130706433, 127.1, 0x7f.0.0.1: numeric forms the C library would read as an address.
        raise UnsafeURL(f"the link's host ({parsed.host}) is not a valid address")
    if ip is not None and not is_public_address(ip):
        raise UnsafeURL(f"the link points at a private or reserved address ({ip}), which is not allowed")
    return parsed


class PublicOnlyResolver(AbstractResolver):
    """Resolves with the event loop's getaddrinfo and refuses the host unless EVERY address is public.

    Raises UnsafeURL; give it to `aiohttp.TCPConnector(resolver=..., use_dns_cache=False)`.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        loop = self._loop or asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, family=family)
        results: list[ResolveResult] = []
        for info_family, _type, proto, _canonname, sockaddr in infos:
            if info_family not in (socket.AF_INET, socket.AF_INET6):
                continue
            address = str(sockaddr[0])
            ip = _parse_ip(address.split("%", 1)[0])
            scoped = info_family == socket.AF_INET6 and len(sockaddr) >= 4 and sockaddr[3]
            if ip is None or scoped or not is_public_address(ip):
                raise UnsafeURL(
                    f"{host} resolves to a private or reserved address ({address}), which is not allowed"
                )
            results.append(
                ResolveResult(
                    hostname=host,
                    host=str(ip),
                    port=int(sockaddr[1]),
                    family=info_family,
                    proto=proto,
                    flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
                )
            )
        if not results:
            raise OSError(f"{host} has no IPv4 or IPv6 address")
        return results

    async def close(self) -> None:
        return None


async def fetch_following_redirects(session: Any, url: str, max_bytes: int) -> tuple[bytes, str | None]:
    """GET `url` with `session` (an aiohttp.ClientSession made by `_public_session`, or a stand-in in
    tests), following at most MAX_REDIRECTS redirects by hand and checking every address."""
    current = url
    check_url(current)
    for hop in range(MAX_REDIRECTS + 1):
        async with session.get(
            current,
            allow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "image/*, */*;q=0.5"},
        ) as response:
            if response.status in REDIRECT_STATUSES:
                location = response.headers.get("Location")
                if not location:
                    raise DownloadFailed(
                        f"the server answered HTTP {response.status} without saying where to go"
                    )
                if hop == MAX_REDIRECTS:
                    raise DownloadFailed(f"the link redirects more than {MAX_REDIRECTS} times")
                target = urljoin(current, location)
                try:
                    check_url(target)
                except UnsafeURL as exc:
                    raise UnsafeURL(f"the link redirects to {target}: {exc.message}") from exc
                current = target
                continue
            if response.status != 200:
                raise DownloadFailed(f"the server answered HTTP {response.status}")
            body = await read_limited(response, max_bytes)
            return body, response.headers.get("Content-Type")
    raise AssertionError("unreachable")  # pragma: no cover


def _public_session(total_seconds: float) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(
        resolver=PublicOnlyResolver(),
        use_dns_cache=False,
        force_close=True,
        limit=4,
    )
    return aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,
        timeout=aiohttp.ClientTimeout(total=total_seconds, sock_connect=min(10.0, total_seconds)),
        auto_decompress=True,
    )


async def fetch_public_https(
    url: str, max_bytes: int, *, total_seconds: float = 30.0
) -> tuple[bytes, str | None]:
    """Download `url` (https, public addresses only) and give (content, Content-Type header or None).

    UnsafeURL when the link, or where it redirects, is not allowed; DownloadFailed for anything else that
    goes wrong (HTTP status, size, time, network, TLS).
    """
    check_url(url)  # refuse before any session or connection exists
    try:
        async with asyncio.timeout(total_seconds), _public_session(total_seconds) as session:
            return await fetch_following_redirects(session, url, max_bytes)
    except (UnsafeURL, DownloadFailed):
        raise
    except TimeoutError as exc:
        raise DownloadFailed(f"the download took longer than {total_seconds:g} s") from exc
    except aiohttp.ClientConnectorCertificateError as exc:
        raise DownloadFailed("the site's HTTPS certificate is not valid") from exc
    except aiohttp.ClientConnectorDNSError as exc:
        raise DownloadFailed(f"could not find the host {exc.host}") from exc
    except aiohttp.ClientConnectorError as exc:
        raise DownloadFailed(f"could not connect to {exc.host}") from exc
    except aiohttp.ClientError as exc:
        raise DownloadFailed(f"the download failed ({type(exc).__name__})") from exc
    except OSError as exc:
        raise DownloadFailed(f"the download failed ({exc})") from exc


def _origin(url: yarl.URL) -> tuple[str, str, int | None]:
    return (url.scheme.lower(), (url.host or "").lower(), url.port)


async def fetch_returned_file(
    url: str, endpoint: str, max_bytes: int, *, total_seconds: float = 60.0
) -> bytes:
    """A file an OpenAI-compatible server answered with by URL (an image), never linked, only read.

    On the server's own origin (the endpoint an admin configured, which may well be on a private
    network) it is read as that endpoint is; a URL anywhere else only as a public https link."""
    try:
        parsed, own = yarl.URL(url), yarl.URL(endpoint)
    except (ValueError, TypeError) as exc:
        raise DownloadFailed("the answer pointed at something that is not a web address") from exc
    if not own.host or _origin(parsed) != _origin(own) or parsed.scheme.lower() not in {"http", "https"}:
        content, _ = await fetch_public_https(url, max_bytes, total_seconds=total_seconds)
        return content
    timeout = aiohttp.ClientTimeout(total=total_seconds)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout, trust_env=False) as session,
            session.get(url, allow_redirects=False) as response,
        ):
            if response.status != 200:
                raise DownloadFailed(f"the download answered HTTP {response.status}")
            return await read_limited(response, max_bytes)
    except TimeoutError as exc:
        raise DownloadFailed(f"the download took longer than {total_seconds:g} s") from exc
    except aiohttp.ClientError as exc:
        raise DownloadFailed(f"the download failed ({type(exc).__name__})") from exc
