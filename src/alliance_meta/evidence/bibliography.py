"""Reading ``references.bib`` (bibtexparser 2) and making short author-year labels.

Labels follow APA's in-text form, which forest plots and tables use:
"Kazdin", "Kazdin & Whitley", "Kazdin et al." followed by ", 2006".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.errors import InputError

_BRACES = re.compile(r"[{}]")
_LATEX_ACCENT = re.compile(r"\\[`'^\"~=.uvHckbdrt]\s*\{?([A-Za-z])\}?")
_LATEX_CMD = re.compile(r"\\[A-Za-z]+\s*")


@dataclass
class Reference:
    """One BibTeX entry: its key, type, fields (lower-case names) and the line it starts on."""

    key: str
    entry_type: str
    fields: dict = field(default_factory=dict)
    line: int = 0

    @property
    def authors(self) -> list[str]:
        """Family names of the authors (or editors), in order."""
        raw = self.fields.get("author") or self.fields.get("editor") or ""
        names = [n.strip() for n in re.split(r"\s+and\s+", plain(raw)) if n.strip()]
        return [_family(n) for n in names]

    @property
    def year(self) -> str:
        return plain(self.fields.get("year", "")).strip() or "n.d."

    @property
    def label(self) -> str:
        """'Kazdin et al., 2006' style label (APA 7 in-text citation)."""
        a = self.authors
        # BibTeX's "and others" stands for authors not listed: it makes the list "et al."
        more = bool(a) and a[-1].lower() == "others"
        a = a[:-1] if more else a
        if not a:
            who = plain(self.fields.get("title", self.key))[:40]
        elif more and len(a) >= 1:
            who = f"{a[0]} et al."
        elif len(a) == 1:
            who = a[0]
        elif len(a) == 2:
            who = f"{a[0]} & {a[1]}"
        else:
            who = f"{a[0]} et al."
        return f"{who}, {self.year}"

    @property
    def link(self) -> str | None:
        """The DOI as a URL, else the URL field, else None."""
        doi = self.fields.get("doi", "").strip()
        if doi:
            return doi if doi.startswith("http") else f"https://doi.org/{doi}"
        url = self.fields.get("url", "").strip()
        return url or None


#: Fields each entry type needs for the book's bibliography style (pybtex "plain" warns
#: and the strict build fails without them); "author" may be replaced by "editor".
REQUIRED = {
    "article": ("author", "title", "journal", "year"),
    "book": ("author", "title", "publisher", "year"),
    "incollection": ("author", "title", "booktitle", "publisher", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "phdthesis": ("author", "title", "school", "year"),
    "mastersthesis": ("author", "title", "school", "year"),
    "techreport": ("author", "title", "institution", "year"),
    "misc": ("year",),  # e.g. a work known only through a later citation (its note says so)
    "online": ("title", "year", "url"),
}


def missing_fields(ref: "Reference") -> list[str]:
    """Fields that ``ref``'s entry type requires but that are absent or empty."""
    need = REQUIRED.get(ref.entry_type, ("title", "year"))
    have = {k for k, v in ref.fields.items() if v.strip()}
    if "editor" in have:
        have.add("author")
    return [f for f in need if f not in have]


def plain(text: str) -> str:
    """Strip BibTeX braces and simple LaTeX accents: 'Fl{\\"u}ckiger' -> 'Fluckiger'."""
    text = _LATEX_ACCENT.sub(r"\1", text)
    text = _LATEX_CMD.sub("", text)
    return " ".join(_BRACES.sub("", text).split())


def _family(name: str) -> str:
    if "," in name:
        return name.split(",")[0].strip()
    parts = name.split()
    # "Marieke de Greef": keep lower-case particles with the family name
    for i, part in enumerate(parts[:-1]):
        if part[:1].islower():
            return " ".join(parts[i:])
    return parts[-1] if parts else name


#: fields read as they stand, without LaTeX decoding
VERBATIM = ("url", "doi")


def read_bib(path: str | Path) -> dict[str, Reference]:
    """Parse a BibTeX file into {key: Reference}.

    Raises
    ------
    InputError
        When the file cannot be read, a block cannot be parsed (e.g. unbalanced braces),
        or a key appears twice; the message names the file and line.
    """
    import bibtexparser
    from bibtexparser.middlewares import LatexDecodingMiddleware

    label = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError("no such file", file=label) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"is not UTF-8 text (byte offset {exc.start})", file=label) from None
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", file=label) from None
    lib = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    for block in lib.failed_blocks:
        kind = type(block).__name__
        line = (block.start_line or 0) + 1
        if kind == "DuplicateBlockKeyBlock":
            raise InputError(f"line {line}: the key '{block.key}' is used twice", file=label)
        raise InputError(f"line {line}: this entry cannot be parsed (check its braces and quotes)", file=label)
    # BibTeX itself (and biber) compares keys without case: smith2010 and Smith2010 are one key
    folded: dict = {}
    for entry in lib.entries:
        first = folded.setdefault(entry.key.casefold(), entry)
        if first is not entry:
            raise InputError(f"line {(entry.start_line or 0) + 1}: the key '{entry.key}' differs from '{first.key}' "
                             f"(line {(first.start_line or 0) + 1}) only in case; BibTeX takes them as one key",
                             file=label)
    # Addresses are not LaTeX: decoding would turn the '&' of a query string into a space.
    raw = {e.key: e for e in bibtexparser.parse_string(text).entries}
    out = {}
    for entry in lib.entries:
        fields = {k.lower(): str(v.value) for k, v in entry.fields_dict.items()}
        for k, v in raw[entry.key].fields_dict.items():
            if k.lower() in VERBATIM:
                fields[k.lower()] = str(v.value).strip().strip("{}")
        out[entry.key] = Reference(entry.key, entry.entry_type.lower(), fields, (entry.start_line or 0) + 1)
    return out


def publication_year(refs: dict[str, Reference], key: str) -> int | None:
    """The four-digit year of ``refs[key]``, or None when the key is unknown or its year
    is not a number ('n.d.')."""
    try:
        return int(refs[key].year[:4])
    except (KeyError, ValueError, TypeError):
        return None


def labels(refs: dict[str, Reference], keys) -> list[str]:
    """Labels for ``keys``, with a/b suffixes where two works would share one label."""
    base = {k: refs[k].label if k in refs else k for k in dict.fromkeys(keys)}
    counts: dict[str, list[str]] = {}
    for k, lab in base.items():
        counts.setdefault(lab, []).append(k)
    final = {}
    for lab, ks in counts.items():
        if len(ks) == 1:
            final[ks[0]] = lab
        else:
            for i, k in enumerate(sorted(ks)):
                final[k] = f"{lab}{'abcdefghijklmnopqrstuvwxyz'[i % 26]}"
    return [final[k] for k in keys]
