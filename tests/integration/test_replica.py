"""The report job on a real PostgreSQL streaming replica, and its fallback.

The test makes its own pair of servers in a temporary directory, on free ports, so that it neither copies
nor reconfigures the machine's PostgreSQL (whose other databases, benchmarks included, may weigh gigabytes,
and whose long test transactions would hold a hot standby closed): a throwaway primary (initdb, WAL for a
standby, trust from 127.0.0.1) with the test database copied into it (pg_dump), then a hot standby of it made by
`pg_basebackup -R`. For the test's duration the test process's own connection points at that primary. A
real Celery worker, configured with DATABASE_REPLICA_URL, counts the report on the standby; with the standby
lagging or stopped it counts on the primary and logs why. Both servers and their directory are removed at
the end, whatever happens.
"""

import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from reports.models import AnnualReport
from reports.stats import annual_figures
from services.models import Street
from tests.accessibility.factories import SignLanguagePointFactory
from tests.conftest import require
from tests.integration.conftest import purge_queues
from tests.integration.test_annual_report_worker import dispatch, wait_for
from tests.integration.workers import ROOT, Worker, database_url
from tests.reports.conftest import build_year

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

PROGRAMS = ("initdb", "pg_ctl", "pg_basebackup", "pg_dump", "pg_restore")


