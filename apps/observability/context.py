"""What the current request or task is, for every log line and every task it causes.

Context variables follow a request through its thread and an eager task through the
same call; a task run by a worker gets the request id from its message header (see
``celery_signals``).
"""

import re
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
user_id_var: ContextVar[int | None] = ContextVar("user_id", default=None)
task_id_var: ContextVar[str | None] = ContextVar("task_id", default=None)

# An id from the proxy (nginx's $request_id) is kept when it looks like one; anything
# else is replaced, so a client cannot write arbitrary text into the logs.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_new(incoming: str | None = None) -> str:
    if incoming and _SAFE_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return request_id_var.get()
