"""The project's dataset: loading ``data/`` for chapters, and validating it.

``validate_package`` checks every table listed in ``data/datapackage.json`` against its
Frictionless Table Schema (the subset the project uses: types string, integer, number
and date; constraints required, unique, enum, minimum, maximum, pattern; primary and
foreign keys) and then what a schema cannot say: every ``study`` is a key of
``references.bib`` with a DOI or URL whose year is the key's, a value read in a review's
table (``via``) names that review's key, every id belongs to its study, and a sample id
names a coded study; and what the book depends on: ``r`` follows from the statistic
``reported`` prints by the rule ``es_method`` names, a dyad fits its population, ``r`` is
not at the edge of its scale, an interval is not reversed, reliability rows name existing
rows, and every table has LF line endings. ``overlap_group`` is a foreign key into
``overlap_groups.csv``; a foreign-key message names the closest known value. The parent's
direction-of-effect rows (``parent_directions.csv`` and its second pass) obey the rules of
:func:`_direction_rules`.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from ..engine.csvtext import is_number, number_problem
from ..engine.errors import InputError

EFFECTS = "effect_sizes.csv"
SYNTHESES = "syntheses.csv"


def project_root(start: str | Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: the working directory) that holds
    ``_config.yml`` and ``data/``; chapters run in ``book/`` and find the data this way."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file() and (folder / "data").is_dir():
            return folder
    raise FileNotFoundError(f"no project root (a folder with _config.yml and data/) at or above {here}")


def load_table(name: str, root: str | Path | None = None):
    """Read one table of ``data/`` as a pandas DataFrame, typed by the datapackage schema.

    Returns
    -------
    pandas.DataFrame
        Integer columns as nullable ``Int64``, numbers as float, the rest as strings
        (empty cells as ``<NA>``).
    """
    import pandas as pd

    root = project_root(root)
    pkg = json.loads((root / "data" / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in pkg["resources"] if r["path"] == name or r["name"] == name)
    types = {f["name"]: f.get("type", "string") for f in res["schema"]["fields"]}
    frame = pd.read_csv(root / "data" / res["path"], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for col, kind in types.items():
        if col not in frame:
            continue
        blank = frame[col].str.strip() == ""
        if kind == "integer":
            frame[col] = pd.to_numeric(frame[col].where(~blank), errors="raise").astype("Int64")
        elif kind == "number":
            frame[col] = pd.to_numeric(frame[col].where(~blank), errors="raise").astype(float)
        else:
            frame[col] = frame[col].where(~blank, pd.NA)
    return frame


def load_effect_sizes(root=None):
    """``data/effect_sizes.csv`` as a DataFrame (see :func:`load_table`)."""
    return load_table(EFFECTS, root)


def load_syntheses(root=None):
    """``data/syntheses.csv`` as a DataFrame (see :func:`load_table`)."""
    return load_table(SYNTHESES, root)


def codebook(name: str, root: str | Path | None = None):
    """The columns of one table of ``data/``, as its schema in ``datapackage.json`` states them.

    Returns
    -------
    pandas.DataFrame
        One row per column, in the table's order: ``column``, ``required`` ("yes" or
        empty), ``values`` (the allowed codes joined by ", ", or the pattern, or the type)
        and ``meaning`` (the schema's description).
    """
    import pandas as pd

    root = project_root(root)
    pkg = json.loads((root / "data" / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in pkg["resources"] if r["path"] == name or r["name"] == name)
    rows = []
    for fld in res["schema"]["fields"]:
        cons = fld.get("constraints", {})
        values = ", ".join(cons["enum"]) if "enum" in cons else fld.get("type", "string")
        rows.append({"column": fld["name"], "required": "yes" if cons.get("required") else "",
                     "values": values, "meaning": fld.get("description", "")})
    return pd.DataFrame(rows, columns=["column", "required", "values", "meaning"])


# --------------------------------------------------------------------------- validation


#: Cyrillic and Greek letters drawn like Latin ones (Unicode's confusables, the common ones)
_LOOKALIKES = str.maketrans("аеорсухіјѕԁԛԝАВЕКМНОРСТХІЈЅαοριυνΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
                            "aeopcyxijsdqwABEKMHOPCTXIJSaopiuvABEZHIKMNOPTYX")


def id_key(text: str) -> str:
    """An id as a reader sees it: NFKC-normalised, without invisible (format) characters,
    and with Cyrillic or Greek lookalikes read as the Latin letters they look like, so that
    ids differing only by U+200B, a full-width letter or a Cyrillic 'а' are one id."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf").translate(_LOOKALIKES)


def _problem(msg, file, row=None, column=None, line=None) -> str:
    """One problem as a line; ``row`` may be a row of :func:`read_rows` (number and line)."""
    if isinstance(row, dict):
        row, line = row.get("_row"), row.get("_line")
    return str(InputError(msg, file=file, row=row, column=column, line=line))


def _not_a_number(value: str) -> str:
    """Why a cell is not a number (a decimal comma, '_', digits other than 0-9 named);
    in the dataset a missing value is an empty cell."""
    msg = number_problem(value)
    return f"'{value}' is not a number" if msg.endswith("write NA for a missing value") else msg


