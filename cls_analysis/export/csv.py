"""CSV for French Excel: ``;`` separator, decimal comma, UTF-8 with BOM, written atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cls_analysis._atomic import atomic_path

__all__ = ["write_csv_fr"]


def write_csv_fr(table: pd.DataFrame, path: str | Path, *, float_decimals: int | None = None) -> Path:
    """Write ``table`` as a CSV that French Excel opens correctly by double-click.

    Numbers stay numbers (decimal comma, no thousands separator); codes stay text.

    Parameters
    ----------
    table : DataFrame
    path : path
    float_decimals : int, optional
        Round floats to this many decimals.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_csv_fr(pd.DataFrame({"code": ["01001"], "taux": [12.5]}), out)
    >>> out.read_bytes()
    b'\\xef\\xbb\\xbfcode;taux\\r\\n01001;12,5\\r\\n'
    """
    target = Path(path)
    frame = table.copy()
    list_columns = [c for c in frame.select_dtypes("object").columns
                    if frame[c].map(lambda v: isinstance(v, list)).any()]
    for column in list_columns:
        frame[column] = frame[column].map(lambda v: ", ".join(map(str, v)) if isinstance(v, list) else v)
    if float_decimals is not None:
        floats = frame.select_dtypes("float").columns
        frame[floats] = frame[floats].round(float_decimals)
    with atomic_path(target) as tmp:
        frame.to_csv(tmp, sep=";", decimal=",", index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return target
