"""Which language each piece of code in a diagram is written in, checked at deploy.

Python (no format, or `python`) is the sandbox's language and is checked by engine/parsing.py.
JavaScript (`javascript`, `ecmascript`, `js`, any case) is compiled here with QuickJS, a syntax
error refused with its line, and marked in the copy handed to SpiffWorkflow so that the script
engine runs it in QuickJS (engine/javascript.py). Every other language — Groovy, JRuby, XSLT,
FEEL in a script, … — and scripts kept in outside resources are refused, naming the element and
the language.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import etree

from .definition_checks import owner_id
from .errors import InvalidDefinition
from .javascript import JS_MARKER, JavaScriptError, compile_script, is_javascript
from .xml_namespaces import BPMN_NS as BPMN
from .xml_namespaces import CAMUNDA_NS

# No language named, the sandbox's Python, or JUEL (rewritten into Python by juel_camunda).
NOT_FOREIGN = frozenset({"", "python", "juel"})
_CONDITIONS = ("conditionExpression", "condition", "completionCondition", "loopCondition")
RESULT_PREFIX = "//@result "
_LISTENERS = ("taskListener", "executionListener")


def language_of(element: Any) -> str:
    """The language an element's code is written in, lower-cased ('' when none is named)."""
    name = etree.QName(element)
    if name.namespace == BPMN and name.localname == "script":
        parent = element.getparent()
        declared = parent.get("scriptFormat") if parent is not None else None
    elif name.namespace == BPMN:
        declared = element.get("language")
    else:  # camunda:script
        declared = element.get("scriptFormat")
    return (declared or "").strip().lower()


def is_python(element: Any) -> bool:
    """True when the element's code is the sandbox's to check and run."""
    return language_of(element) in NOT_FOREIGN


def _code_elements(root: Any) -> Iterator[Any]:
    for task in root.iter(f"{{{BPMN}}}scriptTask"):
        script = task.find(f"{{{BPMN}}}script")
        yield script if script is not None else task
    for tag in _CONDITIONS:
        yield from root.iter(f"{{{BPMN}}}{tag}")
    yield from root.iter(f"{{{CAMUNDA_NS}}}script")


def check_script_languages(file_name: str, root: Any) -> None:
    """Refuse code in a language the engine cannot run, a script kept in an outside resource,
    and JavaScript that does not compile (with the line of the error in the file)."""
    for element in _code_elements(root):
        if etree.QName(element).localname == "scriptTask":  # no inline script at all
            language = (element.get("scriptFormat") or "").strip().lower()
        else:
            language = language_of(element)
        outside = element.get(f"{{{CAMUNDA_NS}}}resource") or element.get("resource")
        if outside and language not in NOT_FOREIGN and not is_javascript(language):
            raise _refused(
                file_name,
                element,
                f"scripts in '{language}' cannot run here (the outside resource '{outside}'): "
                "rewrite it in JavaScript, deployed beside the diagram or inline",
                reason="script_language",
                language=language,
                allowed="JavaScript",
            )
        if outside:
            raise _refused(
                file_name,
                element,
                f"the script is kept in the outside resource '{outside}', which is not a "
                "JavaScript file deployed with the diagram: deploy it beside the diagram (a "
                "folder's .js files) or write the script inline",
                reason="script_resource",
                language=language,
                resource=outside,
            )
        if language in NOT_FOREIGN and _in_listener(element):
            raise _refused(
                file_name,
                element,
                "a listener's script runs only in JavaScript here "
                '(scriptFormat="javascript"); or map a class or expression listener in the '
                "services module",
                reason="script_language",
                language=language or "python",
                allowed="JavaScript",
            )
        if language in NOT_FOREIGN:
            continue
        if not is_javascript(language):
            named = etree.QName(element)
            if named.namespace == BPMN and named.localname == "script":
                element = element.getparent()  # the script task, where its format is written
            written = (
                "language" if etree.QName(element).localname in _CONDITIONS else "scriptFormat"
            )
            raise _refused(
                file_name,
                element,
                f"scripts in '{language}' cannot run here: write this one in JavaScript "
                f'({written}="javascript") or Python',
                reason="script_language",
                language=language,
                allowed="JavaScript, Python",
            )
        parent = element.getparent()
        if parent is not None and etree.QName(parent).localname == "adHocSubProcess":
            raise _refused(  # SpiffWorkflow evaluates this one outside the script engine
                file_name,
                element,
                "an ad hoc subprocess's completion condition must be written in Python",
                reason="script_language",
                language=language,
                allowed="Python",
            )
        try:
            compile_script(element.text or "")
        except JavaScriptError as exc:
            line = (element.sourceline or 0) + max(exc.lineno - 1, 0)
            raise InvalidDefinition(
                f"refused script: {exc}",
                file=file_name,
                element_id=owner_id(element),
                line=line or None,
                reason="script_syntax",
                language=language,
                detail=str(exc),
            ) from exc


def _in_listener(element: Any) -> bool:
    parent = element.getparent()
    return parent is not None and etree.QName(parent).localname in _LISTENERS


def _refused(
    file_name: str, element: Any, message: str, *, reason: str, language: str, **details: Any
) -> InvalidDefinition:
    return InvalidDefinition(
        message,
        file=file_name,
        element_id=owner_id(element),
        line=element.sourceline,
        reason=reason,
        language=language,
        **details,
    )


def mark_javascript(root: Any) -> None:
    """In the copy handed to SpiffWorkflow: prefix every JavaScript script task's script and
    condition with the marker the script engine dispatches on (engine/scripting.py), and a
    script task's `camunda:resultVariable` as a second marker line."""
    for task in root.iter(f"{{{BPMN}}}scriptTask"):
        script = task.find(f"{{{BPMN}}}script")
        if script is None or not is_javascript(task.get("scriptFormat")):
            continue
        result = (task.get(f"{{{CAMUNDA_NS}}}resultVariable") or "").strip()
        head = JS_MARKER + (RESULT_PREFIX + result + "\n" if result else "")
        script.text = head + (script.text or "")
    for tag in _CONDITIONS:
        for condition in root.iter(f"{{{BPMN}}}{tag}"):
            if is_javascript(condition.get("language")):
                condition.text = JS_MARKER + (condition.text or "")


def split_marked(text: str) -> tuple[str, str | None]:
    """(source, result variable) of a marked script (the markers removed); the source's
    first line is line 1 again."""
    text = text[len(JS_MARKER) :] if text.startswith(JS_MARKER) else text
    if text.startswith(RESULT_PREFIX):
        head, _, rest = text.partition("\n")
        return rest, head[len(RESULT_PREFIX) :].strip() or None
    return text, None
