// Zoom buttons and a readable first view for every diagram drawn with the vendored bpmn-js
// viewer (the item page, the heatmap). The buttons' words come from the <template> in
// _bpmn_viewer.html, so they are translated with the page; no inline scripts (the CSP).
// A finger drags the diagram sideways (the viewer itself only follows a mouse); an upward or
// downward swipe still scrolls the page.
"use strict";
(function () {
  // Below this scale the 12 px labels of a diagram are too small to read: the first view
  // shows the diagram at this scale and lets people move along it instead.
  var READABLE = 0.75;
  var STEP = 1.25;
  var SMALLEST = 0.2;
  var LARGEST = 3;

  function centre(box) {
    return { x: box.clientWidth / 2, y: box.clientHeight / 2 };
  }

  function note(box, canvas) {
    box.dataset.zoom = canvas.zoom().toFixed(3);
  }

  // The whole diagram if it is readable so; else its start (or `focus`) at a readable scale.
  function readable(viewer, box, focus) {
    var canvas = viewer.get("canvas");
    canvas.resized();
    canvas.zoom("fit-viewport", "auto");
    if (canvas.zoom() < READABLE) {
      var inner = canvas.viewbox().inner;
      canvas.zoom(READABLE);
      var shown = canvas.viewbox();
      canvas.viewbox({
        x: inner.x - 20 / READABLE,
        y: inner.y - 20 / READABLE,
        width: shown.width,
        height: shown.height
      });
      if (focus) { canvas.scrollToElement(focus, { top: 40, right: 80, bottom: 40, left: 80 }); }
    }
    note(box, canvas);
  }

  function button(source, action) {
    var el = source.cloneNode(true);
    el.addEventListener("click", action);
    return el;
  }

  function toolbar(viewer, box) {
    var template = document.getElementById("diagram-controls");
    if (!template || box.previousElementSibling && box.previousElementSibling.matches(".diagram-tools")) {
      return;
    }
    var canvas = viewer.get("canvas");
    var parts = template.content.querySelector(".diagram-tools");
    var bar = parts.cloneNode(false);
    function zoomBy(factor) {
      var level = Math.min(LARGEST, Math.max(SMALLEST, canvas.zoom() * factor));
      canvas.zoom(level, centre(box));
      note(box, canvas);
    }
    bar.appendChild(button(parts.querySelector("[data-zoom-in]"), function () { zoomBy(STEP); }));
    bar.appendChild(button(parts.querySelector("[data-zoom-out]"), function () { zoomBy(1 / STEP); }));
    bar.appendChild(button(parts.querySelector("[data-zoom-fit]"), function () {
      canvas.zoom("fit-viewport", "auto");
      note(box, canvas);
    }));
    box.parentNode.insertBefore(bar, box);
  }

  function touchPan(viewer, box) {
    var last = null;
    box.addEventListener("pointerdown", function (event) {
      if (event.pointerType !== "touch") { return; }
      last = { x: event.clientX, y: event.clientY, id: event.pointerId };
    });
    box.addEventListener("pointermove", function (event) {
      if (!last || event.pointerId !== last.id) { return; }
      viewer.get("canvas").scroll({ dx: event.clientX - last.x, dy: event.clientY - last.y });
      last = { x: event.clientX, y: event.clientY, id: event.pointerId };
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      box.addEventListener(name, function () { last = null; });
    });
  }

  // Call once the diagram is imported: the first view, the buttons, finger dragging, and a
  // new first view when the window changes size.
  function setup(viewer, box) {
    box.classList.add("diagram-ready");
    readable(viewer, box, null);
    toolbar(viewer, box);
    touchPan(viewer, box);
    var pending = null;
    var width = window.innerWidth;
    window.addEventListener("resize", function () {
      // A phone's address bar changes the height while scrolling; only a new width counts.
      if (window.innerWidth === width) { return; }
      width = window.innerWidth;
      window.clearTimeout(pending);
      pending = window.setTimeout(function () { readable(viewer, box, box.pdFocus || null); }, 200);
    });
  }

  // Bring a marked element into view when the first view shows only part of the diagram.
  function focus(viewer, box, element) {
    box.pdFocus = element;
    var canvas = viewer.get("canvas");
    if (canvas.zoom() >= READABLE - 0.001 && canvas.zoom() <= READABLE + 0.001) {
      readable(viewer, box, element);
    }
  }

  window.PheduyetDiagram = { setup: setup, focus: focus };
})();
