"""hub.outbound against real receivers on 127.0.0.1; no database needed."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from hub.config import Config
from hub.errors import AppError
from hub.outbound import OutboundError, OutboundPolicy, check_url, send

TWO_MIB = 2 << 20
LOCAL = OutboundPolicy(allowed_untrusted="127.0.0.1", timeout_s=2, deadline_s=2)
NOTHING_ALLOWED = OutboundPolicy(timeout_s=2, deadline_s=2)


class _Handler(BaseHTTPRequestHandler):
    server: _Receiver

    def log_message(self, *args) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.requests.append((self.command, self.path, dict(self.headers.items()), body))
        parts = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        route = getattr(self, "route_" + parts.path.strip("/").replace("-", "_"), None)
        if route is None:
            self._answer(404, b"no such route")
        else:
            route(query, body)

    do_GET = do_POST = do_PUT = do_HEAD = _handle

    def _answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def route_echo(self, query: dict, body: bytes) -> None:
        echoed = {"method": self.command, "headers": dict(self.headers.items()), "body": body.decode()}
        self._answer(200, json.dumps(echoed).encode(), {"Content-Type": "application/json", "X-Reply": "yes"})

    def route_redirect(self, query: dict, body: bytes) -> None:
        self._answer(int(query.get("status", "302")), b"", {"Location": query["to"]})

    def route_loop(self, query: dict, body: bytes) -> None:
        self._answer(302, b"", {"Location": "/loop"})

    def route_big(self, query: dict, body: bytes) -> None:
        self._answer(200, b"x" * TWO_MIB)

    def route_big_unannounced(self, query: dict, body: bytes) -> None:
        # HTTP/1.0 without Content-Length: the body runs until the connection closes.
        self.send_response(200)
        self.end_headers()
        try:
            for _ in range(32):
                self.wfile.write(b"x" * (64 * 1024))
        except OSError:  # the client hung up once it had enough
            pass

    def route_short(self, query: dict, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        self.wfile.write(b"only ten b")


class _Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__((host, 0), _Handler)
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.connections = 0

    def get_request(self):
        accepted = super().get_request()
        self.connections += 1
        return accepted

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str = "/echo", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


def _serve(server):
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def receiver():
    server = _Receiver()
    _serve(server)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def other_receiver():
    server = _Receiver()
    _serve(server)
    yield server
    server.shutdown()
    server.server_close()


class _RawReceiver:
    """A TCP listener running `behave(connection, stopped)` on every connection: a misbehaving server."""

    def __init__(self, behave) -> None:
        self.stopped = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._behave = behave
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._run, args=(connection,), daemon=True).start()

    def _run(self, connection: socket.socket) -> None:
        with connection:
            try:
                connection.recv(65536)
                self._behave(connection, self.stopped)
            except OSError:
                pass

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()


@pytest.fixture
def raw_receiver():
    started: list[_RawReceiver] = []

    def start(behave) -> str:
        server = _RawReceiver(behave)
        started.append(server)
        return f"http://127.0.0.1:{server.port}/"

    yield start
    for server in started:
        server.close()


def _expect(kind: str, *args, **kwargs) -> OutboundError:
    with pytest.raises(OutboundError) as raised:
        send(*args, **kwargs)
    assert raised.value.kind == kind, raised.value.detail
    return raised.value


# Round trips


def test_get_round_trip_keeps_headers_and_host(receiver):
    response = send("GET", receiver.url(), headers={"X-Trace": "abc"}, policy=LOCAL)
    echoed = json.loads(response.body)
    assert response.status == 200
    assert echoed["method"] == "GET"
    assert echoed["headers"]["X-Trace"] == "abc"
    assert echoed["headers"]["Host"] == f"127.0.0.1:{receiver.port}"
    assert response.headers["x-reply"] == "yes"
    assert response.headers["content-type"] == "application/json"
    assert response.url == receiver.url()


def test_post_sends_body_and_headers(receiver):
    payload = json.dumps({"text": "hello", "token": "t0k"}).encode()
    response = send(
        "post", receiver.url(), body=payload, headers={"Content-Type": "application/json"}, policy=LOCAL
    )
    echoed = json.loads(response.body)
    assert echoed["method"] == "POST"
    assert echoed["body"] == payload.decode()
    assert echoed["headers"]["Content-Type"] == "application/json"
    assert echoed["headers"]["Content-Length"] == str(len(payload))


def test_a_name_on_the_allow_list_keeps_its_host_header(receiver):
    policy = OutboundPolicy(allowed_untrusted="ci.example localhost", timeout_s=2, deadline_s=2)
    response = send("GET", receiver.url(host="LocalHost."), policy=policy)
    assert json.loads(response.body)["headers"]["Host"] == f"localhost:{receiver.port}"


def test_comma_separated_names_are_allowed_as_mattermost_reads_them(receiver):
    policy = OutboundPolicy(allowed_untrusted="ci.example,localhost", timeout_s=2, deadline_s=2)
    assert send("GET", receiver.url(host="localhost"), policy=policy).status == 200


def test_userinfo_becomes_basic_auth(receiver):
    response = send("GET", receiver.url(host="bot:s%40cret@127.0.0.1"), policy=LOCAL)
    assert json.loads(response.body)["headers"]["Authorization"] == "Basic Ym90OnNAY3JldA=="


def test_an_odd_spelling_of_an_allowed_address_reaches_that_address(receiver):
    response = send("GET", receiver.url(host="2130706433"), policy=LOCAL)
    assert response.status == 200
    assert json.loads(response.body)["headers"]["Host"] == f"2130706433:{receiver.port}"


@pytest.mark.parametrize(
    "allowed",
    [
        "127.0.0.0/8",
        "10.0.0.0/8  127.0.0.0/30",
        "[::1] 127.0.0.1/32",
        "10.0.0.0/8,127.0.0.0/30",
        "a, 127.0.0.1",
    ],
)
def test_cidr_allow_list(receiver, allowed):
    policy = OutboundPolicy(allowed_untrusted=allowed, timeout_s=2, deadline_s=2)
    assert send("GET", receiver.url(), policy=policy).status == 200


def test_head_has_no_body(receiver):
    response = send("HEAD", receiver.url(), policy=LOCAL)
    assert response.status == 200
    assert response.body == b""


# Redirects


def test_redirect_is_followed(receiver, other_receiver):
    final = other_receiver.url()
    response = send("GET", receiver.url(f"/redirect?to={final}"), policy=LOCAL)
    assert response.status == 200
    assert response.url == final
    assert len(other_receiver.requests) == 1


def test_relative_redirect_is_followed(receiver):
    response = send("GET", receiver.url("/redirect?to=/echo"), policy=LOCAL)
    assert response.url == receiver.url("/echo")
    assert json.loads(response.body)["method"] == "GET"


@pytest.mark.parametrize(
    "location",
    ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.2:{port}/echo", "http://[::1]:{port}/"],
)
def test_redirect_target_is_checked_again(receiver, location):
    target = location.format(port=receiver.port)
    _expect("blocked", "GET", receiver.url(f"/redirect?to={target}"), policy=LOCAL)
    assert receiver.connections == 1


def test_redirect_to_another_scheme_is_refused(receiver):
    _expect("invalid_url", "GET", receiver.url("/redirect?to=file:///etc/passwd"), policy=LOCAL)


def test_redirect_limit(receiver):
    policy = OutboundPolicy(allowed_untrusted="127.0.0.1", timeout_s=2, deadline_s=2, max_redirects=3)
    _expect("too_many_redirects", "GET", receiver.url("/loop"), policy=policy)
    assert len(receiver.requests) == 4


def test_redirects_can_be_left_alone(receiver):
    response = send("GET", receiver.url("/redirect?to=/echo"), policy=LOCAL, follow_redirects=False)
    assert response.status == 302
    assert response.headers["location"] == "/echo"
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("status", [307, 308])
def test_307_and_308_keep_method_and_body(receiver, status):
    response = send(
        "POST",
        receiver.url(f"/redirect?status={status}&to=/echo"),
        body=b"payload",
        headers={"Content-Type": "text/plain"},
        policy=LOCAL,
    )
    echoed = json.loads(response.body)
    assert (echoed["method"], echoed["body"]) == ("POST", "payload")
    assert echoed["headers"]["Content-Type"] == "text/plain"


@pytest.mark.parametrize("status", [301, 302, 303])
def test_301_302_303_become_get_without_body(receiver, status):
    response = send(
        "POST",
        receiver.url(f"/redirect?status={status}&to=/echo"),
        body=b"payload",
        headers={"Content-Type": "text/plain"},
        policy=LOCAL,
    )
    echoed = json.loads(response.body)
    assert (echoed["method"], echoed["body"]) == ("GET", "")
    assert "Content-Type" not in echoed["headers"]


def test_credentials_stay_with_their_origin(receiver, other_receiver):
    elsewhere = other_receiver.url()
    response = send(
        "GET",
        receiver.url(f"/redirect?to={elsewhere}"),
        headers={"Authorization": "Token secret", "X-Other": "kept"},
        policy=LOCAL,
    )
    headers = json.loads(response.body)["headers"]
    assert "Authorization" not in headers
    assert headers["X-Other"] == "kept"
    same_origin = send(
        "GET", receiver.url("/redirect?to=/echo"), headers={"Authorization": "Token s"}, policy=LOCAL
    )
    assert json.loads(same_origin.body)["headers"]["Authorization"] == "Token s"


# The guard


BLOCKED_SPELLINGS = [
    "http://127.0.0.1:{port}/",
    "http://2130706433:{port}/",
    "http://0177.0.0.1:{port}/",
    "http://0x7f.0.0.1:{port}/",
    "http://0x7F000001:{port}/",
    "http://127.1:{port}/",
    "http://127.0.0.1.:{port}/",
    "http://localhost:{port}/",
    "http://localhost.:{port}/",
    "http://LOCALHOST:{port}/",
    "HTTP://LocalHost:{port}/",
    "http://[::1]:{port}/",
    "http://[::ffff:7f00:1]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://[0:0:0:0:0:ffff:7f00:1]:{port}/",
    "http://evil@127.0.0.1:{port}/",
    "http://evil.example:pw@127.0.0.1:{port}/",
    "http://\uff11\uff12\uff17.\uff10.\uff10.\uff11:{port}/",
    "https://127.0.0.1:{port}/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://172.31.255.255/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://0/",
    "http://[::]/",
    "http://224.0.0.1/",
    "http://239.255.255.250/",
    "http://255.255.255.255/",
    "http://240.0.0.1/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[ff02::1]/",
    "http://[::127.0.0.1]/",
    "http://[2002:7f00:1::]/",
    "http://[2002:a9fe:a9fe::1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
]


@pytest.mark.parametrize("spelling", BLOCKED_SPELLINGS)
def test_internal_addresses_are_blocked_before_connecting(receiver, spelling):
    error = _expect("blocked", "GET", spelling.format(port=receiver.port), policy=NOTHING_ALLOWED)
    assert "AllowedUntrustedInternalConnections" in error.detail
    assert receiver.connections == 0


@pytest.mark.parametrize(
    "spelling",
    ["http://127.0.0.2:{port}/", "http://127.2:{port}/", "http://[::1]:{port}/", "http://0x7f.0.0.2:{port}/"],
)
def test_allowing_one_loopback_address_allows_no_other(receiver, spelling):
    _expect("blocked", "GET", spelling.format(port=receiver.port), policy=LOCAL)
    assert receiver.connections == 0


def test_the_servers_own_addresses_are_blocked():
    policy = OutboundPolicy(extra_own_addresses=("198.51.100.7", "8.8.4.4"), timeout_s=2, deadline_s=2)
    _expect("blocked", "GET", "http://8.8.4.4/", policy=policy)
    _expect("blocked", "GET", "http://[::ffff:8.8.4.4]/", policy=policy)


def test_an_allowed_name_does_not_allow_other_names(receiver):
    policy = OutboundPolicy(allowed_untrusted="ci.internal", timeout_s=2, deadline_s=2)
    _expect("blocked", "GET", receiver.url(host="localhost"), policy=policy)


# Failures


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/",
        "http://",
        "http:///path",
        "http://exa mple.com/",
        "http://example.com\r\nX-Injected: 1/",
        "http://[::1/",
        "http://[example.com]/",
        "http://example.com:99999/",
        "http://bad_host!/",
        "example.com/no-scheme",
    ],
)
def test_invalid_urls(url):
    _expect("invalid_url", "GET", url, policy=NOTHING_ALLOWED)
    with pytest.raises(AppError) as raised:
        check_url(url, "callback_urls")
    assert raised.value.status_code == 400
    assert "callback_urls" in raised.value.message


def test_check_url_accepts_what_may_be_sent_later():
    check_url("https://ci.example.com:8443/hooks/chat?x=1#frag")
    check_url("http://127.0.0.1/internal")  # reachability is decided at send time, by the allow list then


def test_unknown_host_is_a_connection_error():
    _expect("connection", "GET", "http://no-such-host.invalid/", policy=NOTHING_ALLOWED)


def test_connection_refused():
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    _expect("connection", "GET", f"http://127.0.0.1:{port}/", policy=LOCAL)


def test_a_silent_server_times_out(raw_receiver):
    url = raw_receiver(lambda connection, stopped: stopped.wait(10))
    policy = OutboundPolicy(allowed_untrusted="127.0.0.1", timeout_s=0.5, deadline_s=5)
    _expect("timeout", "GET", url, policy=policy)


def _trickle(data: bytes):
    def behave(connection: socket.socket, stopped: threading.Event) -> None:
        for index in range(len(data)):
            if stopped.wait(0.2):
                return
            connection.sendall(data[index : index + 1])

    return behave


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Padding: " + b"p" * 100 + b"\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"b" * 100,
    ],
    ids=["headers", "body"],
)
def test_a_trickling_server_runs_into_the_deadline(raw_receiver, answer):
    # A byte every 0.2 s never trips the 1 s socket timeout; only the deadline for the whole exchange ends it.
    url = raw_receiver(_trickle(answer))
    policy = OutboundPolicy(allowed_untrusted="127.0.0.1", timeout_s=1, deadline_s=1)
    error = _expect("timeout", "GET", url, policy=policy)
    assert "complete response" in error.detail


@pytest.mark.parametrize("path", ["/big", "/big-unannounced"])
def test_a_large_response_is_refused(receiver, path):
    error = _expect("too_large", "GET", receiver.url(path), policy=LOCAL)
    assert "1048576" in error.detail


def test_the_response_limit_is_configurable(receiver):
    policy = OutboundPolicy(allowed_untrusted="127.0.0.1", timeout_s=2, deadline_s=2, max_response_bytes=10)
    _expect("too_large", "GET", receiver.url(), policy=policy)


def test_a_cut_off_response_is_a_connection_error(receiver):
    _expect("connection", "GET", receiver.url("/short"), policy=LOCAL)


def test_garbage_instead_of_http_is_a_connection_error(raw_receiver):
    banner = b"SSH-2.0-OpenSSH_9.6 <secret banner>\r\n"
    url = raw_receiver(lambda connection, stopped: connection.sendall(banner))
    error = _expect("connection", "GET", url, policy=LOCAL)
    assert "secret" not in error.detail


# TLS


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture
def tls_receiver(certificate):
    server = _Receiver()
    server.server_names = []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    context.sni_callback = lambda sock, name, ctx: server.server_names.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    _serve(server)
    yield server
    server.shutdown()
    server.server_close()


def test_tls_sends_sni_and_verifies_the_certificate(tls_receiver):
    url = f"https://localhost:{tls_receiver.port}/echo"
    error = _expect("connection", "GET", url, policy=OutboundPolicy(allowed_untrusted="localhost"))
    assert "certificate" in error.detail
    insecure = OutboundPolicy(allowed_untrusted="localhost", verify_tls=False, timeout_s=2, deadline_s=2)
    response = send("GET", url, policy=insecure)
    assert json.loads(response.body)["headers"]["Host"] == f"localhost:{tls_receiver.port}"
    assert tls_receiver.server_names[-1] == "localhost"


# Configuration


def test_policy_from_config():
    config = Config(
        {
            "ServiceSettings": {
                "AllowedUntrustedInternalConnections": "127.0.0.1 ci.internal",
                "OutgoingIntegrationRequestsTimeout": 5,
                "EnableInsecureOutgoingConnections": True,
            }
        }
    )
    policy = OutboundPolicy.from_config(config)
    assert (policy.allowed_untrusted, policy.timeout_s, policy.deadline_s) == ("127.0.0.1 ci.internal", 5, 5)
    assert policy.verify_tls is False
    assert OutboundPolicy.from_config(Config({})).timeout_s == 30


def test_timeouts_must_be_positive():
    with pytest.raises(ValueError):
        OutboundPolicy(timeout_s=0)
