"""gunicorn's settings for every web box: ``gunicorn -c python:cms.gunicorn_conf cms.wsgi``.

docs/deployment.md explains each value. Nothing is written to the working directory: logs go to
stdout/stderr (UTC, with the request id), and the control socket is off.
"""

import os
import time

from gunicorn import glogging

# The box's private address that only the proxy reaches (never 0.0.0.0 on a public interface).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
# The proxy's address(es); gunicorn trusts X-Forwarded-Proto only from these.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
errorlog = "-"
control_socket_disable = True
# Response header x-request-id: the id Django logged the request's lines with (cms.logs).
access_log_format = '%(t)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s "%(a)s"'


class UTCLogger(glogging.Logger):
    """gunicorn's logger with UTC times (its access time otherwise follows the process TZ, which
    Django sets to Asia/Shanghai in each worker)."""

    error_fmt = r"%(asctime)s [%(process)d] [%(levelname)s] %(message)s"

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if handler.formatter is not None:
                    handler.formatter.converter = time.gmtime
                    handler.formatter.default_msec_format = "%s.%03dZ"
                    handler.formatter.datefmt = None
                    handler.formatter.default_time_format = "%Y-%m-%dT%H:%M:%S"

    def now(self):
        return time.strftime("[%Y-%m-%dT%H:%M:%SZ]", time.gmtime())


logger_class = UTCLogger
