"""The project's dataset: loading ``data/`` for chapters, and validating it.

``validate_package`` checks every table listed in ``data/datapackage.json`` against its
Frictionless Table Schema (the subset the project uses: types string, integer, number
and date; constraints required, unique, enum, minimum, maximum, pattern; primary and
foreign keys) and then what a schema cannot say: every ``study`` is a key of
``references.bib`` with a DOI or URL, a value read in a review's table (``via``) names that
review's key, every id belongs to its study, and a sample id names a coded study.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
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
        problems += found
        tables[res["name"]] = (label, rows)
        if found and not rows:
            unread.add(res["name"])
    problems += _foreign_keys(pkg, tables, skip=unread)
    problems += _synthesis_rules(*tables.get("syntheses", ("", [])))
    problems += _selection_rules(pkg, tables)
    problems += _founding_agendas_read(*tables.get("founding_agendas", ("", [])))
    if refs is not None:
        problems += _cross_check(tables, refs)
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
            if r_val is None:
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
            values = {tuple(row.get(f, "") for f in ref_fields) for row in tables.get(target, ("", []))[1]}
            for row in rows:
                key = tuple(row.get(f, "") for f in fields)
                if all(key) and key not in values:
                    shown = key[0] if len(key) == 1 else ", ".join(key)
                    out.append(_problem(f"'{shown}' is not a value of {target}.{', '.join(ref_fields)} (foreign key)",
                                        label, row, fields[0]))
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


def _cross_check(tables: dict, refs: dict) -> list[str]:
    out = []
    for name in ("effect_sizes", "syntheses", "first_pass", "second_pass", "parent_accounts", "barrier_sources",
                 "founding_agendas"):
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
                                row["_row"], "es_id"))
        owner = row["sample"].rsplit("-s", 1)[0] if row["sample"] else ""
        if owner and owner not in studies:
            out.append(_problem(f"sample '{row['sample']}' names no coded study ('{owner}')", label, row,
                                "sample"))
    return out


def load_references(root=None):
    """``references.bib`` of the project as ``{key: Reference}`` (see :mod:`alliance_meta.evidence.bibliography`)."""
    from .bibliography import read_bib

    return read_bib(project_root(root) / "references.bib")
