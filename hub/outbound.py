"""The one way Hubbub calls a URL that a user typed (outgoing webhooks, slash commands, interactive actions).

Every request is synchronous: the web process runs it on gevent's patched sockets, the worker process in
a thread pool. The guard never judges the host string: the host is turned into addresses first (numeric
spellings by inet_aton, names by getaddrinfo), those addresses are checked, and the connection goes to
exactly the checked address, so a second DNS answer cannot swap in an internal one.
"""

from __future__ import annotations

import base64
import functools
import http.client
import io
import ipaddress
import logging
import re
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, unquote, urljoin, urlsplit

from hub.errors import invalid_param

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
ErrorKind = Literal["invalid_url", "blocked", "timeout", "connection", "too_large", "too_many_redirects"]

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Credentials meant for one origin must not follow a redirect to another.
_ORIGIN_BOUND_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_BODY_HEADERS = frozenset({"content-type", "content-length", "transfer-encoding"})
_HOSTNAME_RE = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*")
_INET_ATON_RE = re.compile(r"[0-9a-fx.]+")
_SEND_CHUNK = 64 * 1024
_FAMILIES = (socket.AF_INET, socket.AF_INET6)
# 6to4 and NAT64 carry an IPv4 address that the relay on the way will connect to.
_NAT64_NETWORKS = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


class OutboundError(Exception):
    """A request that could not be made or completed; `detail` is safe to show an admin (never the body)."""

    def __init__(self, kind: ErrorKind, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class OutboundPolicy:
    """What a request may reach and how long and how much it may take.

    `allowed_untrusted` is Mattermost's AllowedUntrustedInternalConnections: host
    names, addresses and CIDR ranges, separated by whitespace or commas as Mattermost accepts them, that
    may be reached although they are internal.
    """

    allowed_untrusted: str = ""
    timeout_s: float = 30.0
    deadline_s: float = 30.0
    max_response_bytes: int = 1 << 20
    max_redirects: int = 3
    extra_own_addresses: tuple[str, ...] = ()
    verify_tls: bool = True

    def __post_init__(self) -> None:
        if self.timeout_s <= 0 or self.deadline_s <= 0:
            raise ValueError("outbound timeouts must be positive")

    @classmethod
    def from_config(cls, config: Any) -> OutboundPolicy:
        """Reads ServiceSettings; Mattermost's timeout bounds the whole exchange, so it is both limits."""
        service = config["ServiceSettings"]
        timeout = float(service["OutgoingIntegrationRequestsTimeout"])
        return cls(
            allowed_untrusted=service["AllowedUntrustedInternalConnections"],
            timeout_s=timeout,
            deadline_s=timeout,
            verify_tls=not service["EnableInsecureOutgoingConnections"],
        )

    @functools.cached_property
    def _allowed(self) -> tuple[frozenset[str], tuple[IPNetwork, ...]]:
        names: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in self.allowed_untrusted.replace(",", " ").split():
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                names.add(entry.lower().rstrip("."))
        return frozenset(names), tuple(networks)

    def allows_name(self, host: str) -> bool:
        return host in self._allowed[0]

    def allows_address(self, address: IPAddress) -> bool:
        return any(address in network for network in self._allowed[1] if network.version == address.version)

    @functools.cached_property
    def own_addresses(self) -> frozenset[IPAddress]:
        extra = {_canonical(ipaddress.ip_address(text)) for text in self.extra_own_addresses}
        return _machine_addresses() | extra


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    headers: dict[str, str]  # names in lower case; repeated headers joined with ", "
    body: bytes
    elapsed_ms: float
    url: str  # the URL that answered, after redirects


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str  # ASCII, lower case, no trailing dot, no brackets
    port: int
    request_target: str
    basic_auth: str | None

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)


def check_url(url: str, field: str = "url") -> None:
    """Syntax and scheme check for saving an integration; reachability is judged at send time."""
    try:
        _parse(url)
    except OutboundError as error:
        raise invalid_param(field, error.detail) from None


def send(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    policy: OutboundPolicy,
    follow_redirects: bool = True,
) -> OutboundResponse:
    started = time.monotonic()
    deadline = _Deadline(policy.timeout_s, policy.deadline_s)
    method = method.upper()
    request_headers = dict(headers or {})
    target = _parse(url)
    for _ in range(policy.max_redirects + 1):
        status, response_headers, response_body = _exchange(
            method, target, body, request_headers, policy, deadline
        )
        location = response_headers.get("location")
        if not follow_redirects or status not in _REDIRECT_STATUSES or not location:
            elapsed_ms = (time.monotonic() - started) * 1000
            return OutboundResponse(status, response_headers, response_body, elapsed_ms, target.url)
        next_target = _parse(urljoin(target.url, location))
        if status in (301, 302, 303) and method != "HEAD":
            method, body = "GET", None
            request_headers = _without(request_headers, _BODY_HEADERS)
        if next_target.origin != target.origin:
            request_headers = _without(request_headers, _ORIGIN_BOUND_HEADERS)
        target = next_target
    raise OutboundError("too_many_redirects", f"more than {policy.max_redirects} redirects")


