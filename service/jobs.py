"""Import jobs: HTTP imports too big to run inside their request (docs/deployment.md).

- Submitting: the body is written to a file of the spool folder (whole, and fsynced), then a
  row of `import_job` (migration 0010) records the job as `queued`.
- Running: every `claimbase serve` worker runs a JobRunner thread. A runner claims a queued
  job by opening the write transaction that will import it and taking the job's row in it
  (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: its single write lock, `BEGIN IMMEDIATE`).
  The import and the job's outcome (`done` or `failed`, with the report) commit together:
  the data and the job's state cannot disagree, and a failed job has written nothing.
- A dead worker: the transaction is the lease. When a worker dies mid-import its connection
  goes, the database rolls the import back and the job's row is `queued` again. While it
  runs, a heartbeat file beside the body says how far it got (records and bytes read) and
  when; once the heartbeat is older than LEASE_SECONDS, any runner (another worker's, or
  the next start's) takes the job up again. A job started MAX_ATTEMPTS times without
  finishing fails.

Nothing here knows HTTP; service/resources/imports.py is the HTTP side.
"""

import hashlib
import io
import json
import logging
import os
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

from peewee import OperationalError

from . import dberrors
from .costs import limit_statements
from .db import database
from .db import is_sqlite
from .db import write_transaction
from .importer import ImportFailed
from .importer import import_stream
from .models import ImportJob
from .models import utcnow

HEARTBEAT_SECONDS = 1  # how often a running job says how far it got
LEASE_SECONDS = 10  # a job whose heartbeat is older is taken up again
POLL_SECONDS = 2  # how often an idle runner looks for queued jobs
MAX_ATTEMPTS = 5
log = logging.getLogger(__name__)


def spool_folder(config):
    """Where job bodies wait: IMPORT_SPOOL, else beside a SQLite database
    (`claimbase.db.imports/`), else (PostgreSQL) a folder of the temporary directory named
    after the database. Every worker serving a database must see the same folder."""
    if config.get("IMPORT_SPOOL"):
        return Path(config["IMPORT_SPOOL"])
    url = config["DATABASE_URL"]
    parsed = urlparse(url)
    if parsed.scheme.startswith("sqlite"):
        return Path(parsed.path[1:] + ".imports")  # playhouse.db_url's reading of the path
    digest = hashlib.sha256(url.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"claimbase-imports-{digest}"


def _file(folder, spool, kind):
    return Path(folder) / f"{spool}.{kind}"


def spool_body(folder, chunks):
    """Write a body (an iterable of bytes) to a new file of the spool folder, durably;
    (its spool name, its size). On any failure (a 413 mid-body) nothing is left behind."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    spool = uuid.uuid4().hex
    partial = _file(folder, spool, "partial")
    size = 0
    try:
        with open(partial, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(_file(folder, spool, "body"))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return spool, size


def submit(folder, chunks, format_name, token, options):
    """Queue an import of a body: spool it, then record the job; the ImportJob. `options`
    are import_stream's (resource, name, skip_invalid, duplicates, role)."""
    spool, size = spool_body(folder, chunks)
    try:
        return ImportJob.create(token=token, format=format_name, options=json.dumps(options),
                                spool=spool, size=size)
    except BaseException:  # no job row (a busy database): no orphan body either
        _file(folder, spool, "body").unlink(missing_ok=True)
        raise


def job_for(job_id, token):
    """The job `token` may read (its own, or any for an admin), else None."""
    job = ImportJob.get_or_none(ImportJob.id == job_id)
    if job is None or (job.token_id != token.id and token.role != "admin"):
        return None
    return job


def read_heartbeat(folder, spool):
    """The heartbeat of a job being imported ({records, bytes_read, started_at, at}), or
    None when it has none or it is older than LEASE_SECONDS."""
    try:
        beat = json.loads(_file(folder, spool, "heartbeat").read_text())
    except (OSError, ValueError):
        return None
    return beat if time.time() - beat["at"] <= LEASE_SECONDS else None


def job_status(job, folder):
    """What GET /imports/{id} shows (schemas/imports.py ImportJobSchema)."""
    options = json.loads(job.options)
    report = json.loads(job.report) if job.report else None
    beat = read_heartbeat(folder, job.spool) if job.status == "queued" else None
    finished = job.status != "queued"
    return {
        "id": job.id,
        "status": "running" if beat else job.status,
        "format": job.format,
        "resource": options.get("resource"),
        "size": job.size,
        "bytes_read": job.size if finished else (beat or {}).get("bytes_read", 0),
        "records": report["records"] if report else (beat or {}).get("records", 0),
        "submitted_at": job.submitted_at,
        "started_at": (beat or {}).get("started_at"),
        "finished_at": job.finished_at,
        "report": report,
        "error": job.error,
    }


class Heartbeat:
    """The heartbeat file of the job this runner imports, rewritten every HEARTBEAT_SECONDS
    by a thread with the records and bytes read so far."""

    def __init__(self, path):
        self.path = path
        self.records = 0
        self.binary = None
        self.started_at = utcnow().isoformat()
        self.stop_event = threading.Event()
        self.thread = None

    def progress(self, records):
        """import_stream's progress callback."""
        self.records = records

    def beat(self):
        try:
            position = self.binary.tell() if self.binary and not self.binary.closed else 0
        except (OSError, ValueError):
            position = 0
        partial = self.path.with_suffix(".beating")
        partial.write_text(json.dumps({"records": self.records, "bytes_read": position,
                                       "started_at": self.started_at, "pid": os.getpid(),
                                       "at": time.time()}))
        partial.replace(self.path)

    def start(self):
        self.beat()
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"heartbeat-{self.path.stem}")
        self.thread.start()

    def _run(self):
        while not self.stop_event.wait(HEARTBEAT_SECONDS):
            self.beat()

    def stop(self):
        if self.thread:
            self.stop_event.set()
            self.thread.join()
            self.path.unlink(missing_ok=True)


