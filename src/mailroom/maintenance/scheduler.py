"""The scheduler of `mailroom run`: periodic jobs in one thread; a job's failure is logged,
never fatal."""

import logging
import threading

from django.db import connection

from mailroom.maintenance.retention import purge_expired_raw

log = logging.getLogger(__name__)

JOBS = [("retention purge", purge_expired_raw, 3600.0)]  # name, function, every N seconds


class SchedulerThread:
    def __init__(self, jobs=JOBS):
        self._jobs = jobs
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)

    def _run(self) -> None:
        due = {name: 0.0 for name, _, _ in self._jobs}
        clock = 0.0
        while not self._stop.is_set():
            for name, job, every in self._jobs:
                if clock >= due[name]:
                    self._run_job(name, job)
                    due[name] = clock + every
            self._stop.wait(10)
            clock += 10
        connection.close()

    @staticmethod
    def _run_job(name, job) -> None:
        try:
            result = job()
            log.info("%s done: %s", name, result)
        except Exception:
            log.exception("%s failed; will try again at its next time", name)
            connection.close()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
