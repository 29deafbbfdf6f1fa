"""``webitel-connector import``: GetWebitelUsers from a terminal, with a live progress bar (users
done of all, rate, time left) and the summary table at the end. The job is the same as the API's, so
any connector process sees it, and one import runs at a time wherever it was started."""

from __future__ import annotations

import sys
from dataclasses import replace

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from .config import Config
from .db import safe_url
from .errors import ConnectorError
from .models import ImportJob
from .services.context import Context
from .services.imports import ImportOptions, run_import, start_job
from .services.imports.matching import SUMMARY_KEYS

SUMMARY_ORDER = [*SUMMARY_KEYS.values(), "created_contacts", "created_accounts"]


def run_import_command(config: Config, *, dry_run: bool, with_stun: bool) -> int:
    from .app import create_app, dispose
    from .migrate import behind

    stale = behind(config.database_url)
    if stale is not None:
        current, head = stale
        print(f"webitel-connector: the database {safe_url(config.database_url)} is not migrated (it is at "
              f"{current or 'no revision: empty'}, the connector needs {head}): run `webitel-connector migrate` "
              f"with the same settings first", file=sys.stderr)
        return 2
    app = create_app(replace(config, reconcile_interval_s=0))
    connector = app.extensions["connector"]
    options = ImportOptions(dry_run=dry_run, with_stun=with_stun, page_size=config.import_page_size,
                            concurrency=config.import_concurrency, account_name=config.import_account_name or None)
    try:
        with connector.sessions() as session:
            try:
                job = start_job(session, dry_run=dry_run, actor="cli")
            except ConnectorError as exc:
                print(f"webitel-connector: {exc.message}", file=sys.stderr)
                return 1
            # A log line (a warning) is printed above the bar, not through it.
            with logging_redirect_tqdm(), tqdm(desc="GetWebitelUsers" + (" (dry run)" if dry_run else ""),
                                               unit="user", file=sys.stderr, dynamic_ncols=True) as bar:
                def progress(current: ImportJob) -> None:
                    bar.total = current.total
                    bar.update(current.done - bar.n)

                job = run_import(Context(session, connector.webitel, config.sync_settings, actor="cli"),
                                 connector.creatio, job, options, progress=progress)
            print(summary_table(job))
            return 0 if job.status == "succeeded" else 1
    finally:
        dispose(app)


def summary_table(job: ImportJob) -> str:
    rows = [(key.replace("_", " "), str(job.summary.get(key, 0))) for key in SUMMARY_ORDER]
    width = max(len(name) for name, _count in rows)
    took = (job.finished_at - job.started_at).total_seconds() if job.finished_at else 0.0
    rate = f" ({job.done / took:,.0f} users/s)" if took > 0 else ""
    lines = [f"import {job.id}: {job.status}" + (" (dry run: nothing was written)" if job.dry_run else ""),
             f"users: {job.done} of {job.total if job.total is not None else '?'} in {took:.1f} s{rate}"]
    lines += [f"  {name:<{width}}  {count:>7}" for name, count in rows]
    if job.error:
        lines.append(f"error: {job.error}")
    return "\n".join(lines)
