"""Reading diagrams from outside: bytes in, a checked lxml tree out, or a refusal that names the
file and the line. No DTD, no entities, no network, a size cap."""

from __future__ import annotations

import json
import re
from typing import Any

from lxml import etree

from .camunda_namespaces import adopt_activiti_namespace
from .errors import InvalidDefinition
from .reserved_ids import name_anonymous_flows, rename_reserved_ids
from .xml_namespaces import BPMN_NS

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn11.xsd",  # DMN 1.1 as Camunda's own examples name it
)
# Camunda 7 deploys `*.bpmn20.xml` as well as `*.bpmn` (its own tests and older projects).
BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml")
XINCLUDE_NAMESPACES = ("http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
# The encoding an XML declaration names; lxml would follow it and read the bytes otherwise than
# the checks below did.
_DECLARED_ENCODING = re.compile(
    rb"\A(?:\xef\xbb\xbf)?<\?xml[^>]*?\sencoding\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE
)
# How the first character '<' of a document looks in UTF-16 and UTF-32 without a byte-order mark.
_WIDE_STARTS = (
    (b"\x00\x00\x00<", "UTF-32"),
    (b"<\x00\x00\x00", "UTF-32"),
    (b"\x00<", "UTF-16"),
    (b"<\x00", "UTF-16"),
)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        # Whatever the declaration says: the bytes were checked as UTF-8.
        encoding="utf-8",
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
            f"file is {len(content):,} bytes, over the limit of {max_bytes:,} bytes",
            file=name,
            reason="file_too_large",
            size_bytes=len(content),
            limit_bytes=max_bytes,
        )


def check_utf8(name: str, content: bytes) -> None:
    """Refuse anything but UTF-8 (a byte-order mark allowed) without a NUL character, and an XML
    declaration naming another encoding: the DOCTYPE check below reads UTF-8 bytes, so text in
    UTF-16 or UTF-32 would slip past it."""
    for start, encoding in _WIDE_STARTS:
        if content.startswith(start):
            raise InvalidDefinition(
                f"the file is {encoding} text, not UTF-8: save it as UTF-8",
                file=name,
                line=1,
                reason="file_not_utf8",
                encoding=encoding,
            )
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise InvalidDefinition(
            "the file is not valid UTF-8", file=name, line=line, reason="file_not_utf8"
        ) from exc
    nul = content.find(b"\x00")
    if nul >= 0:
        line = content[:nul].count(b"\n") + 1
        raise InvalidDefinition(
            "the file holds a NUL character", file=name, line=line, reason="nul_character"
        )
    declared = _DECLARED_ENCODING.match(content)
    encoding = declared.group(1).decode("ascii", "replace") if declared else "utf-8"
    if encoding.lower() not in ("utf-8", "utf8"):
        raise InvalidDefinition(
            f"the file declares the encoding '{encoding}'; only UTF-8 is accepted",
            file=name,
            line=1,
            reason="file_not_utf8",
            encoding=encoding,
        )


def parse_xml(name: str, content: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """Parse untrusted XML; refuse a DOCTYPE or entity declaration outright."""
    check_size(name, content, max_bytes)
    check_utf8(name, content)
    for pattern, what, construct in (
        (_DOCTYPE, "a DOCTYPE", "DOCTYPE"),
        (_ENTITY, "an entity declaration", "ENTITY"),
    ):
        found = pattern.search(content)
        if found:
            line = content[: found.start()].count(b"\n") + 1
            raise InvalidDefinition(
                f"{what} is not allowed in a diagram (DTDs and entities are refused)",
                file=name,
                line=line,
                reason="xml_unsafe",
                construct=construct,
            )
    try:
        root = etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise InvalidDefinition(
            f"not well-formed XML: {exc.msg}",
            file=name,
            line=exc.lineno or None,
            reason="xml_malformed",
            detail=exc.msg,
        ) from exc
    if root is None:
        raise InvalidDefinition("the file is empty", file=name, reason="file_empty")
    _refuse_xinclude(name, root)
    adopt_activiti_namespace(root)  # Camunda 7 reads it as its own
    rename_reserved_ids(root)  # `Start`, `End`: SpiffWorkflow's own
    name_anonymous_flows(root)  # a flow without an id would be left out
    return root


def _refuse_xinclude(name: str, root: Any) -> None:
    # Inert as long as nobody calls xinclude(), but a diagram has no business pulling in files.
    found = next(root.iter(*(f"{{{ns}}}*" for ns in XINCLUDE_NAMESPACES)), None)
    if found is not None:
        raise InvalidDefinition(
            "XInclude is not allowed in a diagram",
            file=name,
            line=found.sourceline,
            reason="xml_unsafe",
            construct="XInclude",
        )


def is_bpmn_name(name: str) -> bool:
    """Whether a file's name says it is a BPMN diagram."""
    return name.lower().endswith(BPMN_SUFFIXES)


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
        reason="not_bpmn_or_dmn",
        root=tag.localname,
    )


def parse_json_form(name: str, content: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    check_size(name, content, max_bytes)
    check_utf8(name, content)
    try:
        form = json.loads(content.decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise InvalidDefinition(
            f"not valid JSON: {exc.msg}",
            file=name,
            line=exc.lineno,
            reason="json_malformed",
            detail=exc.msg,
        ) from exc
    except RecursionError as exc:
        raise _too_deep(name) from exc
    _check_form_values(name, form)
    return form


# Lists and objects within each other in a form: real forms nest a few levels (an object's
# properties, an array's items); the walks that read a form recurse, so what is deeper than this
# (and shallower than the JSON parser's own limit) is refused here rather than failing there.
MAX_JSON_DEPTH = 100


def _check_form_values(name: str, value: Any) -> None:
    todo = [(value, 0)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, str) and "\x00" in item:
            raise InvalidDefinition(
                "the form holds a NUL character (\\u0000)", file=name, reason="nul_character"
            )
        if isinstance(item, dict | list) and depth >= MAX_JSON_DEPTH:
            raise _too_deep(name)
        if isinstance(item, dict):
            todo.extend((part, depth + 1) for part in (*item.keys(), *item.values()))
        elif isinstance(item, list):
            todo.extend((part, depth + 1) for part in item)


def _too_deep(name: str) -> InvalidDefinition:
    return InvalidDefinition("the JSON is nested too deeply", file=name, reason="json_too_deep")
