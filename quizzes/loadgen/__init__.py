"""Load data for timing reports at scale (``manage.py seed_load``, ``bench/reports.py``):
``seed`` builds a realistic data set of any size, ``writer`` writes its rows in bulk with
its own keys (``COPY`` on PostgreSQL). Not a service: it writes around the services on
purpose, for speed, into a database nobody else is writing to."""
