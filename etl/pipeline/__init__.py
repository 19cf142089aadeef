"""The pipeline's private parts: pure stages, the warehouse writer, the sources.

Public entry points are ``etl.services`` (runs) and ``etl.selectors`` (reads).
"""
