"""gunicorn settings, read automatically when gunicorn starts in this directory
(`gunicorn changeboard.wsgi`). Command-line options override them (the
benchmarks' servers pass their own).

Several worker processes, each with a few threads (gthread): sessions, the
cache and its rate limits live in Redis and the database when REDIS_URL is
set, so any process can answer any request (docs/deployment.md). Survey
links are redacted from the access and error logs by the logger class.

Environment variables (none is required):

- `WEB_CONCURRENCY`: worker processes (default 2 x cores + 1, at most 8:
  each holds its own database connections and memory);
- `WEB_THREADS`: threads per worker (default 4);
- `WEB_BIND`: the address to listen on (default `127.0.0.1:$PORT`, `PORT`
  default 8000; behind a load balancer, `0.0.0.0:8000`);
- `WEB_TIMEOUT`: seconds a request may take before its worker is restarted
  (default 60: long work such as board packs runs in task workers);
- `WEB_MAX_REQUESTS`: requests after which a worker is replaced (default
  1000, with up to 10 % random jitter so workers do not restart together;
  0 never), which bounds any slow memory growth;
- `WEB_ACCESS_LOG`: where the access log goes (`-` for standard output;
  default none, the load balancer usually keeps one).
"""

from __future__ import annotations

import multiprocessing
import os

MAX_WORKERS = 8


def _int(name: str, default: int) -> int:
    """A whole number from the environment; a wrong value stops gunicorn with
    the variable's name (settings.py's `env_int` needs Django loaded)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}.") from None


logger_class = "changeboard.core.redaction.GunicornLogger"
wsgi_app = "changeboard.wsgi:application"

workers = max(1, _int("WEB_CONCURRENCY", min(MAX_WORKERS, 2 * multiprocessing.cpu_count() + 1)))
threads = max(1, _int("WEB_THREADS", 4))
worker_class = "gthread"
bind = [os.environ.get("WEB_BIND") or f"127.0.0.1:{_int('PORT', 8000)}"]
timeout = _int("WEB_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
max_requests = max(0, _int("WEB_MAX_REQUESTS", 1000))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("WEB_ACCESS_LOG") or None
# gunicorn's control socket (a fixed path in the home directory) would clash
# between several servers on one machine (the benchmarks, the tests); nothing
# here uses `gunicornc`.
control_socket_disable = True
