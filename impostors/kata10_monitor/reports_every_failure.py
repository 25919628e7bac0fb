"""Records a state change after every failed check, not only when the state flips."""

import asyncio

from reference.kata10_monitor.monitor import *  # noqa: F403
from reference.kata10_monitor.monitor import Monitor as _Monitor


class Monitor(_Monitor):
    def _record(self, url, up, latency):
        report = self.reports[url]
        was = report.up
        super()._record(url, up, latency)
        if not up and was is False:
            self.changes.append((asyncio.get_running_loop().time(), url, up))
