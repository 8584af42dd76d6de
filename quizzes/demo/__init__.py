"""Demo data for ``manage.py demo``: the shipped document and hand-checked questions."""
