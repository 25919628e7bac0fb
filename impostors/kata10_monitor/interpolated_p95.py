"""Computes p95 by interpolation (statistics.quantiles), not by nearest rank as specified."""

import statistics

from reference.kata10_monitor.monitor import *  # noqa: F403
from reference.kata10_monitor.monitor import Latency
from reference.kata10_monitor.monitor import ServiceReport as _ServiceReport


class ServiceReport(_ServiceReport):
    @property
    def latency(self):
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        p95 = statistics.quantiles(ordered, n=20)[-1] if len(ordered) > 1 else ordered[0]
        return Latency(ordered[0], statistics.median(ordered), p95, ordered[-1])
