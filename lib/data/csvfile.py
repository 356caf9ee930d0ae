"""Reading one CSV file by the schema: bytes checks, column matching, typed and checked rows.

DuckDB reads every file as text, then one SQL pass casts each column by the schema and
flags the values that do not fit. Rows with a flagged value are set aside with their
line number; the rest load.
"""
from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from lib import schema
from lib.data.problems import ERROR, WARNING, Problem

CHUNK = 8 << 20
# DuckDB's read_csv accepts lines up to 2 MB (max_line_size) and sets longer ones aside; Python's csv module, which
# follows line numbers and reads the header, stops at 128 KB unless told otherwise.
MAX_FIELD = 2 << 20
csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD))


@dataclass
class ByteScan:
    """What one pass over a file's bytes tells before DuckDB reads it."""
    path: Path
    size: int
    newlines: int = 0
    ends_with_newline: bool = True
    has_blank_line: bool = False
    first_bad_utf8_line: int | None = None


def scan_bytes(path: Path) -> ByteScan:
    scan = ByteScan(path, path.stat().st_size)
    decoder = codecs.getincrementaldecoder("utf-8")()
    previous_tail = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            joined = previous_tail + chunk
            if b"\n\n" in joined or b"\n\r\n" in joined:
                scan.has_blank_line = True
            # Plain ASCII (most chunks of most files) is valid UTF-8 when no character is left half-read by
            # the chunk before: checking that is some 50 times faster than decoding.
            if scan.first_bad_utf8_line is None and not (chunk.isascii() and not decoder.getstate()[0]):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    scan.first_bad_utf8_line = scan.newlines + chunk[:exc.start].count(b"\n") + 1
            scan.newlines += chunk.count(b"\n")
            previous_tail = chunk[-2:]
            scan.ends_with_newline = chunk.endswith(b"\n")
    if scan.first_bad_utf8_line is None:
        try:
            decoder.decode(b"", True)
        except UnicodeDecodeError:
            scan.first_bad_utf8_line = scan.newlines + (0 if scan.ends_with_newline else 1)
    return scan


def utf16_encoding(head: bytes) -> str | None:
    """'utf-16' when the bytes start with a UTF-16 byte-order mark or look like UTF-16 text without one (every
    other byte zero, as ASCII letters are in UTF-16); else None."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:200]
    if len(sample) >= 4 and sample[1::2].count(0) > 0.9 * len(sample[1::2]):
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > 0.9 * len(sample[0::2]):
        return "utf-16-be"
    return None


def transcode(path: Path, dest: Path) -> str:
    """Write a UTF-8 copy of a file that is not UTF-8; returns the encoding used."""
    raw = path.read_bytes()
    wide = utf16_encoding(raw[:200])
    for encoding in ((wide,) if wide else ()) + ("cp1252", "latin-1"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        dest.write_text(text, encoding="utf-8")
        return encoding
    raise AssertionError("latin-1 decodes any bytes")


def read_header(path: Path) -> tuple[list[str], str]:
    """The header fields and the delimiter (comma, or semicolon/tab when the header says so)."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        first = fh.readline()
    delimiter = ","
    if "," not in first:
        if ";" in first:
            delimiter = ";"
        elif "\t" in first:
            delimiter = "\t"
    try:
        header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    except csv.Error:  # a header field past MAX_FIELD: reported as missing columns
        header = []
    return [h.replace("\ufeff", "") for h in header], delimiter


def record_lines(path: Path, delimiter: str, skip_lines: set[int]) -> tuple[list[int], list[int]]:
    """Physical line of each data record DuckDB keeps, and the blank lines, for files whose
    lines and records do not correspond one to one (blank lines, quoted newlines, rejects)."""
    lines, blanks = [], []
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        previous_end = 0
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if start == 1:
                continue
            if not record or record == [""]:
                blanks.append(start)
            elif start not in skip_lines:
                lines.append(start)
    return lines, blanks


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _trimmed(ref: str) -> str:
    """`ref` without leading and trailing spaces (as trim), calling trim only on the few values that have any:
    trim copies every string it is given, which was a third of the time of reading 6 million rows."""
    return f"CASE WHEN starts_with({ref}, ' ') OR ends_with({ref}, ' ') THEN trim({ref}) ELSE {ref} END"


