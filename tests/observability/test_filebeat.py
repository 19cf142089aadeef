"""The Filebeat configuration maps every field that the request and task lines carry."""

import json
import logging
from pathlib import Path

import pytest
import yaml
from django.test import Client

pytestmark = pytest.mark.django_db

MONITORING = Path(__file__).resolve().parents[2] / "deploy" / "monitoring"


def _declared_fields(entries, prefix="") -> set[str]:
    names = set()
    for entry in entries:
        name = f"{prefix}{entry['name']}"
        if entry.get("type") == "group":
            names |= _declared_fields(entry.get("fields", []), f"{name}.")
        else:
            names.add(name)
    return names


def _mapped() -> set[str]:
    """Every key of a log line that Filebeat renames, parses, drops or types."""
    config = yaml.safe_load((MONITORING / "filebeat.yml").read_text())
    target = config["filebeat.inputs"][0]["parsers"][0]["ndjson"]["target"]
    mapped = set()
    for processor in config["processors"]:
        if "rename" in processor:
            mapped |= {field["from"] for field in processor["rename"]["fields"]}
        if "timestamp" in processor:
            mapped.add(processor["timestamp"]["field"])
        if "drop_fields" in processor:
            mapped |= set(processor["drop_fields"]["fields"])
    fields = yaml.safe_load((MONITORING / "filebeat-fields.yml").read_text())
    mapped |= _declared_fields(fields[0]["fields"])
    return {name.removeprefix(f"{target}.") for name in mapped}


class _Keys(logging.Handler):
    def __init__(self, formatter):
        super().__init__()
        self.setFormatter(formatter)
        self.keys: set[str] = set()

    def emit(self, record):
        self.keys |= set(json.loads(self.format(record)))


def test_every_field_of_a_request_line_and_a_task_line_is_mapped():
    request_logger = logging.getLogger("electropluz.requests")
    capture = _Keys(request_logger.handlers[0].formatter)
    for flt in request_logger.handlers[0].filters:
        capture.addFilter(flt)
    request_logger.addHandler(capture)
    logging.getLogger("electropluz.tasks").addHandler(capture)
    try:
        Client().get("/healthz")
        from apps.core.tasks import outbox_sweep

        outbox_sweep.delay()
    finally:
        request_logger.removeHandler(capture)
        logging.getLogger("electropluz.tasks").removeHandler(capture)
    assert {"request_id", "route", "duration_ms", "task_id", "outcome"} <= capture.keys
    assert capture.keys - _mapped() == set()


def test_both_log_files_are_shipped():
    config = yaml.safe_load((MONITORING / "filebeat.yml").read_text())
    paths = [path for entry in config["filebeat.inputs"] for path in entry["paths"]]
    assert any(path.endswith("/requests.log*") for path in paths)
    assert any(path.endswith("/app.log*") for path in paths)
