"""``prose_register.py``: the scan of typed count and judgement sentences, on a small synthetic
chapter, and the book against its register (``tests/data/prose_register.tsv``).

Every typed sentence of a chapter that holds a count or a judgement word is registered with a
verdict; a new one fails until someone reads it and registers it, and none may be a
``data-claim`` (a typed statement about the data that a change of data could make false)."""
import json
import subprocess
import sys
from pathlib import Path

import prose_register as scan

CHAPTER = '''---
jupytext:
  text_representation:
    extension: .md
kernelspec:
  name: python3
---

(ch-x)=
# Two tables

Typed prose without a count word here. The only review is the most recent one.

```{code-cell} ipython3
:tags: [remove-input]
glue("n", 3)  # only code: never flagged
```

There are {glue:text}`n` rows. As {cite:t}`horvath1991` showed, the alliance matters in 3 ways.
Math $k = 2$ is no sentence of its own, e.g. this one stays whole.

```{glue:figure} fig_x
:name: fig-x
:alt: A forest plot with one row per sample.

Caption: each sample is a square.
```

```{solution} ex-1
:class: dropdown

~~~python
print("none of this is prose")
~~~

On the shipped data, both groups hold a single sample.
```

| Message | Meaning |
| --- | --- |
| `is empty` | no value was read |
'''


def _write(tmp_path, text=CHAPTER, name="ch.md"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "plain.md").write_text("# Not executable\n\nOnly two words.\n", encoding="utf-8")
    return tmp_path


def test_flags_typed_prose_only(tmp_path):
    rows = scan.scan(_write(tmp_path))
    sentences = [r["sentence"] for r in rows]
    assert sentences == [
        "Two tables",
        "The only review is the most recent one.",
        "As ⟨cite⟩ showed, the alliance matters in 3 ways.",
        "Math ⟨math⟩ is no sentence of its own, e.g. this one stays whole.",
        "A forest plot with one row per sample.",
        "Caption: each sample is a square.",
        "On the shipped data, both groups hold a single sample.",
        "`is empty`; no value was read",
    ]
    assert {r["chapter"] for r in rows} == {"ch"}  # plain.md has no jupytext header


def test_glue_names_kept_but_not_flagged(tmp_path):
    rows = scan.scan(_write(tmp_path, CHAPTER.replace("There are {glue:text}`n` rows.",
                                                    "There are {glue:text}`n_two` rows.")))
    assert not any("n_two" in r["sentence"] for r in rows)
    assert scan.flagged("For ⟨glue:three⟩ rows") is False


def test_key_is_sha1_of_normalised_sentence():
    assert scan.key("a  b\n c") == scan.key("a b c")
    assert len(scan.key("x")) == 12


def test_lines_point_at_the_sentence(tmp_path):
    rows = scan.scan(_write(tmp_path))
    lines = CHAPTER.split("\n")
    for r in rows:
        first_word = r["sentence"].split()[0].strip("`⟨")
        assert first_word in lines[r["line"] - 1] or r["sentence"].startswith("⟨")


def test_cli_reports_unregistered_keys(tmp_path):
    book = _write(tmp_path)
    rows = scan.scan(book)
    reg = tmp_path / "reg.tsv"
    reg.write_text("chapter\tkey\tverdict\tsentence\tnote\n"
                   + "".join(f"ch\t{r['key']}\tmethod\t{r['sentence']}\t\n" for r in rows[1:]), encoding="utf-8")
    here = Path(__file__).parent / "prose_register.py"
    res = subprocess.run([sys.executable, str(here), str(book), str(reg)], capture_output=True, text=True)
    assert res.returncode == 1
    assert [json.loads(l)["key"] for l in res.stdout.splitlines()] == [rows[0]["key"]]
    reg.write_text(reg.read_text() + f"ch\t{rows[0]['key']}\tdata-claim\tx\t\n", encoding="utf-8")
    assert subprocess.run([sys.executable, str(here), str(book), str(reg)]).returncode == 0
    res = subprocess.run([sys.executable, str(here), str(book), str(reg), "--fail-on", "data-claim"],
                         capture_output=True, text=True)
    assert res.returncode == 1 and json.loads(res.stdout)["verdict"] == "data-claim"


ROOT = Path(__file__).resolve().parents[1]
REGISTER = Path(__file__).parent / "data" / "prose_register.tsv"
VERDICTS = {"method", "published", "structure", "glued", "data-claim"}


def test_the_register_uses_known_verdicts():
    assert set(scan.read_register(REGISTER).values()) <= VERDICTS


def test_every_flagged_sentence_of_the_book_is_registered():
    register = scan.read_register(REGISTER)
    missing = [f"{r['chapter']}:{r['line']}: {r['sentence']} [{r['key']}]" for r in scan.scan(ROOT / "book")
               if r["key"] not in register]
    assert missing == [], "read these sentences and register them with a verdict:\n" + "\n".join(missing)


def test_no_typed_sentence_claims_something_about_the_data():
    register = scan.read_register(REGISTER)
    claims = [f"{r['chapter']}:{r['line']}: {r['sentence']}" for r in scan.scan(ROOT / "book")
              if register.get(r["key"]) == "data-claim"]
    assert claims == [], "compute these from the data (evidence layer + glue):\n" + "\n".join(claims)
