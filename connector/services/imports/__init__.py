"""GetWebitelUsers: every Webitel user becomes a record of the Webitel users section, linked to the
Creatio contact whose name is its username (a contact, and its account, created where none exists)."""

from .jobs import get_job, job_items, list_jobs, report, start_job
from .run import ImportOptions, run_import

__all__ = ["ImportOptions", "get_job", "job_items", "list_jobs", "report", "run_import", "start_job"]
