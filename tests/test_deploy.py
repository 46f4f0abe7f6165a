"""deploy/nginx.conf: nginx accepts it (`nginx -t`), and in front of `claimbase serve` it
forwards the API and answers its own refusals (an oversized body) as problem+json."""

import http.client
import json
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from service import create_app
from service.db import bind
from service.db import migrate
from tests.live import free_port
from tests.live import live_server

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed: .ci/run "
                                "installs it; the proxy configuration is not checked here")


def nginx_config(tmp_path, upstream_port, listen_port):
    """The deploy config with this test's ports."""
    text = CONFIG.read_text().replace("127.0.0.1:5000", f"127.0.0.1:{upstream_port}")
    text = text.replace("listen 8080;", f"listen 127.0.0.1:{listen_port};")
    path = tmp_path / "nginx.conf"
    path.write_text(text)
    return path


def through(port, method, path, tries=50, **kwargs):
    """(status, headers, body) of a request through the proxy (retried while it starts)."""
    for attempt in range(tries):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(method, path, **kwargs)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        except ConnectionRefusedError:
            if attempt == tries - 1:
                raise
            time.sleep(0.1)
        finally:
            connection.close()


def test_nginx_accepts_the_config(tmp_path):
    result = subprocess.run([NGINX, "-t", "-c", str(CONFIG), "-p", f"{tmp_path}/"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_behind_nginx_reads_pass_and_refusals_are_problems(new_database_url, tmp_path):
    app = create_app({"DATABASE_POOL": False, "DATABASE_URL": new_database_url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
    with live_server(new_database_url, tmp_path) as base:
        port = free_port()
        config = nginx_config(tmp_path, urlparse(base).port, port)
        proxy = subprocess.Popen([NGINX, "-c", str(config), "-p", f"{tmp_path}/", "-g",
                                  "daemon off;"], stderr=subprocess.DEVNULL)
        try:
            status, headers, _ = through(port, "GET", "/topics")
            assert status == 200
            assert headers["Content-Security-Policy"]  # the app's own headers pass
            status, headers, body = through(port, "POST", "/imports?format=ndjson",
                                            body=b"x" * (65 * 2**20),
                                            headers={"Content-Type": "application/x-ndjson"})
            assert status == 413
            assert headers["Content-Type"] == "application/problem+json"
            assert json.loads(body)["status"] == 413
        finally:
            proxy.terminate()
            proxy.wait(10)
