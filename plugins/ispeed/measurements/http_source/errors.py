"""What a pull of the HTTP source can stop with."""

from __future__ import annotations


class HttpPullError(RuntimeError):
    """The pull stopped. The pages fetched before are kept; the next run resumes after them."""


class HttpSourceRefused(HttpPullError):
    """The endpoint refused the request (401/403/404, another 4xx) or the connection is unusable:
    retrying cannot help until someone fixes the token, the URL or the connection."""


class HttpSourceUnavailable(HttpPullError):
    """The endpoint kept failing (connection errors, timeouts, 429, 5xx) after every retry; a later
    run (an Airflow task retry) resumes where this one stopped."""


class MalformedPage(HttpPullError):
    """A page's body is not the documented JSON."""
