"""Shared machinery of the readers: text decoding, delimited tables, numbers, codes, reports.

Every reader turns one real file into observations (see :mod:`cls_analysis.observations`)
and attaches a :class:`SourceReport` (``obs.attrs["report"]``): what the file was recognised
as, its vintage, its rows, secret and missing cells, the repairs made and the problems found.
Fatal problems raise :class:`~cls_analysis.errors.FileFormatError` with a French message
naming the file, the column or row, what was found and what to do.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cls_analysis._io import require_file
from cls_analysis._keys import category_codes, countable, factorize, factorize_keys
from cls_analysis.errors import ClsAnalysisError, CodeError, FileFormatError, describe_rows
from cls_analysis.geo.codes import normalize_commune_codes
from cls_analysis.sources import measures as _measures

__all__ = [
    "DEMO_NOTE",
    "SourceReport",
    "Table",
    "decode",
    "finish",
    "parse_numbers",
    "read_delimited",
    "read_member",
    "require_columns",
]

#: The label every demo observation carries in its source.
DEMO_NOTE = "Données fictives de démonstration"

SECRET_MARKERS = {
    "s", "secret", "nd", "n.d.", "n/d", "c", "confidentiel", "n/a - secret statistique",
    "secret statistique", "so",
}
MISSING_MARKERS = {
    "", "na", "n/a", "nan", "-", "..", "…", "null", "n/a - résultat non disponible",
    "résultat non disponible", "non disponible", "x",
}
_COMMUNE_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_NUMBER_LIKE = re.compile(r"^[+-]?[\d\s\u202f\u00a0]*\d(?:[.,]\d*)?(?:[eE][+-]?\d+)?$")


@dataclass
class SourceReport:
    """What a reader found in one file (shown by ``cls-analysis verifier``).

    Attributes
    ----------
    path : Path
    kind : str
        What the file was recognised as, in French.
    vintage : str
        Millésime(s) of the data, in French (``RP 2021 (et 2015)``).
    cog : int or None
        COG vintage of the commune codes.
    zones : int
        Number of distinct zones.
    rows : int
        Number of observations.
    secret, missing : int
        Observations withheld by the producer / without value.
    notes : list of str
        Repairs and information (not problems).
    problems : list of str
        Problems found that did not stop the reading.
    """

    path: Path
    kind: str
    vintage: str = ""
    cog: int | None = None
    zones: int = 0
    rows: int = 0
    secret: int = 0
    missing: int = 0
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------- bytes and text
def read_member(path: str | Path, pattern: str | None = None, *, what: str) -> tuple[bytes, str]:
    """Bytes of a file, or of the member of a zip archive whose name matches ``pattern``.

    Returns ``(data, name)``. A truncated or corrupt archive, an empty file or a missing member
    raise :class:`FileFormatError` saying what to do.
    """
    file = require_file(path, what)
    if not zipfile.is_zipfile(file):
        if file.suffix.lower() == ".zip":
            raise FileFormatError(
                f"archive zip illisible ou tronquée ({what} attendu) : téléchargez-la à nouveau.",
                file,
            )
        return file.read_bytes(), file.name
    try:
        with zipfile.ZipFile(file) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            chosen = [n for n in names if pattern is None or re.search(pattern, Path(n).name, re.I)]
            if not chosen:
                raise FileFormatError(
                    f"aucun fichier attendu dans l'archive ({what}) ; fichiers trouvés : "
                    f"{describe_rows(names)}.",
                    file,
                )
            name = chosen[0]
            return archive.read(name), Path(name).name
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
        raise FileFormatError(
            f"archive zip illisible ou tronquée ({exc}) : téléchargez-la à nouveau.", file
        ) from exc


def decode(data: bytes, path: Path | str | None = None) -> tuple[str, str]:
    """Decode text: UTF-8 (with or without BOM), else Windows-1252. Returns ``(text, encoding)``.

    >>> decode("é".encode("cp1252"))
    ('é', 'cp1252')
    >>> decode("\\ufeffCode".encode("utf-8"))
    ('Code', 'utf-8-sig')
    """
    if not data[:4096].strip() and not data.strip():
        raise FileFormatError("fichier vide.", path)
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _sniff_separator(line: str) -> str:
    counts = {sep: line.count(sep) for sep in (";", "\t", ",", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ";"


@dataclass
class Table:
    """A delimited table read as text: cells are strings, empty cells ``""``.

    ``first_line`` is the file line number of the first data row (1-based), so that row ``i``
    of :attr:`frame` is line ``first_line + i``. ``preamble`` holds the lines above the header.
    """

    frame: pd.DataFrame
    first_line: int
    separator: str
    encoding: str
    preamble: list[str]
    name: str

    def line(self, index: int | Iterable[int]) -> int | np.ndarray:
        """File line numbers of data rows (positional)."""
        if isinstance(index, (int, np.integer)):
            return self.first_line + int(index)
        if isinstance(index, range):
            return np.arange(index.start, index.stop) + self.first_line
        return np.asarray(list(index), dtype=np.int64) + self.first_line


def read_delimited(
    data: bytes,
    *,
    path: Path | str,
    required: Sequence[str] = (),
    separator: str | None = None,
    header: bool = True,
    what: str,
    max_header_line: int = 40,
    report: SourceReport | None = None,
    expected_separator: str = ";",
    expected_header_line: int = 0,
    numeric: Callable[[str], bool] | None = None,
) -> Table:
    """Read a delimited text file, finding its header line by content.

    Cells are read as text (empty cells ``""``), except the columns for which ``numeric(name)``
    is true in large files, which are parsed as numbers at C speed when they are clean (text
    cells such as ``s`` make them text again; :func:`parse_numbers` reads both).

    Parameters
    ----------
    data : bytes
    path : path
        For messages.
    required : sequence of str
        Column names that identify the header line (case-insensitive).
    separator : str, optional
        Forced separator; by default sniffed on the header line (``;``, tab, ``,``, ``|``).
    header : bool
        Whether the file has a header line (FINESS has none).
    what : str
        What the file should be, for messages.
    report : SourceReport, optional
        Receives notes on repairs (encoding, separator, header moved).
    expected_separator : str
        The separator of the documented format; another one is noted as a repair.
    expected_header_line : int
        Where the header is in the documented format (0-based); elsewhere is noted.
    numeric : callable, optional
        Which columns hold numbers.
    """
    fast = _read_large_utf8(data, path, required, separator, header, max_header_line, numeric)
    if fast is not None:
        frame, header_index, sep, encoding, head_lines = fast
    else:
        text, encoding = decode(data, path)
        head_lines = text[:200_000].splitlines()[:max_header_line]
        header_index = _header_index(head_lines, required, separator, header, max_header_line, what, path)
        sep = separator or _sniff_separator(head_lines[header_index] if head_lines else "")
    if report is not None:
        if encoding == "cp1252":
            report.notes.append("encodage Windows-1252 (cp1252) détecté et converti.")
        if sep != expected_separator:
            shown = {"\t": "tabulation"}.get(sep, sep)
            report.notes.append(f"séparateur « {shown} » détecté (au lieu de « {expected_separator} »).")
        if header and header_index != expected_header_line and required:
            report.notes.append(f"en-tête trouvé à la ligne {header_index + 1}.")
    if fast is None:
        # the body starts at the header line
        offset = 0
        for _ in range(header_index):
            offset = text.index("\n", offset) + 1
        body = text[offset:] if offset else text
        try:
            frame = _parse_text(body, sep, header, numeric)
        except (pd.errors.ParserError, ValueError) as exc:
            raise FileFormatError(
                f"lecture impossible comme tableau délimité par « {sep} » ({exc}). Vérifiez le "
                "séparateur et les guillemets.",
                path,
            ) from exc
    frame.columns = [str(c).strip().lstrip("\ufeff").strip('"') for c in frame.columns]
    return Table(
        frame=frame,
        first_line=header_index + (2 if header else 1),
        separator=sep,
        encoding=encoding,
        preamble=head_lines[:header_index],
        name=Path(path).name,
    )


def _header_index(head_lines, required, separator, header, max_header_line, what, path) -> int:
    """Index of the header line among the first lines (0 without ``required``)."""
    if not (header and required):
        return 0
    wanted = {r.strip().lower() for r in required}
    for i, line in enumerate(head_lines):
        sep = separator or _sniff_separator(line)
        cells = {c.strip().strip('"').strip().lower() for c in line.split(sep)}
        if wanted <= cells:
            return i
    first = next((ln for ln in head_lines if ln.strip()), "")
    sep = separator or _sniff_separator(first)
    found = [c.strip().strip('"') for c in first.split(sep)][:12]
    raise FileFormatError(
        f"aucune ligne d'en-tête avec les colonnes {', '.join(required)} dans les "
        f"{max_header_line} premières lignes ({what} attendu) ; première ligne : "
        f"{found}. Vérifiez qu'il s'agit du bon fichier, ou renommez les colonnes.",
        path,
    )


#: Bodies longer than this (in characters) are parsed by pyarrow (typed columns, threads).
_ARROW_MIN_CHARS = 5_000_000


def _read_large_utf8(data: bytes, path, required, separator, header, max_header_line, numeric):
    """Fast path of :func:`read_delimited` for large UTF-8 files: pyarrow reads the bytes.

    Gives exactly what decoding the whole file, finding the header and parsing the text
    would give, without decoding (and re-encoding) tens of megabytes. Returns None whenever
    that equivalence is not certain (small file, not UTF-8, header not found, parse error):
    the caller then takes the general path, which reports the problem.
    """
    if len(data) <= _ARROW_MIN_CHARS:
        return None
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    encoding = "utf-8-sig" if start else "utf-8"
    # the first lines, as decode() would give them (200,000 characters at most)
    chunk = data[start : start + 1_000_000]
    if len(chunk) == 1_000_000:
        while chunk and 0x80 <= chunk[-1] < 0xC0:  # do not cut a character
            chunk = chunk[:-1]
        chunk = chunk[:-1] if chunk and chunk[-1] >= 0xC0 else chunk
    try:
        head = chunk.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not head.strip():
        return None
    head_lines = head[:200_000].splitlines()[:max_header_line]
    try:
        header_index = _header_index(head_lines, required, separator, header, max_header_line, "", path)
    except FileFormatError:
        return None
    sep = separator or _sniff_separator(head_lines[header_index] if head_lines else "")
    offset = start
    for _ in range(header_index):
        offset = data.find(b"\n", offset) + 1
        if offset == 0:
            return None
    body = memoryview(data)[offset:]
    size = len(body)
    if size <= 4 * _ARROW_MIN_CHARS:  # characters = bytes that do not continue a character
        continuation = np.frombuffer(body, dtype=np.uint8) & 0xC0 == 0x80
        size -= int(np.count_nonzero(continuation))
    if size <= _ARROW_MIN_CHARS:
        return None
    try:
        frame = _parse_arrow(body, sep, header, numeric)
    except Exception:
        return None
    return frame, header_index, sep, encoding, head_lines


def _parse_text(body: str, sep: str, header: bool, numeric) -> pd.DataFrame:
    if len(body) > _ARROW_MIN_CHARS:
        try:
            return _parse_arrow(body, sep, header, numeric)
        except Exception:
            pass
    if numeric is not None and header:
        names = [c.strip().strip('"') for c in body.split("\n", 1)[0].rstrip("\r").split(sep)]
        numbers = [n for n in names if numeric(n)]
        if numbers and len(set(names)) == len(names):
            frame = pd.read_csv(
                io.StringIO(body),
                sep=sep,
                dtype={n: str for n in names if n not in numbers},
                keep_default_na=False,
                na_values={n: [""] for n in numbers},
                engine="c",
                quotechar='"',
                skip_blank_lines=True,
            )
            for n in names:
                if n not in numbers:
                    frame[n] = frame[n].fillna("")
            return frame
    return pd.read_csv(
        io.StringIO(body),
        sep=sep,
        header=0 if header else None,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        engine="c",
        quotechar='"',
        skip_blank_lines=True,
    )


def _parse_arrow(body: str | bytes | memoryview, sep: str, header: bool, numeric) -> pd.DataFrame:
    """Parse a delimited body with pyarrow (``body``: text, or UTF-8 bytes)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if isinstance(body, str):
        end = body.find("\n")
        first = body if end < 0 else body[:end]
        encoded = body.encode("utf-8")
    else:
        encoded = body
        end = bytes(body[:200_000]).find(b"\n")
        end = bytes(body).find(b"\n") if end < 0 else end
        first = bytes(body if end < 0 else body[:end]).decode("utf-8")
    first = first.rstrip("\r")
    names = [c.strip().strip('"') for c in first.split(sep)]
    if not header:
        names = [str(i) for i in range(len(names))]

    def read(text_only: bool):
        text_type = pa.dictionary(pa.int32(), pa.string())
        types = {
            n: text_type if text_only or numeric is None or not numeric(n) else pa.float64() for n in names
        }
        return pacsv.read_csv(
            pa.BufferReader(encoded),
            read_options=pacsv.ReadOptions(skip_rows=1 if header else 0, column_names=names, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(delimiter=sep),
            convert_options=pacsv.ConvertOptions(
                column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )

    try:
        table = read(text_only=False)
    except pa.ArrowInvalid:
        table = read(text_only=True)
    frame = table.to_pandas()
    if not header:
        frame.columns = range(len(frame.columns))
    return frame


def require_columns(found: Iterable[str], expected: Sequence[str], *, path, what: str) -> None:
    """Raise a message listing expected and found columns when some are missing.

    >>> require_columns(["CODGEO", "P21_POP"], ["CODGEO", "LIBGEO"], path="f.csv", what="un fichier")
    Traceback (most recent call last):
    ...
    cls_analysis.errors.FileFormatError: f.csv : colonne(s) absente(s) : LIBGEO (un fichier attendu). Colonnes attendues : CODGEO, LIBGEO ; colonnes trouvées : CODGEO, P21_POP.
    """
    found = list(found)
    upper = {str(c).upper() for c in found}
    missing = [c for c in expected if c.upper() not in upper]
    if missing:
        raise FileFormatError(
            f"colonne(s) absente(s) : {', '.join(missing)} ({what} attendu). Colonnes attendues : "
            f"{', '.join(expected)} ; colonnes trouvées : {describe_rows(found, 15)}.",
            path,
        )


# ---------------------------------------------------------------------------- numbers
def parse_numbers(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    path,
    lines: np.ndarray | Sequence[int] | None = None,
    empty: str = "missing",
    extra_secret: Iterable[str] = (),
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Parse text cells into numbers and statuses; every unreadable cell is reported at once.

    Dot or comma decimals, spaces as thousands separators; secret markers (``s``, ``nd``,
    ``N/A - secret statistique``, ``c``…) give status ``secret``, missing markers (``NA``,
    ``-``, ``N/A - résultat non disponible``…) give ``missing``; empty cells get ``empty``.

    Returns
    -------
    values, statuses : dict of column → ndarray
        Values are NaN unless the status is ``ok``.

    Examples
    --------
    >>> frame = pd.DataFrame({"MED21": ["21 500,5", "s", ""], "TP6021": ["12,4", "nd", "3"]})
    >>> values, status = parse_numbers(frame, ["MED21", "TP6021"], path="x.csv")
    >>> values["MED21"].tolist(), status["MED21"].tolist()
    ([21500.5, nan, nan], ['ok', 'secret', 'missing'])
    >>> parse_numbers(pd.DataFrame({"NB": ["3", "trois"]}), ["NB"], path="x.csv", lines=[2, 3])
    Traceback (most recent call last):
    ...
    cls_analysis.errors.FileFormatError: x.csv : texte dans une colonne de nombres : colonne NB ligne 3 : « trois ». Corrigez ces cellules (un nombre, ou vide si la valeur manque).
    """
    secret = SECRET_MARKERS | {m.lower() for m in extra_secret}
    values, statuses, bad = {}, {}, []
    line_numbers = np.asarray(lines) if lines is not None else np.arange(len(frame)) + 2
    for column in columns:
        raw = frame[column]
        if isinstance(raw.dtype, pd.CategoricalDtype):
            cats = pd.DataFrame({column: np.asarray(raw.cat.categories, dtype=object).astype(str)})
            codes = category_codes(raw)
            try:
                v, st = parse_numbers(cats, [column], path=path, lines=np.arange(len(cats)), empty=empty,
                                      extra_secret=extra_secret)
            except FileFormatError:
                raw = raw.astype(str)  # redo on the rows, to name the lines
            else:
                number = np.where(codes >= 0, v[column][np.clip(codes, 0, None)], np.nan)
                status = np.where(codes >= 0, st[column][np.clip(codes, 0, None)], empty).astype("<U7")
                values[column], statuses[column] = number, status
                continue
        if raw.dtype.kind in "fiu":
            number = raw.to_numpy(dtype=float, copy=True)
            status = np.where(np.isnan(number), empty, "ok").astype("<U7")
            values[column], statuses[column] = number, status
            continue
        text = raw.astype(str)
        number = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, copy=True)
        status = np.full(len(text), "ok", dtype="<U7")
        left = np.isnan(number)
        if left.any():
            codes, uniques = pd.factorize(text[left])
            resolved_value = np.full(len(uniques), np.nan)
            resolved_status = np.empty(len(uniques), dtype="<U7")
            for i, u in enumerate(uniques):
                cell = str(u).strip()
                low = cell.lower()
                if low == "":
                    resolved_status[i] = empty
                elif low in secret:
                    resolved_status[i] = "secret"
                elif low in MISSING_MARKERS:
                    resolved_status[i] = "missing"
                elif _NUMBER_LIKE.match(cell):
                    cleaned = re.sub(r"[\s\u202f\u00a0]", "", cell).replace(",", ".")
                    try:
                        resolved_value[i] = float(cleaned)
                        resolved_status[i] = "ok"
                    except ValueError:
                        resolved_status[i] = "bad"
                else:
                    resolved_status[i] = "bad"
            idx = np.flatnonzero(left)
            number[idx] = resolved_value[codes]
            status[idx] = resolved_status[codes]
            is_bad = status == "bad"
            if is_bad.any():
                for i in np.flatnonzero(is_bad)[:10]:
                    bad.append(f"colonne {column} ligne {line_numbers[i]} : « {text.iloc[i]} »")
                if is_bad.sum() > 10:
                    bad.append(f"… ({int(is_bad.sum())} cellules dans la colonne {column})")
        values[column], statuses[column] = number, status
    if bad:
        raise FileFormatError(
            f"texte dans une colonne de nombres : {'; '.join(bad[:12])}. Corrigez ces cellules "
            "(un nombre, ou vide si la valeur manque).",
            path,
        )
    return values, statuses


class TextColumn:
    """A text column as integer codes and distinct values (cheap on millions of rows).

    >>> column = TextColumn(pd.Series(["a", "b", "a"])).map(str.upper)
    >>> column.values().tolist(), column.bad
    (['A', 'B', 'A'], [])
    """

    def __init__(self, series=None, *, codes=None, uniques=None, bad=()):
        if series is not None:
            codes, uniques = factorize(series)
        self.codes = np.asarray(codes)
        self.uniques = np.asarray(uniques, dtype=object)
        self.bad = list(bad)

    def map(self, func) -> TextColumn:
        mapped = np.array([func(u) for u in self.uniques], dtype=object)
        used = np.zeros(len(self.uniques), dtype=bool)
        used[self.codes[self.codes >= 0]] = True
        bad = [u for u, m, k in zip(self.uniques, mapped, used, strict=True) if m is None and k]
        return TextColumn(codes=self.codes, uniques=mapped, bad=bad)

    def values(self) -> np.ndarray:
        return np.where(self.codes >= 0, self.uniques[np.clip(self.codes, 0, None)], "")

    def categorical(self) -> pd.Categorical:
        from cls_analysis.observations import categorical

        return categorical((self.codes, np.array(["" if u is None else str(u) for u in self.uniques], dtype=object)))


def commune_codes(values: pd.Series, *, path, column: str, lines, report: SourceReport | None) -> pd.Series:
    """Normalise commune codes (leading zero restored, reported), naming the bad lines.

    Works on the distinct codes only and returns a categorical column, so millions of rows
    cost little.
    """
    from cls_analysis.observations import categorical

    codes, uniques = factorize(values)
    stripped = pd.Series([u.strip() if isinstance(u, str) else u for u in uniques], dtype=object)
    try:
        clean = pd.Series(stripped, dtype=object).astype("string").str.fullmatch(_COMMUNE_CODE.pattern).fillna(False).to_numpy(dtype=bool)
        normal = stripped.to_numpy(dtype=object).copy()
        if not clean.all():
            normal[~clean] = normalize_commune_codes(stripped[~clean], where=f"colonne {column}").to_numpy(dtype=object)
    except CodeError:
        # name the lines: redo the check on the rows holding a bad code
        series = pd.Series(values.to_numpy(dtype=object), index=pd.Index(np.asarray(lines), name="ligne"))
        try:
            normalize_commune_codes(series.map(lambda v: v.strip() if isinstance(v, str) else v), where=f"colonne {column}")
        except CodeError as exc:
            raise FileFormatError(str(exc), path) from None
        raise
    if (codes < 0).any():
        first = int(np.flatnonzero(codes < 0)[0])
        raise FileFormatError(
            f"code commune vide (colonne {column}, ligne {np.asarray(lines)[first]}) : chaque ligne doit avoir un code.",
            path,
        )
    short = (stripped.astype(str).str.len() == 4).to_numpy()
    repaired = int(np.bincount(codes, minlength=len(uniques))[short].sum()) if short.any() else 0
    if repaired and report is not None:
        report.notes.append(
            f"{repaired} code(s) commune à 4 chiffres complété(s) d'un zéro initial "
            "(colonne lue comme un nombre par un tableur)."
        )
    return pd.Series(categorical((codes, normal)), index=values.index)


def drop_duplicate_codes(
    frame: pd.DataFrame, key: Sequence[str], *, path, lines: Sequence[int], report: SourceReport
) -> pd.DataFrame:
    """Drop rows repeated identically; raise when a code appears twice with different values."""
    dup = frame.duplicated(list(key), keep=False)
    if not dup.any():
        return frame
    full_dup = frame.duplicated(keep="first")
    conflicting = frame.loc[dup].drop_duplicates().duplicated(list(key), keep=False)
    if conflicting.any():
        codes = frame.loc[dup].drop_duplicates().loc[conflicting, list(key)].drop_duplicates()
        positions = np.flatnonzero(dup.to_numpy())
        details = [
            f"{' '.join(str(v) for v in row)} (lignes "
            f"{', '.join(str(lines[p]) for p in positions if tuple(frame.iloc[p][list(key)]) == tuple(row))})"
            for row in codes.head(5).itertuples(index=False)
        ]
        raise FileFormatError(
            f"code(s) en double avec des valeurs différentes : {'; '.join(details)}"
            f"{'…' if len(codes) > 5 else ''}. Gardez une seule ligne par code.",
            path,
        )
    report.notes.append(f"{int(full_dup.sum())} ligne(s) répétée(s) à l'identique ignorée(s).")
    return frame.loc[~full_dup]


# ---------------------------------------------------------------------------- building observations
def strings(values, n: int) -> pd.Categorical:
    """Text column of length ``n`` (a categorical with sorted categories).

    ``values`` is a scalar (broadcast), an array, or ``(indices, dictionary)``: millions of
    repeated labels cost their indices only.

    >>> list(strings("commune", 2)), list(strings((np.array([1, 0, 1]), np.array(["a", "b"])), 3))
    (['commune', 'commune'], ['b', 'a', 'b'])
    """
    from cls_analysis.observations import categorical

    if isinstance(values, tuple):
        indices, dictionary = values
        return categorical((np.asarray(indices), np.asarray(dictionary, dtype=object)))
    if isinstance(values, (str, np.str_)) or values is None:
        return categorical((np.zeros(n, dtype=np.int64), np.array([values], dtype=object)))
    return categorical(values)


def status_categorical(status: np.ndarray) -> pd.Categorical:
    """Categorical of a status array (``ok``, ``secret``, ``missing``, ``zero``), fast.

    >>> list(status_categorical(np.array(["ok", "secret", "ok"])))
    ['ok', 'secret', 'ok']
    """
    from cls_analysis.observations import categorical

    labels = np.array(["missing", "ok", "secret", "zero"], dtype=object)
    codes = np.full(len(status), -1, dtype=np.int64)
    for k, label in enumerate(labels):
        codes[status == label] = k
    if (codes < 0).any():
        return categorical(np.asarray(status, dtype=object))
    return categorical((codes, labels))


def build(
    *,
    zone_type,
    zone_code,
    period,
    measure,
    sex="all",
    age="all",
    value,
    status,
    source,
    cog: int | None,
) -> pd.DataFrame:
    """Assemble observation columns into a table of the contract.

    Each text column is a scalar (broadcast), an array, or ``(indices, dictionary)``.
    """
    value = np.asarray(value, dtype=float)
    n = len(value)
    if isinstance(status, np.ndarray) and status.dtype.kind in "UO":
        status = status_categorical(status)
    frame = pd.DataFrame(
        {
            "zone_type": strings(zone_type, n),
            "zone_code": strings(zone_code, n),
            "period": strings(period, n),
            "measure": strings(measure, n),
            "sex": strings(sex, n),
            "age": strings(age, n),
            "value": value,
            "status": strings(status, n),
            "source": strings(source, n),
        }
    )
    is_commune = np.asarray(frame["zone_type"].isin(["commune", "arrondissement"]), dtype=bool)
    cog_values = np.full(n, np.nan) if cog is None else np.where(is_commune, float(cog), np.nan)
    frame["cog"] = pd.array(cog_values, dtype="Float64").astype("Int64")
    return frame


def is_count(measure: pd.Series) -> np.ndarray:
    """Boolean array: rows whose measure is a count (registry looked up once per measure)."""

    def count(m) -> bool:
        return _measures.get(m).kind == "count"

    if isinstance(measure.dtype, pd.CategoricalDtype):
        used = np.zeros(len(measure.cat.categories) + 1, dtype=bool)
        codes = category_codes(measure)
        present = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(used) - 1))
        result = np.zeros(len(used), dtype=bool)
        result[present] = [count(m) for m in measure.cat.categories[present]]
        return result[codes]
    return measure.map(count).to_numpy(dtype=bool)


def zero_status(obs: pd.DataFrame) -> pd.DataFrame:
    """Turn ``ok`` zeros of count measures into status ``zero``."""
    zeros = label_mask(obs["status"], "ok") & (obs["value"].to_numpy() == 0)
    if zeros.any():
        from cls_analysis.observations import set_text

        rows = np.flatnonzero(zeros)
        mask = np.zeros(len(obs), dtype=bool)
        mask[rows[is_count(obs["measure"].iloc[rows])]] = True
        obs = set_text(obs, mask, "status", "zero")
    return obs


def label_mask(column: pd.Series, label: str) -> np.ndarray:
    """Boolean array: rows of a text column equal to ``label`` (by code for categoricals)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = column.cat.categories
        if label not in categories:
            return np.zeros(len(column), dtype=bool)
        return category_codes(column) == categories.get_loc(label)
    return np.asarray(column == label, dtype=bool)


def check_negative(obs: pd.DataFrame, *, path, describe) -> None:
    """Raise a message naming negative counts (``describe(position)`` names the cell)."""
    negative = obs["value"].to_numpy() < 0
    if not negative.any():
        return
    positions = np.flatnonzero(negative)
    positions = positions[is_count(obs["measure"].iloc[positions])]
    if len(positions):
        cells = [describe(p) for p in positions[:10]]
        raise FileFormatError(
            f"effectif(s) négatif(s) : {describe_rows(cells)}"
            f"{f' ({len(positions)} au total)' if len(positions) > 10 else ''}. Un effectif est "
            "positif ou nul : corrigez ces cellules.",
            path,
        )


def source_label(base: str, note: str | None) -> str:
    """Source text with an optional note (« Données fictives de démonstration »)."""
    return f"{base} — {note}" if note else base


def finish(obs: pd.DataFrame, report: SourceReport, *, path) -> pd.DataFrame:
    """Last steps of every reader: arrondissements, zero status, validation, code check, report."""
    from cls_analysis import observations

    obs = zero_status(obs.reset_index(drop=True))
    obs = observations.resolve_arrondissements(obs)
    observations.validate(obs, path=path, what="observations lues")
    _check_codes(obs, report)
    report.rows = len(obs)
    report.zones = _count_pairs(obs["zone_type"], obs["zone_code"])
    report.secret = int(np.count_nonzero(label_mask(obs["status"], "secret")))
    report.missing = int(np.count_nonzero(label_mask(obs["status"], "missing")))
    if obs.empty:
        report.problems.append("aucune observation lue.")
    obs.attrs["report"] = report
    return obs


def _count_pairs(first: pd.Series, second: pd.Series) -> int:
    """Distinct (first, second) pairs among the rows (a missing value counts as a value)."""
    if not len(first):
        return 0
    if not (isinstance(first.dtype, pd.CategoricalDtype) and isinstance(second.dtype, pd.CategoricalDtype)):
        return int(pd.DataFrame({"a": first, "b": second}).drop_duplicates().shape[0])
    size = len(second.cat.categories) + 1
    key = (category_codes(first).astype(np.int64) + 1) * size + category_codes(second) + 1
    if countable(size * (len(first.cat.categories) + 1), len(key)):
        return int(np.count_nonzero(np.bincount(key)))
    return len(pd.unique(key))


def _check_codes(obs: pd.DataFrame, report: SourceReport) -> None:
    from cls_analysis.geo.geography import Geography

    commune = label_mask(obs["zone_type"], "commune")
    zone_code = obs["zone_code"]
    if isinstance(zone_code.dtype, pd.CategoricalDtype):
        # the distinct codes of commune rows, in order of first appearance (as unique() gives)
        codes = category_codes(zone_code)[commune]
        codes = pd.unique(codes[codes >= 0])
        codes = pd.Series(np.asarray(zone_code.cat.categories, dtype=object)[codes], dtype=object)
    else:
        codes = pd.Series(zone_code[commune].unique())
    if codes.empty:
        return
    geography = Geography.embedded()
    current = codes.isin(geography.communes["code"])
    former = geography.former_codes.set_index("old_code")["code"]
    old = codes[~current & codes.isin(former.index)]
    unknown = codes[~current & ~codes.isin(former.index)]
    if len(old):
        examples = [f"{c} → {former[c]}" for c in old[:5]]
        report.notes.append(
            f"{len(old)} code(s) commune d'un millésime antérieur au COG {geography.cog_year}, "
            f"convertis lors de l'agrégation (ex. {', '.join(examples)})."
        )
    if len(unknown):
        report.problems.append(
            f"{len(unknown)} code(s) commune inconnu(s) du COG {geography.cog_year} et des anciens "
            f"codes connus : {describe_rows(sorted(unknown), 8)}. Ils seront ignorés à "
            "l'agrégation ; fournissez la table de passage de l'Insee (passage=…) pour les convertir."
        )


def year_from(text: str) -> int | None:
    """Last 4-digit year (19xx/20xx) in a text, else None.

    >>> year_from("base-cc-evol-struct-pop-2021_csv.zip")
    2021
    """
    found = re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", text)
    return int(found[-1]) if found else None


def wrap_errors(path, what: str):
    """Decorator-free helper: re-raise unexpected errors as FileFormatError naming the file."""

    class _Ctx:
        def __enter__(self):
            return self

        def __exit__(self, exc_type, exc, tb):
            if exc is None or isinstance(exc, ClsAnalysisError):
                return False
            if isinstance(exc, (KeyError, ValueError, IndexError, TypeError, UnicodeError, pd.errors.ParserError)):
                raise FileFormatError(
                    f"lecture impossible comme {what} ({type(exc).__name__} : {exc}). "
                    "Vérifiez que le fichier est complet et au format attendu.",
                    path,
                ) from exc
            return False

    return _Ctx()


@dataclass(frozen=True)
class Variable:
    """One observation column of a wide file: the columns summed, and what they measure."""

    columns: tuple[str, ...]
    measure: str
    period: str
    sex: str = "all"
    age: str = "all"


def wide_to_long(
    codes: np.ndarray,
    zone_types: np.ndarray | str,
    variables: Sequence[Variable],
    values: dict[str, np.ndarray],
    statuses: dict[str, np.ndarray],
    *,
    source: str,
    cog: int | None,
) -> pd.DataFrame:
    """Observations from a wide file (one row per zone, one column per variable).

    A variable made of several columns is their sum; it is ``secret`` if one is secret, else
    ``missing`` if one is missing.
    """
    n = len(codes)
    if not variables or n == 0:
        return build(zone_type=[], zone_code=[], period=[], measure=[], value=[], status=[], source=source, cog=cog)
    # status codes into the sorted labels missing, ok, secret, zero
    value_blocks, status_blocks = [], []
    for var in variables:
        value = np.zeros(n)
        secret = np.zeros(n, dtype=bool)
        missing = np.zeros(n, dtype=bool)
        for column in var.columns:
            st = statuses[column]
            if not (st == "ok").all():
                secret |= st == "secret"
                missing |= st == "missing"
            value = value + np.nan_to_num(values[column])
        code = np.where(secret, 2, np.where(missing, 0, 1)).astype(np.int8)
        value_blocks.append(np.where(code == 1, value, np.nan))
        status_blocks.append(code)
    k = len(variables)
    block = np.repeat(np.arange(k), n)
    zone_index, zone_values = np.tile(np.arange(n), k), np.asarray(codes, dtype=object)
    return build(
        zone_type=zone_types if isinstance(zone_types, str) else (zone_index, np.asarray(zone_types, dtype=object)),
        zone_code=(zone_index, zone_values),
        period=(block, np.array([v.period for v in variables], dtype=object)),
        measure=(block, np.array([v.measure for v in variables], dtype=object)),
        sex=(block, np.array([v.sex for v in variables], dtype=object)),
        age=(block, np.array([v.age for v in variables], dtype=object)),
        value=np.concatenate(value_blocks),
        status=(np.concatenate(status_blocks), np.array(["missing", "ok", "secret", "zero"], dtype=object)),
        source=source,
        cog=cog,
    )


def read_workbook_sheets(path, *, what: str) -> dict[str, pd.DataFrame]:
    """Every sheet of an .xlsx as a table of cells (no header), with the fast calamine engine."""
    file = require_file(path, what)
    if not zipfile.is_zipfile(file):
        raise FileFormatError(
            f"ce n'est pas un classeur Excel .xlsx ({what} attendu) ; s'il s'agit d'un ancien .xls, "
            "ouvrez-le dans un tableur et enregistrez-le au format .xlsx.",
            file,
        )
    try:
        return pd.read_excel(file, sheet_name=None, header=None, dtype=object, engine="calamine")
    except Exception as exc:
        raise FileFormatError(f"classeur illisible ou tronqué ({exc}).", file) from exc


def header_row(cells: pd.DataFrame, required: Sequence[str], max_rows: int = 40) -> int | None:
    """Index of the first row of a sheet containing every ``required`` label."""
    wanted = {r.lower() for r in required}
    for i in range(min(max_rows, len(cells))):
        row = {str(c).strip().lower() for c in cells.iloc[i].tolist() if c is not None and c == c}
        if wanted <= row:
            return i
    return None


def sheet_table(cells: pd.DataFrame, header: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Table under a header row: text cells (empty = ""), and the Excel row numbers."""
    names = [
        str(c).strip() if c is not None and c == c else f"colonne_{i + 1}"
        for i, c in enumerate(cells.iloc[header].tolist())
    ]
    body = cells.iloc[header + 1 :].copy()
    body.columns = names
    keep = body.notna().any(axis=1).to_numpy()
    body = body.loc[keep]
    excel_rows = np.flatnonzero(keep) + header + 2
    text = pd.DataFrame(
        {
            name: body.iloc[:, i].where(body.iloc[:, i].notna(), "").astype(str).str.strip().to_numpy()
            for i, name in enumerate(names)
        }
    )
    return text, excel_rows



def metadata_lines(data: bytes, path) -> tuple[dict[str, str], int]:
    """Leading ``# clé : valeur`` lines of a file (tidy and deaths formats).

    Returns the metadata (keys folded to lower case without accents) and the number of lines.

    >>> metadata_lines(b"# source : ORS\\n# cog : 2025\\nCODGEO;DECES\\n", "f.csv")
    ({'source': 'ORS', 'cog': '2025'}, 2)
    """
    import unicodedata

    text, _ = decode(data[:20000], path) if data[:20000].strip() else ("", "")
    meta, count = {}, 0
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        count += 1
        body = line.lstrip("#").strip()
        if ":" in body:
            key, value = body.split(":", 1)
            key = "".join(c for c in unicodedata.normalize("NFKD", key) if not unicodedata.combining(c))
            meta[key.strip().lower()] = value.strip()
    return meta, count


def strip_lines(data: bytes, count: int) -> bytes:
    """``data`` without its first ``count`` lines."""
    offset = 0
    for _ in range(count):
        cut = data.find(b"\n", offset)
        if cut < 0:
            return b""
        offset = cut + 1
    return data[offset:] if offset else data


def add_margins(obs: pd.DataFrame) -> pd.DataFrame:
    """Add sex ``all`` and age ``all`` sums of count observations given by sex and age band.

    A kind of margin the table already has (any ``sex == "all"`` row, any ``age == "all"`` row)
    is not added. A margin is ``secret`` if one of its cells is secret, ``zero`` if it sums to
    zero.
    """
    from cls_analysis.observations import concat

    detail = obs.loc[np.asarray(obs["sex"].isin(["M", "F"]), dtype=bool) & np.asarray(obs["age"] != "all", dtype=bool)]
    if detail.empty:
        return obs
    has_sex_all = bool((obs["sex"] == "all").any())
    has_age_all = bool((obs["age"] == "all").any())
    key = ["zone_type", "zone_code", "period", "measure", "source"]
    value = np.nan_to_num(detail["value"].to_numpy(dtype=float))
    secret = np.asarray(detail["status"] == "secret", dtype=bool)
    cog = detail["cog"]

    def summed(group: list[str], **fixed) -> pd.DataFrame:
        codes, keys = factorize_keys(detail, group)
        totals = np.bincount(codes, weights=value, minlength=len(keys))
        withheld = np.bincount(codes, weights=secret, minlength=len(keys)) > 0
        first = np.zeros(len(keys), dtype=np.int64)
        first[codes[::-1]] = np.arange(len(codes))[::-1]
        out = keys.copy()
        for column, label in fixed.items():
            out[column] = strings(label, len(out))
        out["value"] = np.where(withheld, np.nan, totals)
        # status labels present: ok, secret, zero (as a column of these texts would give)
        code = np.where(withheld, 1, np.where(totals == 0, 2, 0))
        used = np.flatnonzero(np.bincount(code, minlength=3))
        renumber = np.full(3, -1, dtype=np.int64)
        renumber[used] = np.arange(len(used))
        out["status"] = strings((renumber[code], np.array(["ok", "secret", "zero"], dtype=object)[used]), len(out))
        out["cog"] = cog.iloc[first].to_numpy()
        return out

    parts = [obs]
    if not has_sex_all:
        parts.append(summed([*key, "age"], sex="all"))
    if not has_age_all:
        parts.append(summed([*key, "sex"], age="all"))
    if not has_sex_all and not has_age_all:
        parts.append(summed(key, sex="all", age="all"))
    return concat(parts)
