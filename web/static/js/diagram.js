// The item's diagram in the vendored bpmn-js navigated viewer, with its done and current steps
// marked and zoom buttons (diagram_controls.js). Data comes through data-* attributes (the content
// security policy forbids inline scripts). The bpmn.io watermark the viewer adds stays as it is:
// its licence requires it.
"use strict";
(function () {
  var box = document.querySelector("[data-diagram-url]");
  if (!box) { return; }

  function fail() {
    box.classList.add("failed");
    box.removeAttribute("role");
    box.textContent = box.dataset.error || "";
  }

  function get(url, kind) {
    return window.fetch(url, { credentials: "same-origin", headers: { Accept: kind } })
      .then(function (response) {
        if (!response.ok) { throw new Error(url + ": " + response.status); }
        return kind === "application/json" ? response.json() : response.text();
      });
  }

  function report(error) {
    if (window.console) { window.console.error(error); }
  }

  if (typeof window.BpmnJS !== "function" || !window.PheduyetDiagram) { fail(); return; }
  var viewer = new window.BpmnJS({ container: box });

  // The elements of `ids` on the diagram, marked.
  function mark(ids, marker) {
    var registry = viewer.get("elementRegistry");
    var canvas = viewer.get("canvas");
    return (ids || []).map(function (id) { return registry.get(id); }).filter(function (element) {
      if (element) { canvas.addMarker(element, marker); }
      return Boolean(element);
    });
  }

  // Both asked for at once; the first view waits for the current steps so that it can open on
  // them. Without the markers the diagram still helps: the list of steps says the rest.
  var progress = get(box.dataset.progressUrl, "application/json")
    .catch(function (error) { report(error); return null; });
  get(box.dataset.diagramUrl, "text/xml")
    .then(function (xml) {
      // A model saved without its drawing (no BPMN DI: written by hand or by a program) has
      // nothing to show; the page says so rather than that something failed.
      if (!/BPMNShape\b/.test(xml)) {
        box.dataset.error = box.dataset.noDrawing || box.dataset.error;
        box.classList.add("no-drawing");
        throw new Error("the model has no drawing (BPMN DI)");
      }
      return viewer.importXML(xml);
    })
    .then(function () { return progress; })
    .then(function (steps) {
      var here = [];
      if (steps) {
        mark(steps.completed, "pd-done");
        here = mark(steps.current, "pd-current");
      }
      window.PheduyetDiagram.setup(viewer, box, here);
      if (steps) { box.dataset.marked = "1"; }
    })
    .catch(function (error) { report(error); fail(); });
})();
