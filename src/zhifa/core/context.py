"""Per-request context (request id, client address) for the full-process record, set by the middleware
and by CLI/task entry points."""

import contextvars
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str = ""


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar("zhifa_request", default=RequestContext())  # noqa: B039 - frozen


def current() -> RequestContext:
    return _current.get()


def bind(*, request_id: str | None = None, ip_address: str = "") -> contextvars.Token:
    return _current.set(RequestContext(request_id=request_id or uuid.uuid4().hex, ip_address=ip_address))


def reset(token: contextvars.Token) -> None:
    _current.reset(token)
