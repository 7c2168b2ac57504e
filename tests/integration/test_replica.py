"""The report job on a real PostgreSQL streaming replica of the test database's cluster, and its fallback.

`pg_basebackup -R` copies the cluster into a temporary directory and a second server starts on it, on a
free port, as a hot standby streaming from the test database's server. A real Celery worker, configured
with DATABASE_REPLICA_URL, counts the report there; with the replica lagging or stopped it counts on the
primary and logs why. The standby and its directory are removed at the end, whatever happens.
"""

import ipaddress
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
from tests.integration.test_annual_report_worker import ROOT, Worker, dispatch, wait_for
from tests.integration.test_celery_worker import database_url
from tests.reports.conftest import build_year

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

# What a hot standby must have at least as much of as its primary, or it refuses to start.
AT_LEAST_THE_PRIMARYS = [
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
]


def _primary(query: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_bin() -> Path | None:
    """The server's own major version's programs (initdb, pg_ctl, pg_basebackup), as Debian installs them."""
    major = int(_primary("SHOW server_version_num")) // 10000
    folder = Path(f"/usr/lib/postgresql/{major}/bin")
    return folder if (folder / "pg_basebackup").exists() and (folder / "pg_ctl").exists() else None


def _covers_localhost(address: str | None, netmask: str | None) -> bool:
    """Whether a pg_hba.conf rule's address (with its netmask) includes 127.0.0.1."""
    if address in ("all", "samehost", "samenet"):
        return True
    try:
        return ipaddress.ip_address("127.0.0.1") in ipaddress.ip_network(f"{address}/{netmask}", strict=False)
    except ValueError:  # a host name, or an IPv6 rule
        return False


def _allow_replication() -> None:
    """Let the test's server accept replication connections from 127.0.0.1, idempotently.

    `host all all` rules never match a replication connection: one naming `replication` is added to the
    server's pg_hba.conf (the same authentication as its 127.0.0.1 rule), and the server reloads it. The
    server must also keep WAL for a standby (wal_level replica, WAL senders free): that needs a restart,
    so it is only checked. Fails with what to change when the server's files cannot be written.
    """
    wal_level = _primary("SHOW wal_level")
    senders = int(_primary("SHOW max_wal_senders"))
    if wal_level not in ("replica", "logical") or senders < 2:
        pytest.fail(
            f"The test's PostgreSQL needs wal_level = replica and max_wal_senders >= 2 (now {wal_level}, {senders})",
            pytrace=False,
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT address, netmask FROM pg_hba_file_rules WHERE error IS NULL AND type LIKE 'host%%' "
            "AND 'replication' = ANY(database) AND auth_method <> 'reject' "
            "AND ('all' = ANY(user_name) OR %s = ANY(user_name))",
            [connection.settings_dict["USER"]],
        )
        if any(_covers_localhost(address, netmask) for address, netmask in cursor.fetchall()):
            return
        cursor.execute(
            "SELECT auth_method FROM pg_hba_file_rules WHERE error IS NULL AND type = 'host' "
            "AND 'all' = ANY(database) AND address = '127.0.0.1' ORDER BY line_number LIMIT 1"
        )
        row = cursor.fetchone()
        method = row[0] if row else "scram-sha-256"
        hba = Path(_primary("SHOW hba_file"))
        line = f"host replication all 127.0.0.1/32 {method}"
        try:
            with hba.open("a") as f:
                f.write(f"\n# Added by tests/integration/test_replica.py: a standby on this machine.\n{line}\n")
        except OSError as exc:
            pytest.fail(f"Add `{line}` to {hba} and reload PostgreSQL ({exc})", pytrace=False)
        cursor.execute("SELECT pg_reload_conf()")
    time.sleep(0.5)  # the postmaster reloads on a signal


def _open_transactions() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname, (now() - xact_start)::text FROM pg_stat_activity "
            "WHERE backend_xid IS NOT NULL ORDER BY xact_start"
        )
        return cursor.fetchall()


