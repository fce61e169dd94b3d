"""`vipdesk run-jobs`: the spelling the documentation uses; the command lives in run_jobs.py."""
from .run_jobs import Command  # noqa: F401
