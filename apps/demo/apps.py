from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Builds a believable demo shop through every app's public services (``seed_demo``)."""

    name = "apps.demo"
    label = "demo"
    verbose_name = "Demo"
