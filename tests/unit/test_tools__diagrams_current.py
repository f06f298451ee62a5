"""The department's diagrams and forms in bpmn/ are what tools/make_diagrams writes: an edit
made in the XML or the JSON by hand (or a generator change never run) would be lost, or would
ship unseen, at the next `make diagrams`."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from tools import make_diagrams
from tools.diagrams.common import BPMN_DIR, FORMS_DIR


def test_each_diagram_is_as_the_generator_writes_it(tmp_path: Path) -> None:
    stale = []
    for build in make_diagrams.PROCESSES:
        written = build().write(tmp_path)
        if written.read_bytes() != (BPMN_DIR / written.name).read_bytes():
            stale.append(written.name)
    assert stale == [], "run `make diagrams` and commit what it writes"
    assert {p.name for p in BPMN_DIR.glob("*.bpmn")} == {p.name for p in tmp_path.iterdir()}


def test_each_generated_form_is_as_the_generator_writes_it() -> None:
    stale = [
        name
        for module in make_diagrams.MODULES
        for name, form in module.FORMS.items()
        if (FORMS_DIR / name).read_text(encoding="utf-8")
        != json.dumps(form, ensure_ascii=False, indent=2) + "\n"
    ]
    assert stale == [], "run `make diagrams` and commit what it writes"


def test_each_form_a_diagram_names_is_there() -> None:
    """A form a diagram names by file (the generated ones, and the plan's start form kept by
    hand) is in bpmn/forms."""
    named = {
        element.get("value")
        for path in BPMN_DIR.glob("*.bpmn")
        for element in etree.parse(str(path)).iter()
        if element.get("name") == "formJsonSchemaFilename"
    }
    assert "nhiem_vu_ke_hoach.json" in named and len(named) > 20
    assert sorted(n for n in named if not (FORMS_DIR / n).is_file()) == []
    # And no form lies there that nothing makes or names (one left behind by a rename).
    generated = {name for module in make_diagrams.MODULES for name in module.FORMS}
    kept = {p.name for p in FORMS_DIR.iterdir()}
    assert sorted(kept - generated - named) == []
