"""A real `claimbase serve` (gunicorn) on a free local port, for tests that need HTTP."""

import http.client
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

CLAIMBASE = Path(sys.executable).parent / "claimbase"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base, path="/topics", tries=100):
    address = urlparse(base)
    for _ in range(tries):
        # http.client, closed every time: a urlopen that timed out while the workers booted
        # left its socket to the garbage collector (a ResourceWarning in a later test).
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        try:
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    raise RuntimeError(f"no server answered at {base}")


@contextmanager
def live_server(database_url, cwd, workers=1, env=None):
    """Yield the base URL (http://127.0.0.1:PORT) of a server over `database_url` (its log:
    server.log in `cwd`)."""
    port = free_port()
    log = open(Path(cwd) / "server.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [str(CLAIMBASE), "serve", "--port", str(port), "--workers", str(workers)],
        # Rate limits off unless the test sets them (tests/test_ratelimits.py does).
        env={**os.environ, "DATABASE_URL": database_url, "CLAIMBASE_RATELIMIT_ENABLED": "0",
             **(env or {})}, cwd=cwd,
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        yield base
    finally:
        process.terminate()
        process.wait(10)
        log.close()
