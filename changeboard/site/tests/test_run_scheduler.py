"""Two real `run_scheduler` processes: one leads, the other stands by and
queues nothing; the leader SIGKILLed, the standby takes over once the lease
runs out; a leader stopped cleanly hands over at once. With the lease in
Redis (REDIS_URL set) and in the database (no Redis)."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from changeboard.core.tests.workers import Django, stop, wait_for

LEASE = ["--every", "5", "--lease", "8", "-v2"]


def lines(log: Path, text: str) -> int:
    return log.read_text().count(text) if log.exists() else 0


@pytest.mark.parametrize("lease_in", ["redis", "database"])
def test_one_scheduler_leads_and_a_standby_takes_over_when_it_dies(lease_in: str, worker_database: Django, redis_url: str,
                                                                  task_queue: str, tmp_path: Path) -> None:
    env = {"TASK_QUEUE": task_queue, "SCHEDULER_LEASE_NAME": task_queue}
    if lease_in == "redis":
        env["REDIS_URL"] = redis_url
    django = worker_database.with_env(**env)
    logs = {name: tmp_path / f"{name}.log" for name in ("a", "b", "c")}
    processes = []
    try:
        with logs["a"].open("w") as a_log, logs["b"].open("w") as b_log, logs["c"].open("w") as c_log:
            a = django.start("run_scheduler", *LEASE, log=a_log)
            processes.append(a)
            wait_for(lambda: lines(logs["a"], f"Leading: queueing the passes (lease in {lease_in})"), "the first scheduler to lead")
            b = django.start("run_scheduler", *LEASE, log=b_log)
            processes.append(b)
            wait_for(lambda: lines(logs["b"], "Standing by"), "the second scheduler to stand by")
            passes = lines(logs["a"], "Pass queued")
            wait_for(lambda: lines(logs["a"], "Pass queued") >= passes + 2, "two more passes by the leader")
            assert lines(logs["b"], "Pass queued") == 0  # the standby queued nothing meanwhile

            a.send_signal(signal.SIGKILL)  # the leader's machine dies: no release
            a.wait(30)
            wait_for(lambda: lines(logs["b"], "Leading"), "the standby to take over")
            wait_for(lambda: lines(logs["b"], "Pass queued"), "the new leader's first pass")

            c = django.start("run_scheduler", *LEASE, log=c_log)
            processes.append(c)
            wait_for(lambda: lines(logs["c"], "Standing by"), "a third scheduler to stand by")
            stop(b)  # a clean stop (SIGTERM) releases the lease
            assert b.returncode == 0
            wait_for(lambda: lines(logs["c"], "Leading"), "the third scheduler to take over")
    finally:
        for process in processes:
            stop(process)
    assert lines(logs["a"], "Standing by") == 0 and lines(logs["b"], "Leading") == 1
