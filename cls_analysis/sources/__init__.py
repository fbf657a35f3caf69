"""Readers of the real French files → observations (see :mod:`cls_analysis.observations`).

One module per source format; each reader returns a validated observations table whose
``attrs["report"]`` says what was read (vintage, COG, rows, secret and missing cells, repairs,
problems). :func:`read_folder` recognises and reads every known file of a folder.

========================  ==========================================================
reader                    files
========================  ==========================================================
:func:`read_insee_rp`     INSEE base-cc (zip, CSV, old XLSX), base du comparateur
:func:`read_population_age`  INSEE POP1B, population by sex and single year of age
:func:`read_filosofi`     INSEE Filosofi (classic, chiffres-clés, Melodi long format)
:func:`read_apl`          DREES APL workbooks
:func:`read_geoclip`      CartoSanté / INSEE Statistiques locales exports (Géoclip)
:func:`read_ameli_demography`  Ameli open data, démographie des professionnels de santé
:func:`read_ameli_pathologies` Ameli cartographie des pathologies (effectifs.csv)
:func:`read_finess`       FINESS extraction (etalab-cs1100507/502)
:func:`read_deaths`       deaths by commune, sex, age band and cause (CépiDc extraction)
:func:`read_tidy`         generic tidy CSV/XLSX (the observations columns)
:func:`read_folder`       every known file of a folder, with a report
========================  ==========================================================

Readers are imported on first use:

>>> from cls_analysis import sources
>>> sorted(n for n in sources.__all__ if n.startswith("read_"))[:3]
['read_ameli_demography', 'read_ameli_pathologies', 'read_apl']
"""

from __future__ import annotations

import importlib

from cls_analysis.sources import measures

_READERS = {
    "read_insee_rp": "insee_rp",
    "read_population_age": "insee_population",
    "read_filosofi": "filosofi",
    "read_apl": "apl",
    "read_geoclip": "geoclip",
    "read_ameli_demography": "ameli",
    "read_ameli_pathologies": "ameli",
    "read_finess": "finess",
    "read_deaths": "deaths",
    "read_tidy": "tidy",
    "read_folder": "folder",
    "recognise": "folder",
    "FolderReport": "folder",
    "format_report": "folder",
    "SourceReport": "_common",
    "DEMO_NOTE": "_common",
}

__all__ = ["measures", *_READERS]


def __getattr__(name: str):
    module = _READERS.get(name)
    if module is None:
        raise AttributeError(f"module 'cls_analysis.sources' has no attribute {name!r}")
    return getattr(importlib.import_module(f"cls_analysis.sources.{module}"), name)


def __dir__():
    return sorted(__all__)
