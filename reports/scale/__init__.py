"""District-scale data for the benchmarks: valid made-up records of every app, written with COPY.

`generate_scale` fills PostgreSQL with N persons (services.registry.sample, so ID and certificate numbers are
valid) and Y years of their service records, at rates modelled on the 2023 figures of the article
scaled to the registry's size: 200,000 persons and 10 years give about 2 million service records.
Rows go in with PostgreSQL's COPY inside one transaction (a failure writes nothing), with primary
keys reserved under table locks so child rows can point at their parents. Memory stays flat whatever the
size: each table's rows go to temporary files in sorted runs and are merged into COPY when their step is
done, and the persons are kept as arrays of numbers. simple_history rows are
not written for bulk data: nobody edited these records, and history would double the volume.

The package: plan (how much is written), tables (the COPY writer), load (foreign keys and indexes
dropped for the load, made again after it), result (what a run wrote, the stamp), base (what the record
groups share), one module per group of records (registry, visits, accessibility, employment, events,
rehabilitation) and run (the checks, the transaction, VACUUM).
"""

from .result import ScaleResult, stamp
from .run import ScaleRefused, check_can_run, generate_scale

__all__ = ["ScaleRefused", "ScaleResult", "check_can_run", "generate_scale", "stamp"]
