"""``.ci/run`` as CI runs it, with ``make`` replaced by a stand-in: PostgreSQL is up while the test
command runs, and nothing is left behind afterwards (no data folder, no server), pass or fail."""

from __future__ import annotations

import os
import re
import shutil
import socket
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from tests.support.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]

RECORDING_MAKE = """#!/bin/sh
# Stands in for `make test`: records its arguments, the database URL, and whether PostgreSQL answers.
echo "$@" > "$RECORD"
echo "$TEST_DATABASE_URL" >> "$RECORD"
python3 -c 'import socket, sys, urllib.parse as u; socket.create_connection(("127.0.0.1",
    u.urlparse(sys.argv[1]).port), 5).close()' "$TEST_DATABASE_URL" && echo listening >> "$RECORD"
"""
FAILING_MAKE = "#!/bin/sh\nexit 3\n"
REFUSE_APT = "#!/bin/sh\necho 'apt-get must not run here: the tools are installed' >&2\nexit 1\n"


def _script(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@contextmanager
def ci_run(make: str) -> Iterator[tuple[subprocess.CompletedProcess, Path, Path]]:
    """Run .ci/run with ``make`` as given, in a TMPDIR of its own (readable by the postgres user, as
    /tmp is): (the result, the record file, that TMPDIR)."""
    require_tool("initdb", "postgresql")
    require_tool("nginx", "nginx")
    tmp = Path(tempfile.mkdtemp(prefix="ci-run-test-"))
    try:
        tmp.chmod(0o755)
        bin_dir, work = tmp / "bin", tmp / "work"
        bin_dir.mkdir()
        work.mkdir()
        work.chmod(0o777)
        _script(bin_dir, "make", make)
        _script(bin_dir, "apt-get", REFUSE_APT)
        record = tmp / "record"
        env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "TMPDIR": str(work), "RECORD": str(record)}
        result = subprocess.run(["bash", str(ROOT / ".ci/run")], env=env, capture_output=True, text=True,
                                timeout=120)
        yield result, record, work
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _data_folder(output: str) -> Path:
    match = re.search(r"data in (\S+),", output)
    assert match, f".ci/run does not say where PostgreSQL's data is: {output}"
    return Path(match.group(1))


def test_ci_run_starts_postgres_for_the_tests_and_leaves_nothing_behind():
    with ci_run(RECORDING_MAKE) as (result, record, work):
        assert result.returncode == 0, result.stdout + result.stderr
        arguments, url, *listening = record.read_text().splitlines()
        assert arguments == "test" and url.startswith("postgresql+psycopg://") and listening == ["listening"]
        assert not _data_folder(result.stdout).exists(), "the PostgreSQL data folder was left behind"
        assert list(work.iterdir()) == []
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", urlparse(url).port)) != 0, "PostgreSQL is still running"


def test_ci_run_cleans_up_when_the_tests_fail():
    with ci_run(FAILING_MAKE) as (result, _record, work):
        assert result.returncode == 3, "the test command's failure must be CI's failure"
        assert not _data_folder(result.stdout).exists() and list(work.iterdir()) == []


def test_gitignore_covers_what_the_demo_and_sqlite_leave():
    for name in ("webitel-connector-demo.sqlite", "webitel-connector-demo.sqlite-wal",
                 "webitel-connector-demo.sqlite-shm", "webitel-connector.sqlite-journal"):
        ignored = subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT)
        assert ignored.returncode == 0, f"{name} is not ignored"