def _primary(query: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_bin() -> Path | None:
    """The newest installed server programs (initdb, pg_ctl, pg_basebackup), where Debian puts them."""
    found = [
        folder
        for folder in Path("/usr/lib/postgresql").glob("*/bin")
        if folder.parent.name.isdigit() and all((folder / program).exists() for program in PROGRAMS)
    ]
    return max(found, key=lambda folder: int(folder.parent.name), default=None)


def _has_postgres_user() -> bool:
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return False
    return True


class Cluster:
    """A PostgreSQL server of the postgres user's in a folder of the test's, on a free port."""

    def __init__(self, bin_dir: Path, root: Path, name: str, user: str, db: str):
        self.bin = bin_dir
        self.port = _free_port()
        self.root = root
        self.data = root / name
        self.log = root / f"{name}.log"
        self.user = user
        self.db = db

    def run(self, program: str, *args: str, timeout: float = 300) -> None:
        # The server's programs refuse to run as root: as the postgres user, which owns the directory.
        command = ["runuser", "-u", "postgres", "--", str(self.bin / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        log = self.log.read_text() if self.log.exists() else ""
        assert done.returncode == 0, f"{program} failed: {done.stdout}{done.stderr}\n{log}"

    def configure(self, **settings: str) -> None:
        """Appended to postgresql.conf: the last value of a setting wins."""
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("".join(f"{key} = {value}\n" for key, value in settings.items()))

    def start(self) -> None:
        self.run("pg_ctl", "start", "--pgdata", str(self.data), "--log", str(self.log), "--wait", "--timeout=120")

    def url(self) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{self.db}"

    def query(self, sql: str, dbname: str | None = None):
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user=self.user, dbname=dbname or self.db)
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchone()[0] if cursor.description else None
        finally:
            conn.close()

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def stop(self, mode: str = "fast") -> None:
        if self.running():
            self.run("pg_ctl", "stop", "--pgdata", str(self.data), f"--mode={mode}", "--wait", "--timeout=60")


class Primary(Cluster):
    """A fresh cluster keeping WAL for a standby, trusting local and 127.0.0.1 connections, replication too."""

    def create(self) -> None:
        self.run(
            "initdb",
            f"--pgdata={self.data}",
            f"--username={self.user}",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        self.configure(
            port=str(self.port),
            listen_addresses="'127.0.0.1'",
            unix_socket_directories=f"'{self.root}'",
            wal_level="replica",
            max_wal_senders="4",
            fsync="off",
            synchronous_commit="off",
            full_page_writes="off",
            shared_buffers="32MB",
        )
        (self.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n"
        )
        self.start()
        self.query(f'CREATE DATABASE "{self.db}"', dbname="postgres")

    def copy(self, source_url: str) -> float:
        """The test database's schema and rows (reference data) copied in; returns the seconds taken.

        pg_dump | pg_restore of the one small database takes seconds where `manage.py migrate` took 49 s.
        """
        dump = [str(self.bin / "pg_dump"), "--format=custom", "--no-owner", "--no-privileges", source_url]
        restore = [str(self.bin / "pg_restore"), "--exit-on-error", "--no-owner", f"--dbname={self.url()}"]
        began = time.monotonic()
        with subprocess.Popen(dump, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as dumping:
            restored = subprocess.run(
                restore, stdin=dumping.stdout, capture_output=True, text=True, timeout=300, check=False
            )
            assert dumping.stderr is not None
            errors = dumping.stderr.read().decode()
        assert dumping.returncode == 0, errors
        assert restored.returncode == 0, restored.stderr
        return time.monotonic() - began


class Standby(Cluster):
    """A hot standby of a Primary, copied from it by pg_basebackup -R."""

    def create(self, primary: Primary) -> None:
        self.run(
            "pg_basebackup",
            f"--dbname=host=127.0.0.1 port={primary.port} user={primary.user}",
            f"--pgdata={self.data}",
            "--write-recovery-conf",  # -R: standby.signal and primary_conninfo
            "--wal-method=stream",
            "--checkpoint=fast",
            "--no-sync",
        )
        # The copy has the primary's postgresql.conf: only where it listens differs.
        self.configure(port=str(self.port), hot_standby="on")
        self.start()

    def wait_until_replayed(self, timeout: float = 60) -> None:
        """Until the standby has replayed everything the primary had written when called."""
        target = _primary("SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + timeout
        while not self.query(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
            assert time.monotonic() < deadline, f"the standby did not replay up to {target} in {timeout} s"
            time.sleep(0.1)


@pytest.fixture
def standby(needs_postgres) -> Iterator[Standby]:
    """A throwaway primary with a copy of the test database, the test's connection on it, and its standby."""
    bin_dir = _postgres_bin()
    require(
        bin_dir is not None and shutil.which("runuser") is not None and _has_postgres_user(),
        "PostgreSQL's server programs, runuser and the postgres user",
    )
    assert bin_dir is not None
    root = Path(tempfile.mkdtemp(prefix="jingan-replica-"))
    owner = pwd.getpwnam("postgres")
    os.chown(root, owner.pw_uid, owner.pw_gid)
    settings = connection.settings_dict
    user, db = settings["USER"], settings["NAME"]
    primary = Primary(bin_dir, root, "primary", user, db)
    replica = Standby(bin_dir, root, "standby", user, db)
    kept = {key: settings[key] for key in ("HOST", "PORT", "PASSWORD")}
    try:
        primary.create()
        seconds = primary.copy(database_url())
        print(f"copied the test database into the throwaway primary in {seconds:.1f} s")
        connection.close()
        settings.update(HOST="127.0.0.1", PORT=str(primary.port), PASSWORD="")
        replica.create(primary)
        yield replica
    finally:
        connection.close()
        settings.update(kept)
        try:
            replica.stop(mode="immediate")
        finally:
            try:
                primary.stop(mode="immediate")
            finally:
                shutil.rmtree(root, ignore_errors=True)


def _worker(redis: str, log: Path, standby: Standby, max_lag: int) -> Worker:
    # Checked before every scope (REPLICA_CHECK_SECONDS=0), so each run below sees the replica as it is.
    env = {
        "DATABASE_REPLICA_URL": standby.url(),
        "REPLICA_MAX_LAG_SECONDS": str(max_lag),
        "REPLICA_CHECK_SECONDS": "0",
    }
    worker = Worker(redis, log, paused=False, env=env)
    purge_queues(worker.client)
    worker.start()
    return worker


def _report(year: int) -> dict:
    report, started = dispatch(year)
    assert started
    return wait_for(report.pk, lambda r: r.status in (AnnualReport.Status.DONE, AnnualReport.Status.FAILED)).figures


def _pages(standby: Standby, username: str) -> dict[str, int]:
    """A drill-down opened before and after a save, in a process configured with the replica (replica_pages.py)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jingan_portal.settings.test",
        "DATABASE_URL": database_url(),
        "DATABASE_REPLICA_URL": standby.url(),
        "REPLICA_MAX_LAG_SECONDS": "300",
        "REPLICA_CHECK_SECONDS": "0",
    }
    command = [sys.executable, "-m", "tests.integration.replica_pages", username, "2023", "sign_language_points"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def _points(figures: dict) -> int:
    return figures["sign_language_points"]["value"]


def test_the_report_and_its_pages_read_the_replica_and_fall_back_to_the_primary(
    standby, needs_redis, through_the_broker, staff_user, tmp_path
):
    build_year(Street.objects.get(code="310106006"), Street.objects.get(code="310106019"))
    standby.wait_until_replayed()
    replicated = annual_figures(2023)  # counted here, on the primary
    log = tmp_path / "worker.log"

    worker = _worker(needs_redis, log, standby, max_lag=300)
    try:
        # Replay paused, a point added on the primary: the job counts what the replica has, without it.
        standby.query("SELECT pg_wal_replay_pause()")
        SignLanguagePointFactory(in_service_from="2023-05-01")
        on_replica = _report(2023)
        assert on_replica == replicated
        assert _points(annual_figures(2023)) == _points(on_replica) + 1
        # The drill-down reads the replica too; the page after a save (a run asked for) reads the primary.
        assert _pages(standby, staff_user.username) == {
            "before": _points(on_replica),
            "saved": 302,
            "after": _points(on_replica) + 1,
        }

        # Replayed again: the replica's figures are the primary's.
        standby.query("SELECT pg_wal_replay_resume()")
        standby.wait_until_replayed()
        assert _report(2023) == annual_figures(2023)
        assert "reading from the primary" not in log.read_text()
    finally:
        worker.stop()

    worker = _worker(needs_redis, log, standby, max_lag=1)
    try:
        # Lagging more than REPLICA_MAX_LAG_SECONDS: counted on the primary, the newest point included.
        standby.query("SELECT pg_wal_replay_pause()")
        SignLanguagePointFactory(in_service_from="2023-06-01")
        time.sleep(1.5)
        assert standby.query("SELECT pg_is_wal_replay_paused()")
        lagging = _report(2023)
        assert lagging == annual_figures(2023)
        assert _points(lagging) == _points(replicated) + 2
        assert "Replica 'replica' lags" in log.read_text()

        # Stopped: counted on the primary, and the log says the replica is unavailable.
        standby.stop()
        SignLanguagePointFactory(in_service_from="2023-07-01")
        down = _report(2023)
        assert down == annual_figures(2023)
        assert _points(down) == _points(replicated) + 3
        assert "Replica 'replica' unavailable (OperationalError): reading from the primary" in log.read_text()
    finally:
        worker.stop()
    # Each warning names the replica and the reason, nothing else (no record, no address).
    warnings = [line for line in log.read_text().splitlines() if "reading from the primary" in line]
    assert len(warnings) == 2
    # After the worker's own prefix (time, level, process):
    why = r"(lags [\d.]+ s \(limit 1 s\)|unavailable \(OperationalError\))"
    said = rf"\] Replica 'replica' {why}: reading from the primary$"
    assert all(re.search(said, line) for line in warnings), warnings