def _count_attempt(folder, spool):
    """One more start of this job; how many there have been (kept beside the body, since
    an attempt that dies leaves nothing in the database)."""
    path = _file(folder, spool, "attempts")
    try:
        attempts = int(path.read_text()) + 1
    except (OSError, ValueError):
        attempts = 1
    path.write_text(str(attempts))
    return attempts


def _claim(job_id):
    """The queued job `job_id`, taken for this transaction; None when another runner has it
    or it is finished."""
    query = ImportJob.select().where((ImportJob.id == job_id) & (ImportJob.status == "queued"))
    if not is_sqlite():  # on SQLite, BEGIN IMMEDIATE has already kept every other writer out
        query = query.for_update(skip_locked=True)
    return query.first()


def _finish(job, status, report=None, error=None):
    ImportJob.update(status=status, report=json.dumps(report) if report else None,
                     error=error, finished_at=utcnow()).where(ImportJob.id == job.id).execute()


def _next_candidate(folder):
    """The oldest queued job that no runner is importing (no fresh heartbeat), or None."""
    queued = (ImportJob.select(ImportJob.id, ImportJob.spool)
              .where(ImportJob.status == "queued").order_by(ImportJob.id).limit(50))
    for job in queued:
        if read_heartbeat(folder, job.spool) is None:
            return job.id
    return None


def _import(job, folder, heartbeat):
    """Import a claimed job's body inside the caller's transaction; record the outcome."""
    body = _file(folder, job.spool, "body")
    if not body.exists():
        _finish(job, "failed", error=f"The file of this import is no longer in the spool "
                f"folder ({folder}); nothing was imported: send it again.")
        return
    options = json.loads(job.options)
    with open(body, "rb") as binary, \
            io.TextIOWrapper(binary, encoding="utf-8", newline="") as text:
        heartbeat.binary = binary
        try:
            report = import_stream(text, job.format, job.token.name,
                                   progress=heartbeat.progress, **options)
        except ImportFailed as failure:
            _finish(job, "failed", report=failure.report.as_dict())
        except UnicodeDecodeError:
            _finish(job, "failed", error="The file is not UTF-8 text; nothing was imported.")
        else:
            _finish(job, "done", report=report.as_dict())


def _clean(folder, spool):
    for kind in ("body", "heartbeat", "attempts"):
        _file(folder, spool, kind).unlink(missing_ok=True)


def run_next_job(folder):
    """Import the oldest queued job nobody is importing, if any. True when a job was
    finished (done or failed); False when there was none, or the database was busy."""
    job_id = _next_candidate(folder)
    if job_id is None:
        return False
    limit_statements(database, None)  # a pooled connection may carry a request's budget
    heartbeat = spool = None
    try:
        with write_transaction():
            job = _claim(job_id)
            if job is None:
                return False
            spool = job.spool
            heartbeat = Heartbeat(_file(folder, spool, "heartbeat"))
            heartbeat.start()
            attempts = _count_attempt(folder, spool)
            if attempts > MAX_ATTEMPTS:
                _finish(job, "failed", error=f"The import was started {MAX_ATTEMPTS} times "
                        "and its worker stopped each time before it finished (killed, "
                        "restarted or out of memory); nothing was imported.")
            else:
                _import(job, folder, heartbeat)
    except OperationalError as error:
        if dberrors.classify(error) != dberrors.RETRY:
            return _fail_after_error(job_id, folder, error)
        log.warning("import job %s waits: the database is busy (%s)", job_id, error)
        return False  # rolled back, still queued: the next round tries again
    except Exception as error:  # noqa: BLE001 (a job must end, whatever went wrong)
        return _fail_after_error(job_id, folder, error)
    finally:
        if heartbeat:
            heartbeat.stop()
    _clean(folder, spool)
    return True


def _fail_after_error(job_id, folder, error):
    """The import was rolled back by an unexpected error: the job fails, saying so."""
    log.error("import job %s failed", job_id, exc_info=error)
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    with write_transaction():
        job = _claim(job_id)
        if job is None:
            return False
        _finish(job, "failed", error=f"The import stopped on an error ({first_line}); "
                "nothing was imported.")
    _clean(folder, job.spool)
    return True


class JobRunner:
    """A worker's thread that imports queued jobs, one at a time, until the process ends.
    `wake()` (after a submission in this process) makes it look at once."""

    def __init__(self, app):
        self.app = app
        self.folder = spool_folder(app.config)
        self.wake_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="import-jobs")

    def start(self):
        self.thread.start()
        return self

    def wake(self):
        self.wake_event.set()

    def _run(self):
        db = self.app.extensions["claimbase.db"]
        while True:
            try:
                with self.app.app_context(), db.connection_context():
                    while run_next_job(self.folder):
                        pass
            except Exception:  # noqa: BLE001 (the runner outlives any one round)
                log.exception("import job runner")
            self.wake_event.wait(POLL_SECONDS)
            self.wake_event.clear()


def start_runner(app):
    """Start this process's job runner (once) and keep it in app.extensions."""
    if "claimbase.jobs" not in app.extensions:
        app.extensions["claimbase.jobs"] = JobRunner(app).start()
    return app.extensions["claimbase.jobs"]


def wake_runner(app):
    """Tell this process's runner, if it has one, that a job is waiting."""
    runner = app.extensions.get("claimbase.jobs")
    if runner:
        runner.wake()
