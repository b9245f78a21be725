"""Settings of the processes the job tests start (test_jobs_crash.py, test_jobs_broker_down.py):
the project's own with small job chunks (one learner of two course runs per transaction), so a job
of a few hundred pairs runs long enough to be killed in the middle, and a short grace before the
sweep hands out a job its creator could not. Production keeps the defaults; the sweep timings come
from the environment (COURSEGATE_JOB_STALE_SECONDS, COURSEGATE_SWEEP_SECONDS)."""

from coursegate.settings import *  # noqa: F403

COURSEGATE_JOB_CHUNK_SIZE = 2
COURSEGATE_JOB_DISPATCH_GRACE_SECONDS = 1
