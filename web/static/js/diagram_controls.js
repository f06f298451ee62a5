// Zoom buttons and the first view of every diagram drawn with the vendored bpmn-js viewer (the
// item page, the heatmap). The buttons' words come from the <template> in _bpmn_viewer.html, so
// they are translated with the page; no inline scripts (the CSP).
// A finger drags the diagram sideways (the viewer itself only follows a mouse); an upward or
// downward swipe still scrolls the page.
"use strict";
(function () {
  // The first view is the whole diagram fitted to its box, as people know it from the workflow
  // products they use: where the item stands in the whole process. It is kept while its steps can
  // still be told apart: at OVERVIEW a step is drawn 20 × 16 px, about an icon. Below that (a wide
  // process on a phone) steps shrink to dots and the marked step (the item's current one) is lost,
  // so the diagram opens on that step at READABLE, where its 12 px name is read at 9 px, and the
  // whole diagram is one press of "Vừa khung" away.
  var OVERVIEW = 0.2;
  var READABLE = 0.75;
  var MARGIN = 20; // diagram units kept around the marked step
  var STEP = 1.25;
  // The buttons keep to the range the viewer's own mouse-wheel zoom keeps to (diagram-js's
  // ZoomScroll RANGE, `{min:.2,max:4}` in the vendored bpmn-navigated-viewer): the two ways of
  // zooming never disagree on how small or how large the diagram can be drawn.
  var RANGE = { min: 0.2, max: 4 };

  function centre(box) {
    return { x: box.clientWidth / 2, y: box.clientHeight / 2 };
  }

  function note(state) {
    state.box.dataset.zoom = state.canvas.zoom().toFixed(3);
    state.box.dataset.view = state.view;
  }

  function bounds(elements) {
    var left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
    elements.forEach(function (el) {
      left = Math.min(left, el.x);
      top = Math.min(top, el.y);
      right = Math.max(right, el.x + el.width);
      bottom = Math.max(bottom, el.y + el.height);
    });
    return { x: left - MARGIN, y: top - MARGIN, width: right - left + 2 * MARGIN, height: bottom - top + 2 * MARGIN };
  }

  // Where a view of `size` starts to centre `target`, moved back inside the diagram (`whole`)
  // where it can be, so that the box shows diagram rather than blank paper around it.
  function start(target, size, whole, axis, length) {
    var low = whole[axis] - MARGIN;
    var high = whole[axis] + whole[length] + MARGIN - size;
    var wanted = target[axis] + target[length] / 2 - size / 2;
    return high < low ? (low + high) / 2 : Math.min(high, Math.max(low, wanted));
  }

  // The marked steps (or the first of them, if together they do not fit) at READABLE.
  function onSteps(state, whole) {
    var size = state.canvas.getSize();
    var view = { width: size.width / READABLE, height: size.height / READABLE };
    var target = bounds(state.focus);
    if (target.width > view.width || target.height > view.height) {
      target = bounds(state.focus.slice(0, 1));
    }
    view.x = start(target, view.width, whole, "x", "width");
    view.y = start(target, view.height, whole, "y", "height");
    state.canvas.viewbox(view);
  }

  // Changes the view on the page's behalf, not the reader's: see `ownView`.
  function show(state, view) {
    var canvas = state.canvas;
    var size = canvas.getSize();
    if (!size.width || !size.height) { return; } // hidden: shown again when the box gets a size
    state.quiet = true;
    try {
      canvas.resized();
      canvas.zoom("fit-viewport", "auto");
      state.view = "whole";
      if (view === "first" && state.focus.length && canvas.zoom() < OVERVIEW) {
        onSteps(state, canvas.viewbox().inner);
        state.view = "step";
      }
    } finally {
      state.quiet = false;
    }
    state.chosen = view;
    note(state);
  }

  // Once the reader zooms or drags the diagram, the view is theirs: a new size of the box (a
  // phone turned, a window resized) no longer replaces it.
  function ownView(state) {
    state.chosen = "own";
    state.view = "own";
    state.box.dataset.view = "own";
  }

  function button(source, action) {
    var el = source.cloneNode(true);
    el.addEventListener("click", action);
    return el;
  }

  function toolbar(state) {
    var box = state.box;
    var template = document.getElementById("diagram-controls");
    if (!template || box.previousElementSibling && box.previousElementSibling.matches(".diagram-tools")) {
      return;
    }
    var canvas = state.canvas;
    var parts = template.content.querySelector(".diagram-tools");
    var bar = parts.cloneNode(false);
    // A press never zooms the other way: a fitted view may lie outside RANGE (a wide process
    // on a phone fits below its floor), and "Thu nhỏ" must not then jump up to the floor.
    function zoomBy(factor) {
      var now = canvas.zoom();
      var level = factor > 1
        ? Math.max(now, Math.min(RANGE.max, now * factor))
        : Math.min(now, Math.max(RANGE.min, now * factor));
      if (level === now) { return; } // at the edge: the viewer would still round the scale
      canvas.zoom(level, centre(box));
      note(state);
    }
    bar.appendChild(button(parts.querySelector("[data-zoom-in]"), function () { zoomBy(STEP); }));
    bar.appendChild(button(parts.querySelector("[data-zoom-out]"), function () { zoomBy(1 / STEP); }));
    bar.appendChild(button(parts.querySelector("[data-zoom-fit]"), function () { show(state, "whole"); }));
    box.parentNode.insertBefore(bar, box);
  }

  function touchPan(state) {
    var box = state.box;
    var last = null;
    box.addEventListener("pointerdown", function (event) {
      if (event.pointerType !== "touch") { return; }
      last = { x: event.clientX, y: event.clientY, id: event.pointerId };
    });
    box.addEventListener("pointermove", function (event) {
      if (!last || event.pointerId !== last.id) { return; }
      state.canvas.scroll({ dx: event.clientX - last.x, dy: event.clientY - last.y });
      last = { x: event.clientX, y: event.clientY, id: event.pointerId };
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      box.addEventListener(name, function () { last = null; });
    });
  }

  // A new size of the box draws the view the page chose again (not the reader's own).
  function followSize(state) {
    var box = state.box;
    var size = { width: box.clientWidth, height: box.clientHeight };
    var pending = null;
    function changed() {
      if (box.clientWidth === size.width && box.clientHeight === size.height) { return; }
      size = { width: box.clientWidth, height: box.clientHeight };
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        // The viewer may scroll to keep a selected step in sight as it takes the new size:
        // that is the page's move, not the reader's, and must not make the view theirs.
        state.quiet = true;
        try {
          state.canvas.resized();
        } finally {
          state.quiet = false;
        }
        if (state.chosen !== "own") { show(state, state.chosen); }
      }, 100);
    }
    if (typeof window.ResizeObserver === "function") {
      new window.ResizeObserver(changed).observe(box);
    } else {
      window.addEventListener("resize", changed);
    }
  }

  // Call once the diagram is imported (and its steps marked): the first view, the buttons,
  // finger dragging, and the view kept fitted when the box changes size. `focus`: the
  // elements the first view must keep readable when the whole diagram is too small to read.
  function setup(viewer, box, focus) {
    var state = {
      viewer: viewer,
      canvas: viewer.get("canvas"),
      box: box,
      focus: (focus || []).filter(Boolean),
      chosen: "first",
      view: "whole",
      quiet: false
    };
    box.classList.add("diagram-ready");
    show(state, "first");
    viewer.get("eventBus").on("canvas.viewbox.changing", function () {
      if (!state.quiet) { ownView(state); }
    });
    toolbar(state);
    touchPan(state);
    followSize(state);
  }

  window.PheduyetDiagram = { setup: setup };
})();
