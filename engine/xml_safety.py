"""Reading diagrams from outside: bytes in, a checked lxml tree out, or a refusal that names the
file and the line. No DTD, no entities, no network, a size cap."""

from __future__ import annotations

import json
import re
from typing import Any

from lxml import etree

from .errors import InvalidDefinition

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
)
XINCLUDE_NAMESPACES = ("http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        dtd_validation=False,
        load_dtd=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=True,
    )


def check_size(name: str, content: bytes, max_bytes: int) -> None:
    if len(content) > max_bytes:
        raise InvalidDefinition(
            f"file is {len(content):,} bytes, over the limit of {max_bytes:,} bytes", file=name
        )


def parse_xml(name: str, content: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """Parse untrusted XML; refuse a DOCTYPE or entity declaration outright."""
    check_size(name, content, max_bytes)
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise InvalidDefinition("the file is not valid UTF-8", file=name, line=line) from exc
    for pattern, what in ((_DOCTYPE, "a DOCTYPE"), (_ENTITY, "an entity declaration")):
        found = pattern.search(content)
        if found:
            line = content[: found.start()].count(b"\n") + 1
            raise InvalidDefinition(
                f"{what} is not allowed in a diagram (DTDs and entities are refused)",
                file=name,
                line=line,
            )
    try:
        root = etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise InvalidDefinition(
            f"not well-formed XML: {exc.msg}", file=name, line=exc.lineno or None
        ) from exc
    if root is None:
        raise InvalidDefinition("the file is empty", file=name)
    _refuse_xinclude(name, root)
    return root


def _refuse_xinclude(name: str, root: Any) -> None:
    # Inert as long as nobody calls xinclude(), but a diagram has no business pulling in files.
    found = next(root.iter(*(f"{{{ns}}}*" for ns in XINCLUDE_NAMESPACES)), None)
    if found is not None:
        raise InvalidDefinition(
            "XInclude is not allowed in a diagram", file=name, line=found.sourceline
        )


def root_kind(name: str, root: Any) -> str:
    """'bpmn' or 'dmn' by the root element; anything else is refused."""
    tag = etree.QName(root)
    if tag.namespace == BPMN_NS and tag.localname == "definitions":
        return "bpmn"
    if tag.namespace in DMN_NAMESPACES and tag.localname == "definitions":
        return "dmn"
    raise InvalidDefinition(
        f"the root element is <{tag.localname}> in namespace '{tag.namespace}', "
        "not BPMN 2.0 or DMN <definitions>",
        file=name,
        line=root.sourceline,
    )


def parse_json_form(name: str, content: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    check_size(name, content, max_bytes)
    try:
        return json.loads(content.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise InvalidDefinition("the file is not valid UTF-8", file=name, line=line) from exc
    except json.JSONDecodeError as exc:
        raise InvalidDefinition(f"not valid JSON: {exc.msg}", file=name, line=exc.lineno) from exc
    except RecursionError as exc:
        raise InvalidDefinition("the JSON is nested too deeply", file=name) from exc
