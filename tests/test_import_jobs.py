"""Import jobs (service/jobs.py): an HTTP import above IMPORT_JOB_BYTES is queued (202,
Location), shows its progress and then its report at GET /imports/{id}, stays all or
nothing, is shown only to its submitter and admins, and survives the death of the worker
that ran it."""

import json
import os
import signal
import time
import urllib.error
import urllib.request

import pytest

from service import jobs
from service.auth import create_token
from service.models import Claim
from service.models import ImportJob
from tests.test_kill_retries import server_pids

THRESHOLD = 300  # bytes: the test apps' job threshold


def claims_ndjson(prefix, count, bad_lines=()):
    """An NDJSON file of `count` claims; the lines in `bad_lines` (1-based) have a bad lang."""
    lines = [json.dumps({"text": f"{prefix} claim number {n}.",
                         "lang": "not a tag!" if n + 1 in bad_lines else "en"})
             for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def job_app(write_app, tmp_path):
    """The write app with a small job threshold and its own spool folder."""
    saved = {name: write_app.config.get(name) for name in ("IMPORT_JOB_BYTES", "IMPORT_SPOOL")}
    write_app.config.update(IMPORT_JOB_BYTES=THRESHOLD, IMPORT_SPOOL=str(tmp_path / "spool"))
    yield write_app
    write_app.config.update(saved)
    with write_app.extensions["claimbase.db"].connection_context():  # the next test's queue
        ImportJob.delete().where(ImportJob.status == "queued").execute()  # starts empty


@pytest.fixture
def run_jobs(job_app):
    """Run every queued job, as a worker's runner does; the number run."""

    def run():
        folder = jobs.spool_folder(job_app.config)
        db = job_app.extensions["claimbase.db"]
        ran = 0
        with job_app.app_context(), db.connection_context():
            while jobs.run_next_job(folder):
                ran += 1
        return ran

    return run


def submit(editor, body, query="format=ndjson", token=None, headers=None):
    return editor.client.post(f"/imports?{query}", data=body, content_type="application/x-ndjson",
                              headers={**editor.headers(token=token), **(headers or {})})


def show(editor, location):
    """GET a job with the submitter's token."""
    return editor.client.get(location, headers=editor.headers())


def count_claims(app, prefix):
    with app.extensions["claimbase.db"].connection_context():
        return Claim.select().where(Claim.text.startswith(prefix)).count()


def test_a_file_within_the_threshold_is_imported_in_its_request(job_app, editor):
    body = claims_ndjson("Small-sync", 2)
    assert len(body) <= THRESHOLD
    response = submit(editor, body)
    assert response.status_code == 200
    assert response.get_json()["created"] == {"claims": 2}


def test_a_bigger_file_is_queued_then_imported_with_its_report(job_app, editor, run_jobs):
    body = claims_ndjson("Queued-job", 40)
    accepted = submit(editor, body)
    assert accepted.status_code == 202, accepted.get_json()
    job = accepted.get_json()
    assert accepted.headers["Location"] == f"/imports/{job['id']}"
    assert accepted.headers["Retry-After"] == "2"
    assert (job["status"], job["size"], job["records"], job["report"]) == (
        "queued", len(body), 0, None)
    assert count_claims(job_app, "Queued-job") == 0  # not imported in the request

    assert run_jobs() == 1
    done = show(editor, accepted.headers["Location"])
    assert done.status_code == 200 and "Retry-After" not in done.headers
    shown = done.get_json()
    assert (shown["status"], shown["records"], shown["bytes_read"]) == ("done", 40, len(body))
    assert shown["report"]["created"] == {"claims": 40}
    assert shown["report"]["committed"] is True and shown["finished_at"]
    assert count_claims(job_app, "Queued-job") == 40
    assert not list((jobs.spool_folder(job_app.config)).iterdir())  # the body is gone


def test_the_documented_examples_have_a_real_job_s_fields(job_app, editor):
    from service.resources.imports import JOB_QUEUED_EXAMPLE
    from service.resources.imports import JOB_RUNNING_EXAMPLE

    shown = submit(editor, claims_ndjson("Documented-job", 40)).get_json()
    assert list(JOB_QUEUED_EXAMPLE) == list(JOB_RUNNING_EXAMPLE) == list(shown)


def test_a_failing_job_writes_nothing_and_names_each_bad_record(job_app, editor, run_jobs):
    accepted = submit(editor, claims_ndjson("Failing-job", 40, bad_lines=(3, 31)))
    assert accepted.status_code == 202
    assert run_jobs() == 1
    shown = show(editor, accepted.headers["Location"]).get_json()
    assert shown["status"] == "failed" and shown["error"] is None
    report = shown["report"]
    assert report["committed"] is False and report["records"] == 40
    assert report["problems"] == [
        {"line": 3, "field": "lang", "reason": "Not a valid BCP 47 language tag."},
        {"line": 31, "field": "lang", "reason": "Not a valid BCP 47 language tag."}]
    assert count_claims(job_app, "Failing-job") == 0  # the 38 good ones were not kept


def test_skip_invalid_jobs_keep_the_good_records(job_app, editor, run_jobs):
    accepted = submit(editor, claims_ndjson("Skipping-job", 40, bad_lines=(5,)),
                      query="format=ndjson&skip_invalid=true")
    run_jobs()
    report = show(editor, accepted.headers["Location"]).get_json()["report"]
    assert (report["committed"], report["rejected"], report["created"]) == (
        True, 1, {"claims": 39})
    assert count_claims(job_app, "Skipping-job") == 39


def test_a_job_that_is_not_utf8_fails_saying_so(job_app, editor, run_jobs):
    accepted = submit(editor, claims_ndjson("Latin-job", 40)[:-30] + b"\xff\xfe\n")
    run_jobs()
    shown = show(editor, accepted.headers["Location"]).get_json()
    assert shown["status"] == "failed" and "UTF-8" in shown["error"]
    assert count_claims(job_app, "Latin-job") == 0


def test_a_job_is_shown_to_its_submitter_and_admins_only(job_app, editor, tokens):
    with job_app.extensions["claimbase.db"].connection_context():
        other, _ = create_token(f"other-editor-{time.monotonic_ns()}", "editor")
    location = submit(editor, claims_ndjson("Private-job", 40)).headers["Location"]
    assert editor.client.get(location).status_code == 401
    hidden = editor.client.get(location, headers=editor.headers(token=other))
    assert hidden.status_code == 404
    assert hidden.mimetype == "application/problem+json"
    admin = editor.client.get(location, headers=editor.headers(token=tokens["admin"]))
    assert admin.status_code == 200 and admin.get_json()["status"] == "queued"
    missing = editor.client.get("/imports/999999", headers=editor.headers())
    assert missing.status_code == 404


def test_a_job_needs_the_role_its_records_need(job_app, editor):
    body = b"\n".join(json.dumps({"slug": f"job-topic-{n}", "name": f"Job topic {n}"}).encode()
                      for n in range(20)) + b"\n"
    refused = submit(editor, body, query="format=ndjson&resource=topics")
    assert refused.status_code == 403  # refused before the body is read, job or not


def test_a_body_over_the_import_limit_is_413_and_leaves_nothing(job_app, editor):
    job_app.config["IMPORT_MAX_BYTES"] = 2000
    try:
        with job_app.extensions["claimbase.db"].connection_context():
            before = ImportJob.select().count()
        refused = submit(editor, claims_ndjson("Too-big-job", 100))
        assert refused.status_code == 413
        assert refused.mimetype == "application/problem+json"
        with job_app.extensions["claimbase.db"].connection_context():
            assert ImportJob.select().count() == before
        folder = jobs.spool_folder(job_app.config)
        assert not folder.exists() or not list(folder.iterdir())
    finally:
        job_app.config["IMPORT_MAX_BYTES"] = 64 * 1024 * 1024


def test_a_retried_submission_with_an_idempotency_key_is_one_job(job_app, editor, run_jobs):
    body = claims_ndjson("Idempotent-job", 40)
    key = {"Idempotency-Key": f"job-{time.monotonic_ns()}"}
    with job_app.extensions["claimbase.db"].connection_context():
        before = ImportJob.select().count()
    first = submit(editor, body, headers=key)
    again = submit(editor, body, headers=key)
    assert first.status_code == again.status_code == 202
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    with job_app.extensions["claimbase.db"].connection_context():
        assert ImportJob.select().count() == before + 1
    run_jobs()
    assert count_claims(job_app, "Idempotent-job") == 40


def test_a_job_with_a_fresh_heartbeat_is_left_to_its_runner_until_it_goes_stale(
        job_app, editor, run_jobs):
    location = submit(editor, claims_ndjson("Leased-job", 40)).headers["Location"]
    with job_app.extensions["claimbase.db"].connection_context():
        job = ImportJob.get_by_id(int(location.rsplit("/", 1)[1]))
    folder = jobs.spool_folder(job_app.config)
    heartbeat = folder / f"{job.spool}.heartbeat"
    beat = {"records": 7, "bytes_read": 100, "started_at": "2026-12-01T00:00:00",
            "pid": 1, "at": time.time()}
    heartbeat.write_text(json.dumps(beat))
    shown = show(editor, location).get_json()
    assert (shown["status"], shown["records"], shown["bytes_read"]) == ("running", 7, 100)
    assert run_jobs() == 0  # another runner holds it
    heartbeat.write_text(json.dumps({**beat, "at": time.time() - jobs.LEASE_SECONDS - 1}))
    assert show(editor, location).get_json()["status"] == "queued"  # its runner stopped
    assert run_jobs() == 1
    assert show(editor, location).get_json()["status"] == "done"


def test_a_job_whose_worker_keeps_dying_fails_after_its_attempts(job_app, editor, run_jobs):
    location = submit(editor, claims_ndjson("Doomed-job", 40)).headers["Location"]
    with job_app.extensions["claimbase.db"].connection_context():
        job = ImportJob.get_by_id(int(location.rsplit("/", 1)[1]))
    folder = jobs.spool_folder(job_app.config)
    (folder / f"{job.spool}.attempts").write_text(str(jobs.MAX_ATTEMPTS))
    run_jobs()
    shown = show(editor, location).get_json()
    assert shown["status"] == "failed" and f"{jobs.MAX_ATTEMPTS} times" in shown["error"]
    assert count_claims(job_app, "Doomed-job") == 0


# --- a real server whose worker is killed mid-import ---------------------------------------

def http_json(url, token, data=None, content_type=None):
    headers = {"Authorization": f"Bearer {token}"}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=data, headers=headers,
                                     method="POST" if data else "GET")
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, dict(response.headers), json.load(response)