def _null_if_blank(ref: str) -> str:
    """Trimmed text (`ref`, through _trimmed) or NULL for the words that mean no value: only values as short as
    the longest such word are lowered and compared."""
    words = ", ".join(quote_literal(w) for w in schema.NULL_WORDS)
    longest = max(len(w) for w in schema.NULL_WORDS)
    return f"CASE WHEN length({ref}) <= {longest} AND lower({ref}) IN ({words}) THEN NULL ELSE {ref} END"


def _parse_formats(value: str, fmts: tuple[str, ...], cast: str) -> str:
    tries = ", ".join(f"try_strptime({value}, {quote_literal(f)})" for f in fmts)
    return f"CAST(coalesce({tries}) AS {cast})"


def parse_expression(col: schema.Column, value: str) -> str:
    """SQL that turns `value` (text already through _null_if_blank) into the column's typed value
    (NULL when it does not parse)."""
    if col.type == "int":
        # try_cast, not CAST: inf, 1e300 or 2**63 fit a DOUBLE but not a BIGINT, and are then flagged.
        return (f"CASE WHEN try_cast({value} AS DOUBLE) = round(try_cast({value} AS DOUBLE)) "
                f"THEN try_cast(try_cast({value} AS DOUBLE) AS BIGINT) END")
    if col.type == "float":
        return f"CASE WHEN isfinite(try_cast({value} AS DOUBLE)) THEN try_cast({value} AS DOUBLE) END"
    if col.type == "date":
        return _parse_formats(value, schema.DATE_FORMATS, "DATE")
    if col.type == "datetime":
        return _parse_formats(value, schema.DATETIME_FORMATS, "TIMESTAMP")
    if col.type == "time":
        return _parse_formats(value, schema.TIME_FORMATS, "TIME")
    if col.type == "bool":
        yes = ", ".join(quote_literal(w) for w in schema.TRUE_WORDS)
        no = ", ".join(quote_literal(w) for w in schema.FALSE_WORDS)
        return f"CASE WHEN lower({value}) IN ({yes}) THEN TRUE WHEN lower({value}) IN ({no}) THEN FALSE END"
    if col.type == "geoid":
        # Spreadsheets drop the leading zero of states 01-09: an 11-digit id is padded back.
        return (f"CASE WHEN regexp_full_match({value}, '[0-9]{{12}}') THEN {value} "
                f"WHEN regexp_full_match({value}, '[0-9]{{11}}') THEN '0' || {value} END")
    return value


def problem_expression(col: schema.Column, value: str, parsed: str) -> str:
    """SQL that is TRUE when `value` (cleaned text) is not acceptable for the column; `parsed` is its
    typed value."""
    checks = []
    if col.required or blank_is_missing(col):
        checks.append(f"{value} IS NULL")
    if col.type != "text":
        checks.append(f"({value} IS NOT NULL AND {parsed} IS NULL)")
    if col.min is not None:
        checks.append(f"{parsed} < {col.min!r}")
    if col.max is not None:
        checks.append(f"{parsed} > {col.max!r}")
    return " OR ".join(checks) if checks else "FALSE"


def blank_is_missing(col: schema.Column) -> bool:
    """A number column with a default (a count) applies the default only when the column is absent: a blank or
    'nan' in the column is a value lost, and reading it as NULL would make totals undercount without a word."""
    return col.type in ("int", "float") and col.default is not None


def expected_text(col: schema.Column) -> str:
    text = "expected " + schema.TYPE_HELP[col.type]
    if col.range_text():
        text += f" {col.range_text()}"
    if col.required:
        text += " (required)"
    elif blank_is_missing(col):
        text += f" (not blank: without the column every row counts as {col.default})"
    return text


@dataclass
class CsvResult:
    """A file read into DuckDB: `table` holds the typed good rows with a `_line` column (a view over the checked
    rows when the file has no key whose duplicates are set aside, else a table)."""
    table: str
    columns: list[str]
    problems: list[Problem] = field(default_factory=list)
    rejected: int = 0
    rows: int = 0
    usable: bool = True


