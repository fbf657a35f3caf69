"""Readers of the real French files → observations (see :mod:`cls_analysis.observations`).

One module per source format; each reader returns a validated observations table whose
``attrs["report"]`` says what was read (vintage, COG, rows, secret and missing cells, repairs,
problems). :func:`read_folder` recognises and reads every known file of a folder.

>>> from cls_analysis import sources
>>> sorted(n for n in sources.__all__ if n.startswith("read_"))[:3]
['read_ameli_demography', 'read_ameli_pathologies', 'read_apl']
"""

from __future__ import annotations

from cls_analysis.sources import measures
from cls_analysis.sources._common import DEMO_NOTE, SourceReport
from cls_analysis.sources.insee_rp import read_insee_rp

__all__ = [
    "DEMO_NOTE",
    "SourceReport",
    "measures",
    "read_insee_rp",
]
