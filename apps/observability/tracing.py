"""OpenTelemetry traces for Django requests, psycopg queries and Celery tasks.

Off by default. With ``OTEL_EXPORTER_OTLP_ENDPOINT`` set (the standard variable of the
OTLP exporter, e.g. ``http://collector:4318``) every web and worker process sends its
spans there over OTLP/HTTP; ``OTEL_SERVICE_NAME`` names the service.
"""

import logging

from django.conf import settings

logger = logging.getLogger(__name__)

_provider = None


def configure_from_settings() -> None:
    if not settings.OTEL_EXPORTER_OTLP_ENDPOINT:
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    tracing_configure(exporter=OTLPSpanExporter(), batch=True)
    logger.info("tracing to %s", settings.OTEL_EXPORTER_OTLP_ENDPOINT)


def tracing_configure(*, exporter, batch: bool = True):
    """Install a tracer provider exporting to ``exporter`` and instrument the libraries.

    Call before the WSGI handler loads its middleware (``ready()`` is). Returns the
    provider; a second call keeps the first (instrumentation is once per process).
    """
    global _provider
    if _provider is not None:
        return _provider
    from opentelemetry import trace
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(
        resource=Resource.create({"service.name": settings.OTEL_SERVICE_NAME})
    )
    processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        trace.set_tracer_provider(provider)  # once per process; instrumentors get it directly
    DjangoInstrumentor().instrument(tracer_provider=provider)
    PsycopgInstrumentor().instrument(tracer_provider=provider, skip_dep_check=True)
    CeleryInstrumentor().instrument(tracer_provider=provider)
    _provider = provider
    return provider


def tracing_shutdown() -> None:
    """Undo ``tracing_configure`` (tests): remove the instrumentation, flush the spans."""
    global _provider
    if _provider is None:
        return
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor

    DjangoInstrumentor().uninstrument()
    PsycopgInstrumentor().uninstrument()
    CeleryInstrumentor().uninstrument()
    _provider.shutdown()
    _provider = None
