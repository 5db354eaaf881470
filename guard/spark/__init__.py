"""guard's audit on Apache Spark (the optional extra: `pip install 'guard[spark]'`).

The same audit as `guard audit`, where a data team's chat logs live: the
executors run the same Guard (built once per executor process from the
driver's lexicons, shipped to them) and the same chunk unit
(guard/audit/chunk.py), over rows partitioned by conversation and sorted by
time; the partial reports merge into the one `Report` every renderer reads.

    ship.py     the lexicons' journey to the executors; one Auditor per process
    stages.py   executor side (pyarrow, no pyspark): records read and validated; partitions audited
    inputs.py   driver side: paths → files → numbered lines or typed rows → records
    audit.py    driver side: partition, audit, merge; audit_dataframe, findings_dataframe
    command.py  `guard audit --spark [MASTER] LOG...`
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guard.spark.audit import audit_dataframe, findings_dataframe

__all__ = ["audit_dataframe", "findings_dataframe"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from guard.spark import audit

        return getattr(audit, name)
    raise AttributeError(name)
