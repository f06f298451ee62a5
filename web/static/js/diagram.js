// The item's diagram in the vendored bpmn-js navigated viewer, with its done and current steps
// marked and zoom buttons (diagram_controls.js). Data comes through data-* attributes (the content security policy forbids inline
// scripts). The bpmn.io watermark the viewer adds stays as it is: its licence requires it.
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

  if (typeof window.BpmnJS !== "function" || !window.PheduyetDiagram) { fail(); return; }
  var viewer = new window.BpmnJS({ container: box });

  function mark(ids, marker) {
    var registry = viewer.get("elementRegistry");
    var canvas = viewer.get("canvas");
    (ids || []).forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, marker); }
    });
  }

  function report(error) {
    if (window.console) { window.console.error(error); }
  }

  get(box.dataset.diagramUrl, "text/xml")
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      window.PheduyetDiagram.setup(viewer, box);
      // Without the markers the diagram still helps: the list of steps says the rest.
      get(box.dataset.progressUrl, "application/json")
        .then(function (progress) {
          mark(progress.completed, "pd-done");
          mark(progress.current, "pd-current");
          var here = (progress.current || []).map(function (id) {
            return viewer.get("elementRegistry").get(id);
          }).filter(Boolean)[0];
          if (here) { window.PheduyetDiagram.focus(viewer, box, here); }
          box.dataset.marked = "1";
        })
        .catch(report);
    })
    .catch(function (error) { report(error); fail(); });
})();
