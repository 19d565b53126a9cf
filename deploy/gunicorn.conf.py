"""gunicorn settings: sync workers behind nginx (deploy/stack.sh runs two instances of this).

Sync workers suit this app: every request is a few milliseconds of Python and one or two
queries, nginx buffers slow clients, and a worker holds one database connection at a time.
"""

import multiprocessing
import os

from gunicorn import glogging

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = 30
graceful_timeout = 30
# GUNICORN_PRELOAD=1 loads the app once in the master and forks workers from it, so a worker
# replaced after max_requests starts without importing Django again. Measured on the stack
# (25 customers, alternating rounds): 8.4 and 8.8 ms of web CPU per request with it, 8.6 and
# 10.9 without, on a machine at load average 9 to 12: no clear gain, so it stays off.
preload_app = os.environ.get("GUNICORN_PRELOAD", "0") not in ("0", "")
# A worker is replaced after this many requests, in case something grows in it; a new one
# spends over a second importing and warming up. At 2,000 a busy worker (~100 requests/s)
# was replaced every 20 s, and the peer benchmark's rounds showed it as one round in four at
# a fraction of the others' throughput.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# nginx writes the access log (JSON, with the request id); gunicorn's would repeat it.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None


class Logger(glogging.Logger):
    """gunicorn's logger, building an access line only when one is asked for (GUNICORN_ACCESSLOG).

    With `logconfig_dict` set, gunicorn builds every request's access line (a dict of ~40
    atoms from the headers and environ) even when nothing writes it: measured at about 5% of
    a customer's step request.
    """

    def access(self, resp, req, environ, request_time):
        if self.cfg.accesslog:
            super().access(resp, req, environ, request_time)


logger_class = Logger
errorlog = "-"
# gunicorn's own lines (boot, worker timeouts and restarts) as JSON too, like the app's.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
    "handlers": {
        "error_console": {"class": "logging.StreamHandler", "formatter": "json"},
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
forwarded_allow_ips = "127.0.0.1"
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
proc_name = os.environ.get("GUNICORN_NAME", "assessments-web")
# gunicorn's control socket defaults to one path per user: each instance on a host needs its own.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]


def child_exit(server, worker):
    """A worker that exits leaves its live gauges behind in multi-process mode; drop them."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