def _has_postgres_user() -> bool:
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return False
    return True


class Standby:
    """A hot standby of the test database's server in a temporary directory, on a free port."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="jingan-replica-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        owner = pwd.getpwnam("postgres")
        os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.owner = owner
        s = connection.settings_dict
        self.primary = {"host": s["HOST"] or "127.0.0.1", "port": str(s["PORT"] or 5432), "user": s["USER"]}
        self.env = {**os.environ, "PGPASSWORD": s["PASSWORD"] or ""}
        self.db = s["NAME"]

    def _run(self, program: str, *args: str, timeout: float = 300) -> None:
        # The server's programs refuse to run as root: as the postgres user, which owns the directory.
        command = ["runuser", "-u", "postgres", "--", str(self.bin / program), *args]
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=timeout, check=False)
        log = self.log.read_text() if self.log.exists() else ""
        assert done.returncode == 0, f"{program} failed: {done.stdout}{done.stderr}\n{log}"

    def start(self) -> None:
        p = self.primary
        self._run(
            "pg_basebackup",
            f"--dbname=host={p['host']} port={p['port']} user={p['user']}",
            f"--pgdata={self.data}",
            "--write-recovery-conf",  # -R: standby.signal and primary_conninfo
            "--wal-method=stream",
            "--checkpoint=fast",
            "--no-sync",
        )
        settings = {name: _primary(f"SHOW {name}") for name in AT_LEAST_THE_PRIMARYS}
        conf = {
            **settings,
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.root}'",
            "hba_file": f"'{self.data / 'pg_hba.conf'}'",
            "ident_file": f"'{self.data / 'pg_ident.conf'}'",
            "hot_standby": "on",
            "shared_buffers": "32MB",
            "fsync": "off",
        }
        # Debian keeps the configuration out of the data directory; elsewhere the copy has the primary's.
        files = {
            "postgresql.conf": "".join(f"{key} = {value}\n" for key, value in conf.items()),
            "pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\n",
            "pg_ident.conf": "",
        }
        for name, text in files.items():
            path = self.data / name
            path.write_text(text)
            os.chown(path, self.owner.pw_uid, self.owner.pw_gid)
        try:
            # A hot standby opens for reads once it can take a snapshot: never while a transaction that had
            # more than 64 subtransactions (savepoints) when the copy began is still open on the primary. Under
            # pytest-xdist the other worker may be in such a test (the fuzz walk: thousands of requests, each a
            # savepoint, in one test transaction of minutes), so wait for the longest test to end.
            self._run(
                "pg_ctl",
                "start",
                "--pgdata",
                str(self.data),
                "--log",
                str(self.log),
                "--wait",
                "--timeout=900",
                timeout=960,
            )
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nOpen transactions on the primary: {_open_transactions()}") from None

    def url(self) -> str:
        return f"postgres://{self.primary['user']}@127.0.0.1:{self.port}/{self.db}"

    def query(self, sql: str):
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user=self.primary["user"], dbname=self.db)
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchone()[0] if cursor.description else None
        finally:
            conn.close()

    def wait_until_replayed(self, timeout: float = 60) -> None:
        """Until the standby has replayed everything the primary had written when called."""
        target = _primary("SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + timeout
        while not self.query(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
            assert time.monotonic() < deadline, f"the standby did not replay up to {target} in {timeout} s"
            time.sleep(0.1)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "--pgdata", str(self.data), "--mode=fast", "--wait", "--timeout=60")

    def remove(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "--pgdata", str(self.data), "--mode=immediate", "--wait")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def standby(needs_postgres) -> Iterator[Standby]:
    bin_dir = _postgres_bin()
    require(
        bin_dir is not None and shutil.which("runuser") is not None and _has_postgres_user(),
        "PostgreSQL's server programs, runuser and the postgres user",
    )
    assert bin_dir is not None
    _allow_replication()
    replica = Standby(bin_dir)
    try:
        replica.start()
        yield replica
    finally:
        replica.remove()


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