def _check_value(value: str, fld: dict) -> str | None:
    kind = fld.get("type", "string")
    cons = fld.get("constraints", {})
    if value == "":
        return "is empty but required" if cons.get("required") else None
    num = None
    if kind == "integer":
        # ASCII digits only: Python's int() would also take '1_000' and full-width or
        # Arabic-Indic digits, which the command line (and R) then refuse
        if not re.fullmatch(r"[-+]?[0-9]+", value):
            return _not_a_number(value) if not re.fullmatch(r"[-+]?[0-9]+\.[0-9]*", value) else \
                f"'{value}' is not a whole number"
        num = int(value)
    elif kind == "number":
        if not is_number(value):
            return _not_a_number(value)
        num = float(value)
    elif kind == "date":
        # ISO 8601's calendar date only: fromisoformat also takes 20261122 and 2026-W47-7
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
                raise ValueError(value)
            _dt.date.fromisoformat(value)
        except ValueError:
            return f"'{value}' is not a date (YYYY-MM-DD)"
    if "enum" in cons and value not in cons["enum"]:
        return f"'{value}' is not one of: {', '.join(cons['enum'])}"
    if num is not None:
        if "minimum" in cons and num < cons["minimum"]:
            return f"{value} is below the minimum {cons['minimum']}"
        if "maximum" in cons and num > cons["maximum"]:
            return f"{value} is above the maximum {cons['maximum']}"
        if "exclusiveMinimum" in cons and num <= cons["exclusiveMinimum"]:
            return f"{value} is not above {cons['exclusiveMinimum']}"
    if "pattern" in cons and not re.fullmatch(cons["pattern"], value):
        return f"'{value}' does not match the pattern {cons['pattern']}"
    if fld.get("format") == "uri" and not re.match(r"^https?://\S+$", value):
        return f"'{value}' is not a web address (http:// or https://)"
    return None


def read_rows(path: Path, label: str) -> tuple[list[str], list[dict]]:
    """Read a CSV as strings (header, rows) with the reader of the command line
    (:mod:`alliance_meta.engine.csvtext`): each row carries its number (``_row``, blank
    lines not counted) and the physical line it starts on (``_line``). Raises InputError
    when it is not readable text, larger than the limit the command line uses
    (``ALLIANCE_META_MAX_BYTES``), or a row has more or fewer cells than the header."""
    from ..engine.csvtext import load

    table = load(path)
    header = table.header
    rows = [{"_row": i, "_line": line, **dict(zip(header, cells))}
            for i, (cells, line) in enumerate(zip(table.rows(), table.lines), start=1)]
    return header, rows


def validate_table(path: Path, schema: dict, label: str) -> tuple[list[str], list[dict]]:
    """Check one CSV against its Table Schema; returns (problems, rows)."""
    try:
        header, rows = read_rows(path, label)
    except InputError as exc:
        return [str(exc)], []
    problems = []
    fields = schema["fields"]
    names = [f["name"] for f in fields]
    for name in names:
        if name not in header:
            problems.append(_problem("is missing from the header", label, column=name))
    for name in header:
        if name not in names:
            problems.append(_problem("is not in the schema (data/datapackage.json)", label, column=name))
    if problems:
        return problems, []
    # unique ids are compared as a reader sees them: NFKC-normalised, invisible characters
    # (zero-width spaces and joiners, soft hyphens, byte-order marks) removed
    seen: dict[str, dict] = {f["name"]: {} for f in fields if f.get("constraints", {}).get("unique")}
    for row in rows:
        for fld in fields:
            name = fld["name"]
            msg = _check_value(row[name], fld)
            if msg and name in WHY_BOUNDS and "minimum" in msg and "r" in names \
                    and fld.get("constraints", {}).get("minimum", 0) >= 4:
                msg += WHY_BOUNDS[name]
            if msg:
                problems.append(_problem(msg, label, row, name))
            if name in seen and row[name]:
                first = seen[name].setdefault(id_key(row[name]), row["_row"])
                if first != row["_row"]:
                    problems.append(_problem(f"'{row[name]}' repeats row {first}; ids must be unique", label,
                                             row, name))
    return problems, rows


