"""How `claimbase serve` runs the app: gunicorn with threaded workers (gthread). See
docs/deployment.md for the choice and its limits.

- A connection that has sent nothing waits in the worker's poller, not in a thread (gunicorn
  ≥ 27 defers it after a few seconds); a request takes a thread while it is read and run.
  `--threads` per worker (32 by default) bound how many clients can be served at once; a
  costly request ties up one thread, never the worker. A client that sends part of its
  request and stalls does hold a thread: many of them need the proxy below. The worker's
  heartbeat runs on its main thread, so a long streaming export is never taken for a hung
  worker.
- Sizes are bounded (request line, header count and size); bodies by MAX_CONTENT_LENGTH.
- The errors gunicorn answers itself (400, 414, 431) are problem+json too.
- Import jobs: each worker runs a thread that imports queued jobs (service/jobs.py).
- No control socket: gunicorn ≥ 25 opens one at a single path per user by default, which
  every server on a machine would share.

In production a buffering reverse proxy goes in front (deploy/nginx.conf): it holds slow
clients and hands gunicorn whole requests.
"""

import errno
import json
import socket

from gunicorn import util as gunicorn_util
from gunicorn.app.base import BaseApplication
from gunicorn.workers import gthread

from .errors import PROBLEM_MIMETYPE
from .errors import problem_body
from .hardening import SECURITY_HEADERS

SERVER_LIMITS = {
    "graceful_timeout": 20,
    "keepalive": 5,
    "worker_connections": 1000,  # open connections per worker (idle ones included)
    "limit_request_line": 4094,  # longer: 414
    "limit_request_fields": 100,  # more, or a longer header: 431
    "limit_request_field_size": 8190,
}


class PortInUse(OSError):
    """The address to serve on is taken."""


def check_port_free(host, port):
    """Raise PortInUse when another process listens on host:port."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUse(f"port {port} is in use (on {host}): stop what listens "
                                "there or choose another with --port") from None
            raise


def write_problem(sock, status_int, reason, mesg):
    """gunicorn's own error answer (util.write_error), as problem+json. The request was not
    understood, so there is no path: "*" names the server."""
    body = json.dumps(problem_body(status_int, mesg or None, instance="*")).encode()
    headers = {"Content-Type": PROBLEM_MIMETYPE, **SECURITY_HEADERS,
               "Content-Length": str(len(body)), "Connection": "close"}
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    gunicorn_util.write_nonblock(
        sock, f"HTTP/1.1 {status_int} {reason}\r\n{head}\r\n".encode("latin-1") + body)


class Worker(gthread.ThreadWorker):
    """gunicorn's threaded worker, answering its own errors as problems. gunicorn calls
    util.write_error by module attribute, so the worker process rebinds that name before
    serving; tests/test_serving.py holds every such answer to the problem shape."""

    def init_process(self):
        gunicorn_util.write_error = write_problem
        super().init_process()


def start_job_runner(worker):
    """gunicorn's post_worker_init hook: each worker runs queued import jobs
    (service/jobs.py), so a job outlives the worker that accepted it."""
    from .jobs import start_runner

    start_runner(worker.app.application)


class Server(BaseApplication):
    """gunicorn, configured in code (no config file, no shared control socket)."""

    def __init__(self, app, host, port, workers, threads):
        self.application = app
        # A worker whose main loop stops answering for WORKER_TIMEOUT (30 s) is replaced;
        # its request threads are not timed (an export streams as long as it needs).
        self.settings = {**SERVER_LIMITS, "timeout": app.config["WORKER_TIMEOUT"],
                         "bind": f"{host}:{port}", "workers": workers,
                         "threads": threads, "worker_class": f"{__name__}.Worker",
                         "accesslog": "-", "control_socket_disable": True,
                         "post_worker_init": start_job_runner}
        super().__init__()

    def load_config(self):
        for name, value in self.settings.items():
            self.cfg.set(name, value)

    def load(self):
        return self.application
