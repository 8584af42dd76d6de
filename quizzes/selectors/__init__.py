"""Read queries that need care: one module per concern (``access``, ``home``, …).

Selectors never write. They return querysets, model instances annotated in the database,
or small frozen dataclasses, and each documents how many queries it runs.
"""