def read_checked(con: duckdb.DuckDBPyConnection, spec: schema.FileSpec, path: Path, work: Path,
                 departments: str | None = None) -> CsvResult:
    """Read `path` into temp table `<spec.table>_typed`; collect every problem.

    `departments` names a table of known department slugs; rows naming another are set aside.
    """
    name = spec.file
    result = CsvResult(f"{spec.table}_typed", [])
    problems = result.problems
    scan = scan_bytes(path)
    if scan.size == 0:
        problems.append(Problem(name, None, None, None, "the file is empty; expected a header line and rows"))
        result.usable = False
        return result
    source = path
    with open(path, "rb") as fh:
        wide = utf16_encoding(fh.read(200))  # UTF-16 of plain letters is valid UTF-8, NULs and all
    if wide or scan.first_bad_utf8_line is not None:
        source = work / f"{spec.table}.utf8.csv"
        encoding = transcode(path, source)
        if encoding.startswith("utf-16"):
            problems.append(Problem(name, None, None, None, "the file is UTF-16 text; expected UTF-8 (read as UTF-16 "
                                    "anyway: saving it as UTF-8 CSV skips the conversion)", WARNING))
        else:
            problems.append(Problem(name, scan.first_bad_utf8_line, None, None,
                                    f"bytes that are not UTF-8 (first on this line); the file was read as {encoding} "
                                    "— check accented letters", WARNING))
        scan = scan_bytes(source)  # the line counts of the copy that is read
    header, delimiter = read_header(source)
    if delimiter != ",":
        label = {";": "semicolons", "\t": "tabs"}[delimiter]
        problems.append(Problem(name, 1, None, None,
                                f"columns are separated by {label}; expected commas (read anyway)", WARNING))
    mapping, missing = schema.match_columns(spec, header)
    for col in missing:
        names = " / ".join(spec.column(col).names())
        problems.append(Problem(name, 1, col, None, f"missing required column; expected a header named {names}"))
    if missing:
        result.usable = False
        return result

    index: dict[str, int] = {}
    for i, h in enumerate(header):
        index.setdefault(h, i)
    problems.extend(_repeated_columns(name, header, set(mapping.values())))
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header)))
    rejects = f"{spec.table}_rejects"
    checked = f"{spec.table}_checked"
    # One pass over the file: each value is cleaned, typed and checked once; only the text of
    # flagged values is kept. (A materialised all-text copy of the file cost most of a 6-million-row
    # load in time and memory.) The table keeps the file's record order (DuckDB preserves insertion
    # order), so rowid + 1 is the record number; a row_number() window would read on one thread.
    trimmed, cleaned, typed, outer, flags = [], [], [], [], []
    for canonical, header_name in mapping.items():
        col = schema.column_type(spec, canonical)
        i = index[header_name]
        trimmed.append(f"c{i}, {_trimmed(f'c{i}')} AS t{i}")
        cleaned.append(f"c{i}, {_null_if_blank(f't{i}')} AS v{i}")
        typed.append(f"c{i}, v{i}, {parse_expression(col, f'v{i}')} AS p{i}")
        outer.append(f'p{i} AS "{canonical}"')
        flag = problem_expression(col, f"v{i}", f"p{i}")
        if flag != "FALSE":
            # A blank field's value is '' (the message then says it found a blank field).
            outer.append(f"coalesce({flag}, FALSE) AS _bad{len(flags)}, "
                         f"CASE WHEN {flag} THEN coalesce(c{i}, '') END AS _value{len(flags)}")
            flags.append((header_name, expected_text(col)))
        result.columns.append(canonical)
    parameters = {"path": str(source), "delim": delimiter}
    if departments and spec.department_column and spec.department_column in mapping:
        # A list bound as a parameter, not a subquery: the join DuckDB makes of `NOT IN (SELECT ...)` does not
        # keep the file's record order, and rowid would then number the records wrongly.
        known = [d for (d,) in con.execute(f"SELECT department FROM {departments}").fetchall()]
        if None not in known:  # NOT IN a list holding NULL is never true
            parameters["known"] = known
            i = index[mapping[spec.department_column]]
            flag = f"NOT list_contains($known, trim(c{i}))"
            outer.append(f"coalesce({flag}, FALSE) AS _bad{len(flags)}, "
                         f"CASE WHEN {flag} THEN c{i} END AS _value{len(flags)}")
            flags.append((mapping[spec.department_column], "expected a department listed in departments.csv"))
    defaults = []
    for col in spec.columns:
        if col.name not in mapping and not col.pattern:
            defaults.append(f"CAST({_sql_literal(col.default)} AS {sql_type(col)}) AS \"{col.name}\"")
            result.columns.append(col.name)

    con.execute(f"DROP TABLE IF EXISTS {checked}")
    con.execute(
        f"CREATE TEMP TABLE {checked} AS SELECT {', '.join(outer)} FROM ("
        f"SELECT {', '.join(typed) or 'NULL AS _none'} FROM ("
        f"SELECT {', '.join(cleaned) or 'NULL AS _none'} FROM ("
        f"SELECT {', '.join(trimmed) or 'NULL AS _none'} FROM read_csv($path, "
        f"columns={{{columns}}}, header=true, delim=$delim, quote='\"', escape='\"', "
        f"store_rejects=true, rejects_table='{rejects}', rejects_scan='{rejects}_scan', "
        f"auto_detect=false, strict_mode=true))))",
        parameters,
    )
    # DuckDB lists a short row once per missing column: one problem per line is enough.
    structural = con.execute(f"SELECT line, min(error_message), any_value(csv_line) FROM {rejects} "
                             f"GROUP BY line ORDER BY line").fetchall()
    for line, message, csv_line in structural:
        problems.append(Problem(name, int(line), None, (csv_line or "")[:200],
                                f"the row does not fit the header ({message.splitlines()[0]}); "
                                "the row was set aside"))
    result.rejected += len(structural)
    rows = con.execute(f"SELECT count(*) FROM {checked}").fetchall()[0][0]
    if rows == 0 and not structural:
        problems.append(Problem(name, None, None, None, "the file has a header but no rows"))

    numbered = _line_numbers(con, checked, scan, source, delimiter, rows, {int(r[0]) for r in structural},
                             problems, name)
    any_bad = " OR ".join(f"_bad{j}" for j in range(len(flags))) or "FALSE"
    bad_table = f"{spec.table}_bad"
    con.execute(f"DROP TABLE IF EXISTS {bad_table}")
    con.execute(f"CREATE TEMP TABLE {bad_table} (_line BIGINT, col VARCHAR, value VARCHAR, expected VARCHAR)")
    if flags:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _flagged AS SELECT * FROM {numbered} WHERE {any_bad}")
        con.execute(f"INSERT INTO {bad_table} " + " UNION ALL ".join(
            f"SELECT _line, {quote_literal(h)}, _value{j}, {quote_literal(exp)} FROM _flagged WHERE _bad{j}"
            for j, (h, exp) in enumerate(flags)))
        con.execute("DROP TABLE _flagged")
    for line, col, value, expected in con.execute(
            f"SELECT _line, col, value, expected FROM {bad_table} ORDER BY _line").fetchall():
        problems.append(Problem(name, int(line), col, value, expected + "; the row was set aside"))
    flagged = con.execute(f"SELECT count(DISTINCT _line) FROM {bad_table}").fetchall()[0][0]
    result.rejected += flagged

    for (kind,) in con.execute("SELECT 'VIEW' FROM duckdb_views() WHERE view_name = $name UNION ALL "
                               "SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = $name",
                               {"name": result.table}).fetchall():
        con.execute(f"DROP {kind} {result.table}")
    selects = ["_line"] + [f'"{c}"' for c in result.columns[:len(mapping)]] + defaults
    typed = f"SELECT {', '.join(selects)} FROM {numbered} WHERE NOT ({any_bad})"
    if not spec.key:
        # A view over the checked rows, not a copy of them: copying 6 million rows cost a tenth of a cold load.
        con.execute(f"CREATE TEMP VIEW {result.table} AS {typed}")
        result.rows = rows - flagged
        return result
    con.execute(f"CREATE TEMP TABLE {result.table} AS {typed}")
    _set_aside_duplicates(con, spec, result, mapping)
    result.rows = con.execute(f"SELECT count(*) FROM {result.table}").fetchall()[0][0]
    con.execute(f"DROP TABLE {checked}")
    return result