def validate_package(data_dir: str | Path = "data", bib: str | Path | None = None) -> list[str]:
    """Validate the dataset in ``data_dir`` and its bibliography.

    Returns
    -------
    list of str
        One line per problem (file, row, column, what is wrong); empty when clean.
    """
    from .bibliography import read_bib

    data_dir = Path(data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        return [_problem("is not a folder (give the data folder that holds datapackage.json)", str(data_dir))]
    pkg_path = data_dir / "datapackage.json"
    try:
        pkg = json.loads(pkg_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [_problem("no such file", str(pkg_path))]
    except OSError as exc:
        return [_problem(f"cannot be read ({exc.strerror or exc})", str(pkg_path))]
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return [_problem(f"is not valid JSON ({exc})", str(pkg_path))]
    bib_path = Path(bib) if bib else data_dir.resolve().parent / "references.bib"
    problems: list[str] = []
    try:
        refs = read_bib(bib_path)
    except InputError as exc:
        problems.append(str(exc))
        refs = None
    shape = check_descriptor(pkg, str(pkg_path))
    if shape:
        return shape + problems  # the tables cannot be checked against a schema that is itself broken
    tables = {}
    unread = set()   # tables whose rows could not be read: nothing can be checked against them
    for res in pkg["resources"]:
        path = data_dir / res["path"]
        label = str(path)
        if not path.is_file():
            problems.append(_problem("is not a readable file" if path.exists() else "no such file", label))
            tables[res["name"]] = (label, [])
            unread.add(res["name"])
            continue
        found, rows = validate_table(path, res["schema"], label)
        problems += found + _line_endings(path, label)
        tables[res["name"]] = (label, rows)
        if found and not rows:
            unread.add(res["name"])
    problems += _foreign_keys(pkg, tables, skip=unread)
    problems += _synthesis_rules(*tables.get("syntheses", ("", [])))
    problems += _selection_rules(pkg, tables)
    problems += _founding_agendas_read(*tables.get("founding_agendas", ("", [])))
    problems += _book_rules(pkg, tables, skip=unread)
    problems += _moderator_test_rules(*tables.get("moderator_tests", ("", [])))
    problems += _direction_rules(tables, skip=unread)
    if refs is not None:
        problems += _cross_check(tables, refs)
        problems += _key_years(tables, refs)
        problems += _bib_fields(refs, str(bib_path))
    return problems


#: Field types and constraints this validator checks (Table Schema names); anything else in
#: a descriptor would silently switch a check off, so it is an error.
TYPES = {"string", "number", "integer", "date", "boolean"}
CONSTRAINTS = {"required": bool, "unique": bool, "enum": list, "minimum": (int, float), "maximum": (int, float),
               "exclusiveMinimum": (int, float), "pattern": str}


def check_descriptor(pkg, label: str) -> list[str]:
    """The shape of ``datapackage.json``: what the validator needs before it can read a table.

    Returns
    -------
    list of str
        One line per problem (resource, field, what is wrong); empty when the descriptor has
        resources with a name, a relative path and a schema whose fields have a name, a known
        type and well-formed constraints.
    """
    def bad(msg):
        return _problem(msg, label)

    if not isinstance(pkg, dict):
        return [bad(f"must be a JSON object, not a {type(pkg).__name__}")]
    resources = pkg.get("resources")
    if not isinstance(resources, list) or not resources:
        return [bad("'resources' must be a non-empty list")]
    out = []
    for i, res in enumerate(resources, start=1):
        where = f"resource {i}"
        if not isinstance(res, dict):
            out.append(bad(f"{where} must be an object"))
            continue
        name, path, schema = res.get("name"), res.get("path"), res.get("schema")
        where = f"resource {i} ({name})" if isinstance(name, str) else where
        if not isinstance(name, str) or not name:
            out.append(bad(f"{where} has no name"))
        if not isinstance(path, str) or not path or path.startswith("/") or ".." in Path(path).parts:
            out.append(bad(f"{where} needs a relative 'path' inside the data folder"))
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"]:
            out.append(bad(f"{where} needs a 'schema' with a non-empty list of 'fields'"))
            continue
        for j, fld in enumerate(schema["fields"], start=1):
            if not isinstance(fld, dict) or not isinstance(fld.get("name"), str) or not fld.get("name"):
                out.append(bad(f"{where}, field {j} has no name"))
                continue
            at = f"{where}, field '{fld['name']}'"
            kind = fld.get("type", "string")
            if kind not in TYPES:
                out.append(bad(f"{at}: unknown type {kind!r} (known: {', '.join(sorted(TYPES))})"))
            cons = fld.get("constraints", {})
            if not isinstance(cons, dict):
                out.append(bad(f"{at}: 'constraints' must be an object"))
                continue
            for key, value in cons.items():
                want = CONSTRAINTS.get(key)
                if want is None:
                    out.append(bad(f"{at}: unknown constraint {key!r}"))
                elif not isinstance(value, want) or isinstance(value, bool) and want is not bool:
                    out.append(bad(f"{at}: constraint {key!r} has the wrong kind of value ({value!r})"))
                elif key == "enum" and not all(isinstance(v, str) for v in value):
                    out.append(bad(f"{at}: the values of 'enum' must be strings as they stand in the CSV"))
                elif key == "pattern":
                    try:
                        re.compile(value)
                    except re.error as exc:
                        out.append(bad(f"{at}: 'pattern' is not a valid regular expression ({exc})"))
    return out


def _synthesis_rules(label: str, rows: list[dict]) -> list[str]:
    """What the schema of ``syntheses.csv`` cannot say: the harmonised ``r`` agrees with
    ``r_printed`` and ``sign_basis``; the interval surrounds ``r``; a moderator level names its
    moderator; an id belongs to its study; a conflict points at another row."""
    out = []
    for row in rows:
        at = row
        sid, study = row.get("synthesis_id", ""), row.get("study", "")
        if sid and study and not sid.startswith(study + "-"):
            out.append(_problem(f"'{sid}' does not start with its study key '{study}-'", label, at, "synthesis_id"))
        if row.get("conflict_with") and row["conflict_with"] == sid:
            out.append(_problem("names the row itself; it must name another row", label, at, "conflict_with"))
        if row.get("estimate_type") == "moderator_level":
            for col in ("moderator", "level"):
                if not row.get(col):
                    out.append(_problem("is required for a moderator_level row", label, at, col))
        if bool(row.get("se")) != bool(row.get("se_scale")) and "se_scale" in row:
            out.append(_problem("se and se_scale go together: give the scale (z or r) of a printed standard error, "
                                "and no scale without one", label, at, "se_scale"))
        try:
            if row.get("se") and float(row["se"]) <= 0:
                out.append(_problem(f"{row['se']} is not above 0 (a standard error)", label, at, "se"))
        except ValueError:
            pass
        r, printed, basis = row.get("r", ""), row.get("r_printed", ""), row.get("sign_basis", "")
        try:
            r_val = float(r) if r else None
            p_val = float(printed) if printed else None
        except ValueError:
            continue  # the schema check has said so already
        if r_val is not None and p_val is None:
            out.append(_problem("r is given but r_printed is empty (r is the printed figure, harmonised)", label, at,
                                "r_printed"))
        elif r_val is not None and r_val == p_val and not basis.startswith("as printed"):
            out.append(_problem("r equals r_printed, so sign_basis must start with 'as printed'", label, at,
                                "sign_basis"))
        elif r_val is not None and r_val == -p_val and r_val != 0 and (basis.startswith(("as printed", "not established"))
                                                                       or not basis):
            out.append(_problem("r is the printed figure with its sign flipped: sign_basis must quote the source's "
                                "words that justify the flip", label, at, "sign_basis"))
        elif r_val is not None and abs(r_val) != abs(p_val):
            out.append(_problem(f"r = {r} is neither r_printed ({printed}) nor its opposite", label, at, "r"))
        elif r_val is None and p_val is not None and not basis.startswith("not established"):
            out.append(_problem("r is empty while r_printed is given: sign_basis must say 'not established: <why>'",
                                label, at, "sign_basis"))
        lo, hi = row.get("ci_lb", ""), row.get("ci_ub", "")
        try:
            lo_val, hi_val = (float(lo) if lo else None), (float(hi) if hi else None)
        except ValueError:
            continue
        if (lo_val is None) != (hi_val is None):
            out.append(_problem("a confidence interval needs both limits", label, at, "ci_ub" if hi_val is None else "ci_lb"))
        elif lo_val is not None:
            if lo_val > hi_val:
                out.append(_problem(f"reversed interval (upper bound first): ci_lb = {lo} is above ci_ub = {hi}; put "
                                    "the lower limit in ci_lb and the upper in ci_ub", label, at, "ci_lb"))
            elif r_val is None:
                out.append(_problem("a confidence interval without a harmonised r (keep the printed limits in notes)",
                                    label, at, "ci_lb"))
            elif not lo_val <= r_val <= hi_val:
                out.append(_problem(f"r = {r} is outside its interval [{lo}, {hi}] (lower limit first, on the "
                                    "harmonised sign)", label, at, "r"))
    return out


def _bib_fields(refs: dict, label: str) -> list[str]:
    from .bibliography import missing_fields

    out = []
    for ref in refs.values():
        gone = missing_fields(ref)
        if gone:
            out.append(_problem(f"line {ref.line}: @{ref.entry_type}{{{ref.key}}} lacks {', '.join(gone)}", label))
    return out


def _foreign_keys(pkg: dict, tables: dict, skip=frozenset()) -> list[str]:
    """``foreignKeys`` of the schemas: each row whose key fields are all non-empty must
    find the same values in the referenced fields of the referenced table. ``fields`` may
    be one name or a list (Table Schema allows both; Data Package v2 asks for a list).
    Keys into a table named in ``skip`` (one that could not be read, already reported) are
    not checked, so that one broken file gives one problem, not one per referring row."""
    out = []
    for res in pkg.get("resources", []):
        label, rows = tables.get(res["name"], ("", []))
        for fk in res["schema"].get("foreignKeys", []):
            ref = fk["reference"]
            fields = [fk["fields"]] if isinstance(fk["fields"], str) else list(fk["fields"])
            ref_fields = [ref["fields"]] if isinstance(ref["fields"], str) else list(ref["fields"])
            target = ref.get("resource") or res["name"]
            if target in skip:
                continue
            target_label, target_rows = tables.get(target, ("", []))
            values = {tuple(row.get(f, "") for f in ref_fields) for row in target_rows}
            for row in rows:
                key = tuple(row.get(f, "") for f in fields)
                if all(key) and key not in values:
                    shown = key[0] if len(key) == 1 else ", ".join(key)
                    out.append(_problem(f"'{shown}' is not a value of {target}.{', '.join(ref_fields)} (foreign key)"
                                        + _known_values(shown, values, target_label), label, row, fields[0]))
    return out


#: (table, column) holding a rule that selects rows of syntheses.csv (evidence.rules).
RULE_COLUMNS = (("barriers", "review_evidence"), ("agenda", "evidence_rule"), ("founding_agendas", "evidence_rule"))


def _selection_rules(pkg: dict, tables: dict) -> list[str]:
    from . import rules

    syn = next((r for r in pkg["resources"] if r.get("name") == "syntheses"), None)
    fields = syn["schema"]["fields"] if syn else []
    vocab = {f["name"]: list(f.get("constraints", {}).get("enum", [])) for f in fields}
    out = []
    for name, column in RULE_COLUMNS:
        label, rows = tables.get(name, ("", []))
        for row in rows:
            for problem in rules.problems(row.get(column, ""), vocab):
                out.append(_problem(problem, label, row, column))
    return out


def _founding_agendas_read(label: str, rows: list) -> list[str]:
    # a statement attributed to a work needs the copy it was read in; only not_read rows may lack one
    return [_problem("is empty: give the address of the copy read (or kind not_read)", label, row, "read_at")
            for row in rows if row.get("kind") != "not_read" and not row.get("read_at", "").strip()]


def _moderator_test_rules(label: str, rows: list) -> list[str]:
    """A moderator test belongs to its review: its id starts with the study key, and the pooled
    estimate it moderates (``analysis``, a foreign key into syntheses.csv) is one of that review's."""
    out = []
    for row in rows:
        study = row.get("study", "")
        if not study:
            continue
        for col in ("test_id", "analysis"):
            value = row.get(col, "")
            if value and not value.startswith(study + "-"):
                out.append(_problem(f"'{value}' does not start with its study key '{study}-'", label, row, col))
    return out


#: The direction-of-effect tables (data/README.md, ``parent_directions.csv``).
DIRECTION_TABLES = ("parent_directions", "parent_directions_second_pass")


def _direction_rules(tables: dict, skip=frozenset()) -> list[str]:
    """What the schema of the direction-of-effect tables cannot say.

    In ``parent_directions.csv`` and its second pass: the row id starts with its study key;
    a sample id names a study coded in ``parent_directions.csv``; ``r`` and ``es_method``
    go together; ``r`` follows from ``statistic`` by the rule ``es_method`` names (as in
    ``effect_sizes.csv``) and its sign does not contradict the direction (positive r is not
    against, negative r is not favours); ``quote`` holds the source's words unless the
    direction is ``not_reported``; ``not_reported`` (the source says only "not significant")
    is not coded with ``significance = significant``; and in ``parent_directions.csv`` a
    youth row has a parent row of the same sample (youth rows are coded only for that
    comparison).
    """
    out = []
    coded = {row.get("study", "") for row in tables.get("parent_directions", ("", []))[1]}
    for name in DIRECTION_TABLES:
        if name in skip:
            continue
        label, rows = tables.get(name, ("", []))
        parents = {row.get("sample", "") for row in rows if row.get("alliance_with") == "parent"}
        for row in rows:
            at, study = row["_row"], row.get("study", "")
            rid = row.get("row_id", "")
            if rid and study and not rid.startswith(study + "-"):
                out.append(_problem(f"'{rid}' does not start with its study key '{study}-'", label, at, "row_id"))
            sample = row.get("sample", "")
            owner = sample.rsplit("-s", 1)[0] if sample else ""
            if owner and "parent_directions" not in skip and owner not in coded:
                out.append(_problem(f"sample '{sample}' names no study coded in parent_directions.csv ('{owner}'): a "
                                    "sample id is that of the first coded report of its participants", label, at,
                                    "sample"))
            r_text, method = row.get("r", ""), row.get("es_method", "")
            if bool(r_text) != bool(method):
                out.append(_problem("r and es_method go together: give the method of a coded r, and no method without "
                                    "one", label, at, "es_method" if r_text else "r"))
            r = _number_or_none(r_text)
            direction = row.get("direction", "")
            if r is not None and method:
                found = recompute_r(method, row.get("statistic", ""))
                _, half = _printed(r_text) if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)", r_text) else (0.0, 0.0)
                if found and not any(c.low - half - 1e-9 <= abs(r) <= c.high + half + 1e-9 for c in found):
                    c = found[0]
                    out.append(_problem(f"r = {r_text} does not follow from statistic '{c.printed}' by {method}: "
                                        f"{c.rule} gives |r| = {c.value:.4f}", label, at, "r"))
                if (r > 0 and direction == "against") or (r < 0 and direction == "favours"):
                    out.append(_problem(f"r = {r_text} contradicts direction '{direction}' (r is signed so that "
                                        "positive favours)", label, at, "direction"))
            if direction and direction != "not_reported" and not row.get("quote", "").strip():
                out.append(_problem(f"is empty: a direction '{direction}' needs the source's words that justify it",
                                    label, at, "quote"))
            if direction == "not_reported" and row.get("significance") == "significant":
                out.append(_problem("direction not_reported means the source says only 'not significant', with no "
                                    "direction; it cannot be significant", label, at, "significance"))
            if name == "parent_directions" and row.get("alliance_with") == "youth" and sample \
                    and sample not in parents:
                out.append(_problem(f"a youth row of sample '{sample}' without a parent row of that sample: youth rows "
                                    "are coded only beside the parent's alliance", label, at, "alliance_with"))
    return out


def _cross_check(tables: dict, refs: dict) -> list[str]:
    out = []
    for name in ("effect_sizes", "syntheses", "first_pass", "second_pass", "parent_accounts", "barrier_sources",
                 "founding_agendas", "moderator_tests", "parent_directions", "parent_directions_second_pass"):
        label, rows = tables.get(name, ("", []))
        for row in rows:
            key = row.get("study", "")
            if key and key not in refs:
                out.append(_problem(f"'{key}' is not a key in references.bib", label, row, "study"))
            elif key and name != "syntheses" and "not_read" not in (row.get("read_in"), row.get("kind")) \
                    and refs[key].link is None:
                out.append(_problem(f"'{key}' has no DOI or URL in references.bib", label, row, "study"))
            via = row.get("via", "")
            if via and via not in refs:
                out.append(_problem(f"'{via}' is not a key in references.bib", label, row, "via"))
            # A value read in a review's table names that review, and only such a value does.
            if "via" in row and bool(via) != (row.get("source_access") == "secondary_table"):
                out.append(_problem("is required exactly when source_access is 'secondary_table' (the review the "
                                    "value was read in)", label, row, "via"))
            read_in = row.get("read_in", "")
            if read_in.startswith("quoted_by:") and read_in.split(":", 1)[1] not in refs:
                out.append(_problem(f"'{read_in.split(':', 1)[1]}' is not a key in references.bib", label, row,
                                    "read_in"))
    label, rows = tables.get("effect_sizes", ("", []))
    studies = {row["study"] for row in rows}
    country: dict[str, tuple[str, int]] = {}
    for row in rows:
        # One sample is one group of people: it cannot sit in two countries.
        seen = country.setdefault(row["sample"], (row["country"], row["_row"]))
        if row["sample"] and row["country"] != seen[0]:
            out.append(_problem(f"sample '{row['sample']}' has country '{row['country']}' here but '{seen[0]}' in "
                                f"row {seen[1]}", label, row, "country"))
    for row in rows:
        if row["es_id"] and row["study"] and not row["es_id"].startswith(row["study"] + "-"):
            out.append(_problem(f"'{row['es_id']}' does not start with its study key '{row['study']}-'", label,
                                row, "es_id"))
        owner = row["sample"].rsplit("-s", 1)[0] if row["sample"] else ""
        if owner and owner not in studies:
            out.append(_problem(f"sample '{row['sample']}' names no coded study ('{owner}')", label, row,
                                "sample"))
    return out


# --------------------------------------------------------------------------- rules the book depends on
#
# What a schema cannot say and a chapter relies on: a row the validator lets through must
# mean what its codes say, or the book computes a true-looking number from a false row.

#: Appended to a schema message when ``n`` is below its minimum in a table of correlations.
WHY_BOUNDS = {"n": "; a correlation needs n of at least 4: its Fisher z variance 1/(n - 3) must be finite "
                   "and positive"}

#: ``effect_sizes.csv``: the populations a dyad may have (``population`` is who was treated).
#: A dyad not named here (family-therapist, patient-physician, client-provider) may have any.
DYAD_POPULATIONS = {
    "parent-therapist": ("child", "adolescent", "family"),
    "youth-therapist": ("child", "adolescent", "family"),
    "client-therapist": ("adult",),
    "couple-therapist": ("family",),
}
#: ``syntheses.csv``: the dyads a pooled population may have (``parent`` is the parent's
#: own alliance, so only parent-therapist; ``mixed`` is a review that pooled several dyads).
POPULATION_DYADS = {
    "adult": ("client-therapist", "mixed"),
    "youth": ("youth-therapist", "mixed"),
    "family": ("family-therapist", "mixed"),
    "couple": ("couple-therapist", "mixed"),
    "parent": ("parent-therapist",),
}
#: A second-pass row numbered from here on is one only the second coder found (data/README.md).
SECOND_CODER_ONLY = 51


def _known_values(shown: str, values: set, target_label: str) -> str:
    """The tail of a foreign-key message: the closest known value, and all of them when few."""
    import difflib

    known = sorted(v[0] for v in values if len(v) == 1 and v[0])
    if not known:
        return ""
    close = difflib.get_close_matches(shown, known, n=1, cutoff=0.75)
    tail = f"; did you mean '{close[0]}'?" if close else ""
    if len(known) <= 12:
        where = f" in {Path(target_label).name}" if target_label else ""
        tail += f" The values{where}: {', '.join(known)} (a new value needs its row there first)"
    return tail


def _line_endings(path: Path, label: str) -> list[str]:
    """One problem when a table has any carriage return: every table uses LF line endings
    (one policy, so that a diff shows changed rows, not changed line ends)."""
    from ..engine.limits import max_bytes

    try:
        if path.stat().st_size > max_bytes():
            return []  # read_rows has refused it already
        data = path.read_bytes()
    except OSError:
        return []
    if b"\r" not in data:
        return []
    crlf = data.count(b"\r\n")
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    what = (f"has Windows (CRLF) line endings on {crlf} of {lines} lines" if crlf
            else "has carriage returns (CR) as line ends")
    return [_problem(f"{what}; every table of the dataset uses LF line endings: convert it, e.g. "
                     f"sed -i 's/\\r$//' {label}", label)]


# Printed statistics: a number as printed ('.22', '-0.47', '2.', with a Unicode minus).
_NUM = r"([-+\u2212\u2013]?(?:\d+(?:\.\d*)?|\.\d+))(?![\d.]*\d)"
_DF = r"(\d+(?:\.\d+)?)"
_NOT_AFTER = r"(?<![A-Za-z_])"
STATISTICS = {
    "r": re.compile(_NOT_AFTER + r"r\s*(?:\(\s*\d+\s*\))?\s*=\s*" + _NUM),
    "rho": re.compile(r"(?:\u03c1|" + _NOT_AFTER + r"(?:rho|r_?s))\s*(?:\(\s*\d+\s*\))?\s*=\s*" + _NUM),
    "partial r": re.compile(r"(?:partial\s+r|" + _NOT_AFTER + r"pr)\s*(?:\(\s*\d+\s*\))?\s*=\s*" + _NUM),
    "t": re.compile(_NOT_AFTER + r"t\s*(?:\(\s*" + _DF + r"\s*\)|" + _DF + r")\s*=\s*" + _NUM),
    "t, df": re.compile(_NOT_AFTER + r"t\s*=\s*" + _NUM + r"\s*[,;]\s*df\s*=\s*" + _DF),
    "F": re.compile(_NOT_AFTER + r"F\s*\(\s*" + _DF + r"\s*,\s*" + _DF + r"\s*\)\s*=\s*" + _NUM),
    "d": re.compile(_NOT_AFTER + r"d\s*=\s*" + _NUM),
    "beta": re.compile(r"(?:\u03b2|" + _NOT_AFTER + r"[Bb]eta)\s*=\s*" + _NUM),
    "n1": re.compile(_NOT_AFTER + r"n_?(?:1|\u2081)\s*=\s*(\d+)"),
    "n2": re.compile(_NOT_AFTER + r"n_?(?:2|\u2082)\s*=\s*(\d+)"),
}


@dataclass(frozen=True)
class Recomputed:
    """The correlation a printed statistic gives, for checking a coded ``r``.

    ``low`` and ``high`` bound ``|r|`` over every value that rounds to the printed digits
    (half a unit in the last printed place either side); ``value`` is ``|r|`` from the
    printed value itself. The sign is the coder's (``r`` is harmonised), so only ``|r|``
    is compared.
    """

    low: float
    high: float
    value: float
    rule: str
    printed: str


def _printed(text: str) -> tuple[float, float]:
    """(|value|, half a unit in its last printed place) of a printed number."""
    text = text.replace("\u2212", "-").replace("\u2013", "-")
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    return abs(float(text)), 0.5 * 10.0 ** -decimals


def _bounds(fn, text: str, rule: str, printed: str) -> Recomputed | None:
    """Apply a conversion that grows with |statistic| to the printed value and to the ends
    of its rounding interval."""
    import numpy as np

    value, half = _printed(text)
    try:
        with np.errstate(all="ignore"):  # t(0) = 0 is 0/0: no number, and no warning on stderr
            out = Recomputed(float(fn(max(value - half, 0.0))), float(fn(value + half)), float(fn(value)), rule,
                             printed)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return out if all(math.isfinite(x) for x in (out.low, out.high, out.value)) else None


def recompute_r(es_method: str, reported: str) -> list[Recomputed]:
    """The correlations that ``reported`` gives by the rule ``es_method`` names.

    Parameters
    ----------
    es_method : str
        A code of ``effect_sizes.es_method``. ``reported_r`` takes a printed ``r``;
        ``spearman_rho`` a printed rho (or r); ``from_t`` a t with its df,
        r = t / sqrt(t^2 + df); ``from_F`` an F(1, df), r = sqrt(F / (F + df));
        ``from_d`` a d, r = d / sqrt(d^2 + a) with a = (n1 + n2)^2 / (n1 n2) when
        ``reported`` prints n1 and n2 and a = 4 otherwise; ``from_beta`` a standardised
        beta, taken as r; ``partial_r`` a t with its df (converted as from_t), else a
        printed partial r or r. Other methods (``from_chi2``, ``from_means``) are not
        recomputed.
    reported : str
        The statistic as printed (``t(62) = 1.53``, ``beta = .22, t79 = 2.21``, ``r=-.47``).

    Returns
    -------
    list of Recomputed
        One per statistic of the named kind that ``reported`` prints, on the |r| scale;
        empty when the method has no rule here or nothing in ``reported`` can be parsed
        (not every printed format can be, and then nothing is said).
    """
    from ..engine.effects import r_from_d, r_from_f, r_from_t

    text = reported or ""

    def printed(kind, fn, rule, group=1):
        return [c for m in STATISTICS[kind].finditer(text)
                if (c := _bounds(lambda x, m=m: fn(x, m), m.group(group), rule, m.group(0))) is not None]

    def t_rows():
        found = printed("t", lambda x, m: r_from_t(x, float(m.group(1) or m.group(2))),
                        "r = t / sqrt(t^2 + df)", 3)
        return found + printed("t, df", lambda x, m: r_from_t(x, float(m.group(2))), "r = t / sqrt(t^2 + df)")

    def same(kind, rule):
        return printed(kind, lambda x, m: min(x, 1.0) if kind != "beta" else x, rule)

    if es_method == "reported_r":
        return same("r", "the printed r")
    if es_method == "spearman_rho":
        return same("rho", "the printed rho") or same("r", "the printed r")
    if es_method == "from_t":
        return t_rows()
    if es_method == "partial_r":
        return t_rows() or same("partial r", "the printed partial r") or same("r", "the printed r")
    if es_method == "from_beta":
        return same("beta", "the printed standardised beta")
    if es_method == "from_F":
        return [c for m in STATISTICS["F"].finditer(text) if float(m.group(1)) == 1.0
                and (c := _bounds(lambda x, m=m: r_from_f(x, float(m.group(2))), m.group(3),
                                  "r = sqrt(F / (F + df)) for F(1, df)", m.group(0))) is not None]
    if es_method == "from_d":
        n1, n2 = STATISTICS["n1"].search(text), STATISTICS["n2"].search(text)
        if n1 and n2 and int(n1.group(1)) > 0 and int(n2.group(1)) > 0:
            a, b = int(n1.group(1)), int(n2.group(1))
            return printed("d", lambda x, m: r_from_d(x, a, b), "r = d / sqrt(d^2 + (n1 + n2)^2 / (n1 n2))")
        return printed("d", lambda x, m: r_from_d(x), "r = d / sqrt(d^2 + 4)")
    return []


def _number_or_none(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _effect_rules(label: str, rows: list[dict]) -> list[str]:
    """``effect_sizes.csv``: r at the edge of its scale; r that does not follow from what
    ``reported`` prints by the rule ``es_method`` names; a dyad that cannot have the
    population coded (:data:`DYAD_POPULATIONS`)."""
    out = []
    for row in rows:
        at, r_text = row["_row"], row.get("r", "")
        r = _number_or_none(r_text)
        if r is not None and abs(r) == 1.0:
            out.append(_problem(f"r = {r_text} is at the edge of the scale: its Fisher z is infinite and the row "
                                "cannot be pooled; check the source (a printed 1.00 is a rounding or a typo) and "
                                "leave the row out if it stands", label, at, "r"))
        elif r is not None and abs(r) < 1.0:
            found = recompute_r(row.get("es_method", ""), row.get("reported", ""))
            _, half = _printed(r_text) if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)", r_text) else (0.0, 0.0)
            if found and not any(c.low - half - 1e-9 <= abs(r) <= c.high + half + 1e-9 for c in found):
                c = found[0]
                out.append(_problem(
                    f"r = {r_text} does not follow from reported '{c.printed}' by {row['es_method']}: {c.rule} "
                    f"gives |r| = {c.value:.4f} ({c.low:.4f} to {c.high:.4f} within the rounding of the printed "
                    "digits); correct r, es_method or reported", label, at, "r"))
        dyad, population = row.get("alliance_dyad", ""), row.get("population", "")
        allowed = DYAD_POPULATIONS.get(dyad)
        if allowed and population and population not in allowed:
            out.append(_problem(f"population '{population}' does not fit alliance_dyad '{dyad}', whose population is "
                                f"{' or '.join(allowed)} (data/README.md, codebook)", label, at, "population"))
    return out


def _synthesis_codes(label: str, rows: list[dict]) -> list[str]:
    """``syntheses.csv``: a pooled r at the edge of its scale; a dyad that cannot belong to
    the population coded (:data:`POPULATION_DYADS`)."""
    out = []
    for row in rows:
        at, r_text = row["_row"], row.get("r", "")
        r = _number_or_none(r_text)
        if r is not None and abs(r) == 1.0:
            out.append(_problem(f"r = {r_text} is at the edge of the scale: its Fisher z is infinite; check the "
                                "source (a pooled r of 1 is a typo or a misread)", label, at, "r"))
        dyad, population = row.get("alliance_dyad", ""), row.get("population", "")
        allowed = POPULATION_DYADS.get(population)
        if allowed and dyad and dyad not in allowed:
            out.append(_problem(f"alliance_dyad '{dyad}' does not fit population '{population}', whose dyad is "
                                f"{' or '.join(allowed)} (data/README.md, codebook)", label, at, "alliance_dyad"))
    return out


def _book_rules(pkg: dict, tables: dict, skip=frozenset()) -> list[str]:
    """The rules of this section over the tables that could be read."""
    out = []
    if "effect_sizes" not in skip:
        out += _effect_rules(*tables.get("effect_sizes", ("", [])))
    if "syntheses" not in skip:
        out += _synthesis_codes(*tables.get("syntheses", ("", [])))
    # An overlap group's scope is written in the codes of syntheses.csv.
    syn = next((r for r in pkg["resources"] if r.get("name") == "syntheses"), None)
    vocab = {f["name"]: f.get("constraints", {}).get("enum") for f in (syn["schema"]["fields"] if syn else [])}
    label, rows = tables.get("overlap_groups", ("", []))
    for row in rows:
        for column in ("population", "setting"):
            codes = vocab.get(column)
            for code in (c.strip() for c in row.get(column, "").split(";")):
                if codes and code and code not in codes:
                    out.append(_problem(f"'{code}' is not a value of syntheses.{column} ({', '.join(codes)})",
                                        label, row, column))
    # A second-pass row codes a row of the dataset, or is one only the second coder found.
    if "effect_sizes" not in skip:
        ids = {row.get("es_id", "") for row in tables.get("effect_sizes", ("", []))[1]}
        label, rows = tables.get("second_pass", ("", []))
        for row in rows:
            es_id = row.get("es_id", "")
            number = re.search(r"-(\d+)$", es_id)
            if es_id and es_id not in ids and number and int(number.group(1)) < SECOND_CODER_ONLY:
                out.append(_problem(f"'{es_id}' is not an es_id of effect_sizes.csv: a second-pass row codes an "
                                    f"existing row, or is numbered from {SECOND_CODER_ONLY} when only the second "
                                    "coder found it", label, row, "es_id"))
    return out


def _key_years(tables: dict, refs: dict) -> list[str]:
    """The year in a BibTeX key (``kazdin2017``) is the ``year`` of its entry, in every
    table and column that names a key (``study``, ``via``, ``read_in = quoted_by:<key>``)."""
    out = []
    for label, rows in tables.values():
        for row in rows:
            named = [(c, row.get(c, "")) for c in ("study", "via")]
            if row.get("read_in", "").startswith("quoted_by:"):
                named.append(("read_in", row["read_in"].split(":", 1)[1]))
            for column, key in named:
                in_key = re.search(r"(\d{4})[a-z]?$", key)
                ref = refs.get(key) if in_key else None
                in_bib = re.match(r"\d{4}", ref.year) if ref is not None else None
                if in_bib and in_key.group(1) != in_bib.group(0):
                    out.append(_problem(f"'{key}' carries the year {in_key.group(1)} but references.bib gives year "
                                        f"= {ref.year}: a key is lastnameYEAR with the work's year (correct the "
                                        "year, or rename the key in references.bib and in every table)", label,
                                        row, column))
    return out


def load_references(root=None):
    """``references.bib`` of the project as ``{key: Reference}`` (see :mod:`alliance_meta.evidence.bibliography`)."""
    from .bibliography import read_bib

    return read_bib(project_root(root) / "references.bib")