def _without(headers: dict[str, str], names: frozenset[str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name.lower() not in names}


def _parse(url: str) -> _Target:
    if any(char <= " " or char == "\x7f" for char in url):
        raise OutboundError("invalid_url", "the URL contains spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise OutboundError("invalid_url", f"the URL is malformed ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise OutboundError("invalid_url", "only http and https URLs can be called")
    host = _normalise_host(parts.netloc.rpartition("@")[2], parts.hostname or "")
    request_target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
    if parts.query:
        request_target += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=~?")
    basic_auth = None
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        basic_auth = "Basic " + base64.b64encode(credentials).decode("ascii")
    default_port = 443 if scheme == "https" else 80
    return _Target(url, scheme, host, default_port if port is None else port, request_target, basic_auth)


def _normalise_host(hostport: str, hostname: str) -> str:
    if not hostname:
        raise OutboundError("invalid_url", "the URL has no host")
    if hostport.startswith("["):
        try:
            return str(ipaddress.IPv6Address(hostname))
        except ValueError:
            raise OutboundError("invalid_url", "the URL's IPv6 address is malformed") from None
    # One trailing dot names the same host; IDNA folds look-alike digits and letters to ASCII.
    try:
        host = hostname.removesuffix(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise OutboundError("invalid_url", "the URL's host name is malformed") from None
    if not _HOSTNAME_RE.fullmatch(host):
        raise OutboundError("invalid_url", "the URL's host name is malformed")
    return host


def _literal_address(host: str) -> IPAddress | None:
    """The address a numeric host means, in every spelling inet_aton knows (2130706433, 0177.1, 0x7f.1)."""
    if ":" in host:
        return ipaddress.IPv6Address(host)
    if _INET_ATON_RE.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _resolve(target: _Target, policy: OutboundPolicy) -> list[tuple[int, tuple[Any, ...]]]:
    """The socket addresses to try, each one checked; refuses the host if any address is internal."""
    literal = _literal_address(target.host)
    try:
        infos = socket.getaddrinfo(
            str(literal) if literal else target.host,
            target.port,
            type=socket.SOCK_STREAM,
            flags=socket.AI_NUMERICHOST if literal else 0,
        )
    except (socket.gaierror, UnicodeError):
        raise OutboundError("connection", f"could not resolve the host {target.host}") from None
    candidates: list[tuple[int, tuple[Any, ...]]] = [
        (family, sockaddr) for family, _, _, _, sockaddr in infos if family in _FAMILIES
    ]
    if not candidates:
        raise OutboundError("connection", f"the host {target.host} has no IPv4 or IPv6 address")
    if policy.allows_name(target.host):
        return candidates
    for _, sockaddr in candidates:
        address = _canonical(ipaddress.ip_address(sockaddr[0]))
        if policy.allows_address(address):
            continue
        if _is_internal(address) or address in policy.own_addresses:
            logger.warning("refused an outbound request to %s (%s)", target.host, address)
            raise OutboundError(
                "blocked",
                f"{target.host} resolves to the internal address {address}; list it in "
                "ServiceSettings.AllowedUntrustedInternalConnections to allow it",
            )
    return candidates


def _canonical(address: IPAddress) -> IPAddress:
    """::ffff:a.b.c.d reaches a.b.c.d, so it is judged (and allowed) as a.b.c.d."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address.__class__(str(address).partition("%")[0])


def _is_internal(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if any(_is_internal(embedded) for embedded in _embedded_ipv4(address)):
            return True
    # Python 3.11 counts multicast and some reserved ranges as global, so those are named too.
    return (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
    )


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    embedded = []
    if address.sixtofour:
        embedded.append(address.sixtofour)
    if address.teredo:
        embedded.extend(address.teredo)
    if address in _IPV4_COMPATIBLE or any(address in network for network in _NAT64_NETWORKS):
        embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return embedded


@functools.cache
def _machine_addresses() -> frozenset[IPAddress]:
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None)
    except OSError:
        logger.warning("could not list this machine's own addresses", exc_info=True)
        return frozenset()
    return frozenset(
        _canonical(ipaddress.ip_address(sockaddr[0]))
        for family, _, _, _, sockaddr in infos
        if family in _FAMILIES
    )


class _Deadline:
    """Bounds each socket operation by the per-operation timeout and by what is left of the whole exchange."""

    def __init__(self, per_operation_s: float, total_s: float) -> None:
        self.per_operation_s = per_operation_s
        self.total_s = total_s
        self._ends_at = time.monotonic() + total_s

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self._ends_at

    def next_timeout(self) -> float:
        remaining = self._ends_at - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline passed")
        return min(self.per_operation_s, remaining)


class _DeadlineReader(io.RawIOBase):
    """Re-arms the socket timeout before every receive: a server trickling one byte a second still
    runs into the deadline, which a plain socket timeout (reset by every byte) never would."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(self._deadline.next_timeout())
        return self._sock.recv_into(buffer)


class _DeadlineSocket:
    """The socket as http.client sees it (sendall, makefile, close), held to the deadline."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: bytes) -> None:
        view = memoryview(data)
        for start in range(0, len(view), _SEND_CHUNK):
            self._sock.settimeout(self._deadline.next_timeout())
            self._sock.sendall(view[start : start + _SEND_CHUNK])

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        # http.client closes its socket as soon as the response headers say the connection will close,
        # while the body is still to be read from it; the exchange closes the real socket when it is done.
        pass


class _PinnedConnection(http.client.HTTPConnection):
    """Connects to the already checked addresses while the Host header, SNI and the certificate check
    use the URL's own host name."""

    def __init__(
        self,
        target: _Target,
        addresses: list[tuple[int, tuple[Any, ...]]],
        tls: ssl.SSLContext | None,
        deadline: _Deadline,
    ) -> None:
        super().__init__(target.host, target.port)
        self.default_port = 443 if tls else 80
        self._addresses = addresses
        self._tls = tls
        self._deadline = deadline
        self._socket: socket.socket | None = None

    def connect(self) -> None:
        sock = self._connect_any()
        try:
            if self._tls:
                sock.settimeout(self._deadline.next_timeout())
                sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self._socket = sock
        self.sock = _DeadlineSocket(sock, self._deadline)

    def close_socket(self) -> None:
        self.close()
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def _connect_any(self) -> socket.socket:
        last_error: OSError = OSError("no address")
        for family, sockaddr in self._addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(self._deadline.next_timeout())
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.connect(sockaddr)
                return sock
            except OSError as error:
                sock.close()
                last_error = error
        raise last_error


def _tls_context(policy: OutboundPolicy) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not policy.verify_tls:  # ServiceSettings.EnableInsecureOutgoingConnections
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _exchange(
    method: str,
    target: _Target,
    body: bytes | None,
    headers: dict[str, str],
    policy: OutboundPolicy,
    deadline: _Deadline,
) -> tuple[int, dict[str, str], bytes]:
    addresses = _resolve(target, policy)
    if target.basic_auth and not any(name.lower() == "authorization" for name in headers):
        headers = {**headers, "Authorization": target.basic_auth}
    tls = _tls_context(policy) if target.scheme == "https" else None
    connection = _PinnedConnection(target, addresses, tls, deadline)
    try:
        connection.request(method, target.request_target, body=body, headers=headers)
        response = connection.getresponse()
        response_headers: dict[str, str] = {}
        for name, value in response.getheaders():
            name = name.lower()
            earlier = response_headers.get(name)
            response_headers[name] = f"{earlier}, {value}" if earlier is not None else value
        _refuse_declared_oversize(response_headers, policy.max_response_bytes)
        response_body = response.read(policy.max_response_bytes + 1)
        if len(response_body) > policy.max_response_bytes:
            raise _too_large(policy.max_response_bytes)
        if response.length:  # http.client counts down a Content-Length; what is left never arrived
            raise OutboundError("connection", "the response ended before its declared length")
        return response.status, response_headers, response_body
    except OutboundError:
        raise
    except TimeoutError:
        if deadline.expired:
            raise OutboundError("timeout", f"no complete response within {deadline.total_s:g} s") from None
        raise OutboundError("timeout", f"no answer for {deadline.per_operation_s:g} s") from None
    except ssl.SSLCertVerificationError as error:
        raise OutboundError("connection", f"TLS certificate not accepted: {error.verify_message}") from None
    except http.client.HTTPException as error:
        # The exception's text quotes what the server sent, so only its type is passed on.
        raise OutboundError("connection", f"invalid HTTP response ({type(error).__name__})") from None
    except OSError as error:
        raise OutboundError("connection", error.strerror or type(error).__name__) from None
    finally:
        connection.close_socket()


def _refuse_declared_oversize(headers: dict[str, str], limit: int) -> None:
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)


def _too_large(limit: int) -> OutboundError:
    return OutboundError("too_large", f"the response is larger than {limit} bytes")
