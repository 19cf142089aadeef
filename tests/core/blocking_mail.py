"""A mail backend for the crash test: it says it is sending, then hangs until killed."""

import os
import pathlib
import time

from django.core.mail.backends.base import BaseEmailBackend


class HangingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        pathlib.Path(os.environ["HANGING_MAIL_MARKER"]).write_text("sending")
        time.sleep(600)  # the test kills the process here
        return 0
