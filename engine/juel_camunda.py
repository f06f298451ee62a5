"""Where a Camunda 7 diagram carries JUEL, rewritten once at deploy into the sandbox's Python.

`translate_camunda` rewrites every JUEL expression of a freshly read Camunda diagram
(engine/juel_parser.py): conditions, loop and completion conditions, conditional events, timers,
owners, due and follow-up dates, multi-instance collections. Plain text without `${…}`/`#{…}`
is left as it was (models written for Spiff's Camunda parser carry Python there).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.camunda.specs.multiinstance_task import (
    ParallelMultiInstanceTask,
    SequentialMultiInstanceTask,
)

from .camunda_legacy import modernize_camunda
from .definition_checks import owner_id
from .errors import InvalidDefinition
from .juel_parser import (
    HELPER_PREFIX,
    JUEL_SOURCE_MARK,
    JuelRefused,
    has_expression,
    translate,
    translate_name,
)
from .mi_collections import CODE_ATTRIBUTE, collection_variable
from .xml_namespaces import BPMN_NS as BPMN
from .xml_namespaces import CAMUNDA_NS

# Elements whose text is a condition (made a boolean as EL coerces) or another expression.
_CONDITIONS = ("conditionExpression", "condition", "completionCondition", "loopCondition")
_VALUES = ("loopCardinality", "timeDate", "timeDuration", "timeCycle")
# Attributes (and camunda:property names) the engine reads as owners and dates.
_TASK_ATTRIBUTES = ("assignee", "candidateUsers", "candidateGroups", "dueDate", "followUpDate")
_TASK_PROPERTIES = (*_TASK_ATTRIBUTES, "dueInWorkingDays")
CAMUNDA_MULTI_INSTANCE = (SequentialMultiInstanceTask, ParallelMultiInstanceTask)
_NOT_JUEL = frozenset({"javascript", "ecmascript", "groovy", "python", "js", "feel"})


def translate_camunda(file_name: str, root: Any) -> None:
    """Rewrite, in place, every JUEL expression of a Camunda diagram just read into Python:
    element texts become the expression itself, owner and date attributes `${python}` (the
    form the engine evaluates at run time). Refuses the first expression outside the subset,
    naming file, element, line and the expression."""
    modernize_camunda(root)  # legacy assignments and forms first, then read as today's
    aliases = {
        str(name): "initiator"
        for start in root.iter(f"{{{BPMN}}}startEvent")
        if (name := start.get(f"{{{CAMUNDA_NS}}}initiator")) and name != "initiator"
    }
    for tag in (*_CONDITIONS, *_VALUES):
        for element in root.iter(f"{{{BPMN}}}{tag}"):
            text = (element.text or "").strip()
            if not has_expression(text) or _other_language(element):
                continue
            # Camunda's nrOfCompletedInstances and the like: in a completion condition.
            instance = tag == "completionCondition"
            code = _translated(file_name, element, text, aliases, instance=instance)
            if tag in _CONDITIONS:
                code = f"{HELPER_PREFIX}bool({code})"
            elif tag == "loopCardinality" and not code.isdigit():
                code = f"{HELPER_PREFIX}int({code})"  # Camunda takes a number or its text
            element.text = _with_source(code, text)
    for loop in root.iter(f"{{{BPMN}}}multiInstanceLoopCharacteristics"):
        _collection(file_name, loop, aliases)
    for element in root.iter():
        if not isinstance(element.tag, str) or etree.QName(element).namespace != BPMN:
            continue
        for name in _TASK_ATTRIBUTES:
            attribute = f"{{{CAMUNDA_NS}}}{name}"
            text = (element.get(attribute) or "").strip()
            if has_expression(text):
                code = _translated(
                    file_name, element, text, aliases, instance=_multi_instance(element)
                )
                element.set(attribute, "${" + _with_source(code, text) + "}")
    for prop in root.iter(f"{{{CAMUNDA_NS}}}property"):
        text = (prop.get("value") or "").strip()
        if prop.get("name") in _TASK_PROPERTIES and has_expression(text):
            activity = next(prop.iterancestors(f"{{{BPMN}}}extensionElements"), None)
            instance = activity is not None and _multi_instance(activity.getparent())
            code = _translated(file_name, prop, text, aliases, instance=instance)
            prop.set("value", "${" + _with_source(code, text) + "}")


def _with_source(code: str, text: str) -> str:
    """The Python with the JUEL it came from as a trailing comment, so that an error at run
    time, which quotes the expression, shows what the author wrote. Left off when the two read
    the same (`${dept}` is `dept`)."""
    if text[2:-1].strip() == code and text[:2] in ("${", "#{") and text.endswith("}"):
        return code
    return f"{code}{JUEL_SOURCE_MARK}{' '.join(text.split())}"


def _other_language(element: Any) -> bool:
    language = (element.get("language") or "").strip().lower()
    return language in _NOT_JUEL


def _collection(file_name: str, loop: Any, aliases: Mapping[str, str]) -> None:
    """`camunda:collection` names the list a multi-instance task runs over: `${name}` becomes
    the name, which is how SpiffWorkflow reads it."""
    attribute = f"{{{CAMUNDA_NS}}}collection"
    text = (loop.get(attribute) or "").strip()
    if not has_expression(text):
        return
    try:
        name = translate_name(text, aliases)
    except JuelRefused as exc:
        raise _refusal(file_name, loop, text, exc) from exc
    if name is None:  # an expression: computed when the activity starts (mi_collections.py)
        element = owner_id(loop) or "activity"
        loop.set(CODE_ATTRIBUTE, _translated(file_name, loop, text, aliases))
        name = collection_variable(element)
    loop.set(attribute, name)


def _multi_instance(element: Any) -> bool:
    """Whether the element is a multi-instance activity: its owners and dates are evaluated on
    each of its instances."""
    return element.find(f"{{{BPMN}}}multiInstanceLoopCharacteristics") is not None


def _translated(
    file_name: str,
    element: Any,
    text: str,
    aliases: Mapping[str, str],
    *,
    instance: bool = False,
) -> str:
    try:
        return translate(text, aliases, instance=instance)
    except JuelRefused as exc:
        raise _refusal(file_name, element, text, exc) from exc


def _refusal(file_name: str, element: Any, text: str, exc: JuelRefused) -> InvalidDefinition:
    return InvalidDefinition(
        f"refused expression {_quoted(text)}: {exc.message}",
        file=file_name,
        element_id=owner_id(element),
        line=element.sourceline,
        reason="juel_refused",
        expression=text,
        detail=exc.message,
    )


def _quoted(text: str) -> str:
    return repr(text if len(text) <= 200 else text[:200] + "…")


def settle_collections(spec: Any) -> None:
    """SpiffWorkflow's Camunda multi-instance task points its input at `camunda:collection`
    only when it first starts, on the spec itself: a spec read back from storage has lost that,
    and the next item after a save would end the round. Pointed here, once, it is stored."""
    for task_spec in spec.task_specs.values():
        if (
            isinstance(task_spec, CAMUNDA_MULTI_INSTANCE)
            and task_spec.cardinality is None
            and task_spec.data_input is None
            and task_spec.data_output is not None
        ):
            task_spec.data_input = TaskDataReference(task_spec.data_output.bpmn_id)
            if task_spec.output_item is not None:
                task_spec.input_item = TaskDataReference(task_spec.output_item.bpmn_id)
