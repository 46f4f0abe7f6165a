"""`claimbase serve` as it runs in production (gunicorn's ASGI worker, the app in threads):
every response carries the security headers and every error is problem+json, the server's
own included; slow clients hold no thread; chunked bodies meet the size limit; and the
command says plainly when its port is taken."""

import http.client
import json
import os
import socket
import subprocess
import time
from urllib.parse import urlparse

import pytest

from service import create_app
from service.auth import create_token
from service.db import bind
from service.db import migrate
from service.hardening import SECURITY_HEADERS
from service.loader import load_dataset
from tests.conftest import SEED
from tests.conftest import WORLD
from tests.live import CLAIMBASE
from tests.live import live_server
from tests.test_errors import ERROR_PATHS

ORDINARY_READS = ["/claims?limit=5", "/speakers", "/topics", "/", "/docs", "/openapi.json"]


@pytest.fixture(scope="module")
def served(backend, tmp_path_factory, request):
    """(host, port, editor token) of a live `claimbase serve` over the seeds and the world."""
    from tests.conftest import empty_database_url

    url = empty_database_url(backend, tmp_path_factory.mktemp("serve"), request)
    app = create_app({"DATABASE_POOL": False, "DATABASE_URL": url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
        load_dataset(SEED)
        load_dataset(WORLD)
        token, _ = create_token("serving-editor", "editor")
    with live_server(url, tmp_path_factory.mktemp("cwd"), workers=2) as base:
        address = urlparse(base)
        yield address.hostname, address.port, token


def exchange(served, raw, chunks):
    """Send raw bytes, then `chunks` in chunked encoding; (status, headers, body) of the
    answer. A server may answer and close before the body is all sent (a 413): the answer
    is read all the same."""
    host, port, _ = served
    with socket.create_connection((host, port), timeout=30) as sock:
        try:
            sock.sendall(raw)
            if chunks is not None:
                for chunk in chunks:
                    sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.headers, response.read()


def request(served, method, path, body=None, headers=None):
    host, port, _ = served
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def assert_secure(headers):
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, (name, dict(headers))


def assert_problem(status, headers, body, expected):
    assert status == expected, body[:300]
    assert headers.get("Content-Type") == "application/problem+json", dict(headers)
    problem = json.loads(body)
    assert {"type", "title", "status", "detail", "instance"} <= set(problem)
    assert problem["status"] == expected
    assert b"Traceback" not in body and b"<html" not in body.lower()
    assert_secure(headers)
    return problem


def server_errors(served):
    """The errors gunicorn answers itself, and a chunked body over the size limit."""
    _, _, token = served
    line = b'{"text": "An oversized import"}\n' * 32768  # 1 MiB

    def seventy_megabytes():
        for _ in range(70):
            yield line

    return [
        ("request line too long",
         lambda: request(served, "GET", "/claims?q=" + "x" * 9000), 414),
        ("header too large",
         lambda: request(served, "GET", "/claims", headers={"X-Big": "y" * 9000}), 431),
        ("too many headers",
         lambda: request(served, "GET", "/claims",
                         headers={f"X-H{i}": "1" for i in range(150)}), 431),
        ("malformed request line",
         lambda: exchange(served, b"GARBAGE\r\n\r\n", None), 400),
        ("70 MB chunked import",
         lambda: exchange(served, import_head(token), seventy_megabytes()), 413),
        ("malformed chunk",
         lambda: exchange(served, import_head(token) + b"zz\r\n{}\r\n0\r\n\r\n", None), 400),
    ]


def test_every_response_is_secure_and_every_error_a_problem(served):
    for path in ORDINARY_READS:
        status, headers, _ = request(served, "GET", path)
        assert status == 200, path
        assert_secure(headers)
    for method, path, status, _ in ERROR_PATHS:
        assert_problem(*request(served, method, path.replace(" ", "%20")), status)
    for name, call, status in server_errors(served):
        problem = assert_problem(*call(), status)
        assert problem["detail"], name
    status, _, body = request(served, "GET", "/claims?limit=1")  # the server still serves
    assert status == 200, body


def import_head(token):
    return ("POST /imports?format=ndjson&resource=claims HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {token}\r\nTransfer-Encoding: chunked\r\n"
            "Content-Type: application/x-ndjson\r\nConnection: close\r\n\r\n").encode()


def test_a_chunked_import_within_the_limit_is_read_whole(served):
    lines = [json.dumps({"text": f"Chunked claim number {i}."}).encode() + b"\n"
             for i in range(3000)]
    status, _, body = exchange(served, import_head(served[2]), lines)
    assert status == 200, body
    assert json.loads(body)["records"] == 3000


def test_slow_clients_do_not_stop_reads(served):
    """Twenty connections that send half a request head and stall: ordinary reads still
    answer (with 2 sync workers, 2 such clients stopped the API). Beyond the threads of
    `serve`, slow clients are the buffering proxy's job (docs/deployment.md)."""
    host, port, _ = served
    stalled = []
    try:
        for _ in range(20):
            sock = socket.create_connection((host, port), timeout=10)
            sock.sendall(b"GET /claims HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            stalled.append(sock)
        for path in ORDINARY_READS * 3:
            status, _, _ = request(served, "GET", path)
            assert status == 200, path
    finally:
        for sock in stalled:
            sock.close()


def test_a_busy_port_is_named(served, tmp_path):
    host, port, _ = served
    result = subprocess.run([str(CLAIMBASE), "serve", "--port", str(port)],
                            env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'b.db'}"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"port {port} is in use" in result.stderr


def test_serve_makes_no_shared_control_socket(tmp_path):
    """gunicorn ≥ 25 opens a control socket at one path per user by default: two servers
    on a machine would share it."""
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(home)}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 's.db'}"
    from tests.live import free_port
    from tests.live import wait_until_up

    port = free_port()
    process = subprocess.Popen([str(CLAIMBASE), "serve", "--port", str(port), "--workers", "1"],
                               env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}")
        time.sleep(0.5)
        assert not (home / "gunicorn.ctl").exists()
        assert not (home / ".gunicorn").exists()
    finally:
        process.terminate()
        process.wait(10)


def test_help_lists_claimbase_commands_only_and_version_is_claimbase():
    help_text = subprocess.run([str(CLAIMBASE), "--help"], capture_output=True, text=True,
                               timeout=60).stdout
    commands = help_text.split("Commands:")[1].split()
    assert {"serve", "import", "export", "seed", "migrate", "tokens"} <= set(commands)
    assert not {"run", "shell", "routes", "limiter", "openapi"} & set(commands)
    assert "--app" not in help_text and "--env-file" not in help_text
    version = subprocess.run([str(CLAIMBASE), "--version"], capture_output=True, text=True,
                             timeout=60).stdout
    assert version.strip() == "claimbase 0.1.0"


def test_extension_commands_are_hidden_but_still_usable(tmp_path):
    """flask-smorest's `openapi` group is left out of --help, yet still writes the document."""
    target = tmp_path / "openapi.json"
    result = subprocess.run([str(CLAIMBASE), "openapi", "write", str(target)],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path,
                            env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/c.db"})
    assert result.returncode == 0, result.stderr
    assert json.loads(target.read_text())["info"]["title"] == "Claimbase"


def test_a_long_export_is_not_cut_by_the_worker_timeout(new_database_url, tmp_path):
    """gunicorn's timeout (3 s here) replaces a worker whose main loop stalls; a threaded
    worker's loop keeps beating while a request thread streams, so an export that a slow
    reader keeps going for longer than that still arrives whole."""
    from service.importer import import_text

    app = create_app({"DATABASE_POOL": False, "DATABASE_URL": new_database_url})
    db = bind(app.extensions["claimbase.db"])
    claims = 300
    filler = (" " + "longclaimword" * 3) * 220  # 8.8 kB a claim (long words index fast)
    with db.connection_context():
        migrate(db)
        import_text("".join(json.dumps({"text": f"Exported claim {n}:{filler}"}) + "\n"
                            for n in range(claims)), "ndjson", "test", duplicates="ignore")
    with live_server(new_database_url, tmp_path, workers=1,
                     env={"CLAIMBASE_WORKER_TIMEOUT": "3"}) as base:
        address = urlparse(base)
        sock = socket.socket()
        # A small receive window: the server's sends wait on this reader (no 2.6 MB held in
        # kernel buffers while the request itself has long finished).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        sock.settimeout(30)
        sock.connect((address.hostname, address.port))
        started = time.monotonic()
        sock.sendall(b"GET /claims.ndjson HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        response = http.client.HTTPResponse(sock)
        response.begin()
        rows = 0
        while chunk := response.read(32768):
            rows += chunk.count(b"\n")
            time.sleep(0.1)  # a slow reader
        seconds = time.monotonic() - started
        sock.close()
    assert response.status == 200
    assert seconds > 2 * 3  # the stream outlasted the worker timeout twice over
    assert rows == claims  # and nothing was cut
