"""The spec kit shared by every kata spec (a pytest plugin: see `specs.plugin`)."""

from specs.checks import outcome, rejects, settle
from specs.http import MockHttp, Reply, mocked_http, mocked_server, sessions_opened
from specs.implementation import implementation
from specs.jobs import JobRecord, Jobs
from specs.messages import listing, now, secs, show, were

__all__ = ["JobRecord", "Jobs", "MockHttp", "Reply", "implementation", "listing", "mocked_http",
           "mocked_server", "now", "outcome", "rejects", "secs", "sessions_opened", "settle",
           "show", "were"]
