"""Settings of the workers test_jobs_crash.py starts: the project's own with small job chunks (one
learner of two course runs per transaction), so a job of a few hundred pairs runs long enough to be
killed in the middle. Production keeps the runner's chunk size; the sweep timings come from the
environment (COURSEGATE_JOB_STALE_SECONDS, COURSEGATE_SWEEP_SECONDS)."""

from coursegate.settings import *  # noqa: F403

COURSEGATE_JOB_CHUNK_SIZE = 2