def _repeated_columns(name: str, header: list[str], used: set[str]) -> list[Problem]:
    """A column named twice: the first is read, and saying so keeps the other's values from vanishing unseen."""
    positions: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        positions.setdefault(schema.normalise_header(h), []).append(i + 1)
    return [Problem(name, 1, header[numbers[0] - 1], header[numbers[0] - 1],
                    f"expected each column once, but the header names it {len(numbers)} times (columns "
                    f"{', '.join(map(str, numbers))}); column {numbers[0]} was read and the others ignored")
            for norm, numbers in positions.items() if len(numbers) > 1 and header[numbers[0] - 1] in used]


def _sql_literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return quote_literal(str(value))


def sql_type(col: schema.Column) -> str:
    return {"int": "BIGINT", "float": "DOUBLE", "date": "DATE", "datetime": "TIMESTAMP", "time": "TIME",
            "bool": "BOOLEAN"}.get(col.type, "VARCHAR")


def _line_numbers(con, checked: str, scan: ByteScan, source: Path, delimiter: str, rows: int,
                  rejected_lines: set[int], problems: list[Problem], name: str) -> str:
    """A FROM clause giving `checked` a _line column: the physical line of each record."""
    physical_lines = scan.newlines + (0 if scan.ends_with_newline else 1)
    if physical_lines == rows + 1 and not rejected_lines and not scan.has_blank_line:
        return f"(SELECT *, rowid + 2 AS _line FROM {checked})"
    try:
        lines, blanks = record_lines(source, delimiter, rejected_lines)
    except csv.Error:  # a field past MAX_FIELD, which DuckDB set aside: numbered as below
        lines, blanks = [], []
    for line in blanks:
        problems.append(Problem(name, line, None, None, "blank line; skipped", WARNING))
    if len(lines) != rows:
        # csv and DuckDB disagree on where records start; fall back to the record number.
        problems.append(Problem(name, None, None, None,
                                "line numbers are approximate: the file's quoting could not be followed exactly",
                                WARNING))
        lines = list(range(2, rows + 2))
    line_map = f"{checked}_lines"  # one per file: the typed view of each reads its own
    con.execute(f"DROP TABLE IF EXISTS {line_map}")
    con.execute(f"CREATE TEMP TABLE {line_map} AS SELECT unnest($lines) AS _line, "
                "unnest(range(1, $n + 1)) AS _row", {"lines": lines, "n": rows})
    return f"(SELECT c.*, m._line FROM {checked} c JOIN {line_map} m ON m._row = c.rowid + 1)"


def _set_aside_duplicates(con, spec: schema.FileSpec, result: CsvResult, mapping: dict[str, str]) -> None:
    key = ", ".join(f'"{k}"' for k in spec.key)
    dups = con.execute(
        f"SELECT _line, first_line, {key} FROM (SELECT _line, min(_line) OVER (PARTITION BY {key}) AS first_line, "
        f"{key} FROM {result.table}) WHERE _line <> first_line ORDER BY _line").fetchall()
    for line, first, *values in dups:
        column = mapping.get(spec.key[-1], spec.key[-1])
        problems_value = " / ".join(str(v) for v in values)
        result.problems.append(Problem(spec.file, int(line), column, problems_value,
                                       f"expected a unique {' + '.join(spec.key)}; duplicate of line {first:,}; "
                                       "the row was set aside"))
    if dups:
        con.execute(f"DELETE FROM {result.table} WHERE _line IN (SELECT unnest($lines))",
                    {"lines": [d[0] for d in dups]})
        result.rejected += len(dups)