def poll(base, location, token, until, seconds=240):
    """GET the job until `until(job)`; the job."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            _, _, job = http_json(base + location, token)
        except (urllib.error.URLError, ConnectionError):
            job = None  # a worker was just killed
        if job and until(job):
            return job
        time.sleep(0.2)
    raise AssertionError(f"the job never reached the state wanted: {job}")


def test_a_job_survives_the_death_of_the_worker_running_it(new_database_url, tmp_path):
    """The worker importing a job is killed mid-import: the database undoes its part, a
    runner takes the job up again once its heartbeat is stale, and every record is
    imported exactly once."""
    from service import create_app
    from service.db import bind
    from service.db import migrate
    from tests.live import live_server

    app = create_app({"DATABASE_POOL": False, "DATABASE_URL": new_database_url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
        token = create_token("job-killer", "editor")[0]
    records = 30000  # several heartbeats long (one a second), however fast the machine
    body = claims_ndjson("Survivor", records)
    env = {"CLAIMBASE_IMPORT_JOB_BYTES": "1000", "CLAIMBASE_IMPORT_SPOOL": str(tmp_path / "sp")}
    with live_server(new_database_url, tmp_path, workers=2, env=env) as base:
        status, headers, job = http_json(f"{base}/imports?format=ndjson", token, body,
                                         "application/x-ndjson")
        assert status == 202 and job["status"] in ("queued", "running")
        location = headers["Location"]
        running = poll(base, location, token,
                       lambda j: j["status"] == "running" and j["records"] >= 1000)
        _, workers = server_pids(int(base.rsplit(":", 1)[1]))
        beat = json.loads(next((tmp_path / "sp").glob("*.heartbeat")).read_text())
        assert beat["pid"] in workers, (beat, workers)  # the heartbeat names its worker
        os.kill(beat["pid"], signal.SIGKILL)
        done = poll(base, location, token, lambda j: j["status"] in ("done", "failed"))
    assert running["records"] < records
    assert done["status"] == "done", done
    assert done["report"]["created"] == {"claims": records}  # none were kept from try one
    with db.connection_context():
        assert Claim.select().where(Claim.text.startswith("Survivor")).count() == records
