"""Low-level reading helpers shared by the readers of real files (Excel workbooks, text files).

Real French open-data files have title rows above their header, various encodings and,
sometimes, Excel styles that openpyxl rejects. These helpers find the header by its content,
never by a fixed offset, and turn every failure into a message that names the file.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from cls_analysis.errors import FileFormatError

__all__ = [
    "find_header_row",
    "open_workbook",
    "read_sheet",
    "require_file",
    "sheet_names",
]


def require_file(path: str | Path, what: str) -> Path:
    """Return ``path`` as a :class:`Path` if it is an existing, non-empty file.

    >>> require_file("/nonexistent/EPCI.xlsx", "le fichier EPCI de l'Insee")
    Traceback (most recent call last):
    ...
    cls_analysis.errors.FileFormatError: EPCI.xlsx : fichier introuvable (le fichier EPCI de l'Insee attendu à /nonexistent/EPCI.xlsx).
    """
    file = Path(path)
    if not file.is_file():
        raise FileFormatError(f"fichier introuvable ({what} attendu à {file}).", file)
    if file.stat().st_size == 0:
        raise FileFormatError(f"fichier vide ({what} attendu).", file)
    return file


def _without_styles(path: Path, target: Path) -> None:
    """Copy an xlsx without ``xl/styles.xml`` (some INSEE workbooks have styles openpyxl rejects)."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename != "xl/styles.xml":
                out.writestr(item, source.read(item.filename))


@contextmanager
def open_workbook(path: str | Path, what: str = "un classeur Excel") -> Iterator[object]:
    """Open an ``.xlsx`` read-only with openpyxl; styles openpyxl rejects are dropped.

    Yields an :class:`openpyxl.Workbook` (values only). Errors name the file.
    """
    import openpyxl

    file = require_file(path, what)
    if not zipfile.is_zipfile(file):
        raise FileFormatError(
            f"ce n'est pas un classeur Excel .xlsx ({what} attendu) ; s'il s'agit d'un ancien "
            ".xls, ouvrez-le dans un tableur et enregistrez-le au format .xlsx.",
            file,
        )
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise FileFormatError(f"classeur illisible ou tronqué ({exc}).", file) from exc
    except Exception:
        # Known INSEE quirk: a styles.xml that openpyxl cannot parse. Retry without it.
        tmpdir = Path(tempfile.mkdtemp(prefix="cls_xlsx_"))
        try:
            fixed = tmpdir / file.name
            _without_styles(file, fixed)
            workbook = openpyxl.load_workbook(fixed, read_only=True, data_only=True)
        except Exception as exc:
            shutil.rmtree(tmpdir, ignore_errors=True)
            raise FileFormatError(f"classeur illisible ({exc}).", file) from exc
    try:
        yield workbook
    finally:
        workbook.close()


def sheet_names(path: str | Path) -> list[str]:
    """Names of the sheets of a workbook."""
    with open_workbook(path) as workbook:
        return list(workbook.sheetnames)


def find_header_row(
    rows: Iterable[Sequence[object]],
    required: Iterable[str],
    *,
    max_rows: int = 40,
) -> int | None:
    """Index of the first row that contains every ``required`` label (case-insensitive).

    >>> find_header_row([["Titre"], [], ["CODGEO", "LIBGEO"]], ["codgeo"])
    2
    >>> find_header_row([["Titre"]], ["CODGEO"]) is None
    True
    """
    wanted = {r.strip().lower() for r in required}
    for index, row in enumerate(rows):
        if index >= max_rows:
            break
        cells = {str(c).strip().lower() for c in row if c is not None}
        if wanted <= cells:
            return index
    return None


def read_sheet(
    path: str | Path,
    sheet: str,
    required: Sequence[str],
    *,
    what: str,
    max_header_row: int = 40,
) -> tuple[pd.DataFrame, list[list[object]]]:
    """Read one sheet whose header row contains ``required`` labels, wherever it is.

    Returns the table (every cell as text, empty cells as ``<NA>``, indexed by the sheet's
    row numbers as Excel shows them, so that messages can name rows) and the rows above the
    header (title rows, for vintage information). Raises
    :class:`~cls_analysis.errors.FileFormatError` naming the sheet and the missing columns.
    """
    with open_workbook(path, what) as workbook:
        if sheet not in workbook.sheetnames:
            raise FileFormatError(
                f"feuille « {sheet} » absente ({what} attendu) ; feuilles trouvées : "
                f"{', '.join(workbook.sheetnames)}.",
                path,
            )
        rows = list(workbook[sheet].iter_rows(values_only=True))
    header_index = find_header_row(rows, required, max_rows=max_header_row)
    if header_index is None:
        first = next((r for r in rows if any(c is not None for c in r)), ())
        raise FileFormatError(
            f"feuille « {sheet} » : aucune ligne d'en-tête contenant les colonnes "
            f"{', '.join(required)} dans les {max_header_row} premières lignes "
            f"(première ligne non vide : {[c for c in first if c is not None][:6]}). "
            f"Ce fichier n'est pas {what}, ou son format a changé.",
            path,
        )
    header = [str(c).strip() if c is not None else f"colonne_{i + 1}" for i, c in enumerate(rows[header_index])]
    numbered = [
        (header_index + 2 + offset, r)
        for offset, r in enumerate(rows[header_index + 1 :])
        if any(c is not None and str(c).strip() for c in r)
    ]
    width = len(header)
    table = pd.DataFrame(
        [list(r[:width]) + [None] * (width - len(r)) for _, r in numbered],
        columns=header,
        index=pd.Index([n for n, _ in numbered], name="ligne"),
    )
    table = table.map(lambda v: None if v is None else (str(v).strip() or None))
    return table.astype("string"), [list(r) for r in rows[:header_index]]
