"""CloudFront's own logs of viewer requests, standard and real-time: what the edge's end-of-request hook
(`Edge.viewed`) hands over for a distribution that logs, and the two writers, made once per application and
flushed when it closes."""
from __future__ import annotations

import logging
import threading
import traceback

from .realtime_logs import RealtimeLogs
from .standard_logs import StandardLogs
from .viewed import Viewed

log = logging.getLogger("cloudfront_local")
_made = threading.Lock()


class CloudFrontLogs:
    def __init__(self, application):
        self.application = application
        self.standard = StandardLogs(application.settings)
        self.realtime = RealtimeLogs(application.settings)

    def viewed(self, viewed: Viewed, behavior: dict) -> None:
        """Log one finished viewer request of a distribution (the edge calls this only for one that logs),
        under `behavior`: the one chosen, or for a request refused before one was, the one its path has. Runs
        where the edge reads the store (the event loop), so the configurations it reads are the ones the
        request was answered with."""
        try:
            config = None
            if behavior.get("RealtimeLogConfigArn"):
                with self.application.store.transaction() as tx:
                    config = self.realtime.config_for(tx, viewed.site, behavior)
            self.standard.record(viewed)
            if config is not None:
                self.realtime.record(viewed, config, behavior)
        except Exception:  # a log that cannot be written must not change the viewer's answer
            log.error("edge: cannot log a viewer request\n%s", traceback.format_exc())

    def close(self) -> None:
        self.standard.close()
        self.realtime.close()


def of(application) -> CloudFrontLogs:
    """The application's logs, made at its first viewer request; its close flushes them."""
    logs = getattr(application, "cloudfront_logs", None)
    if logs is None:
        with _made:
            logs = getattr(application, "cloudfront_logs", None)
            if logs is None:
                logs = application.cloudfront_logs = CloudFrontLogs(application)
                application.closing.append(logs.close)
    return logs
