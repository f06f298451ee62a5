// The heatmap on a process diagram (Theo dõi): on each user task, a badge with how many items
// wait there and their average wait, coloured from calm to hot. The diagram comes from
// diagram.xml, the numbers from stats.json; steps inside a call activity are shown on the
// called process's own diagram, and the call activity carries their total.
// No inline scripts or styles (the content security policy forbids them): everything is read
// from data-* attributes and built with DOM APIs.
"use strict";
(function () {
  var box = document.querySelector("[data-heatmap]");
  if (!box) { return; }
  var conf = box.dataset;
  var calledBox = document.querySelector("[data-called-diagrams]");
  var unplacedBox = document.querySelector("[data-unplaced]");
  var MAX_DEPTH = 3;
  var POSITION = { top: -10, right: 10 };

  function say(container, message) {
    var p = document.createElement("p");
    p.className = "heatmap-message";
    p.textContent = message;
    container.replaceChildren(p);
  }

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function decimal(value) {
    return Number(value || 0).toFixed(1).replace(".", conf.decimal || ",");
  }

  function fetchText(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(url + " " + response.status); }
      return response.text();
    });
  }

  function badge(step) {
    var el = document.createElement("div");
    el.className = "heat-badge heat-" + (step.heat || 0);
    var count = document.createElement("span");
    count.className = "heat-count";
    count.textContent = String(step.waiting);
    el.appendChild(count);
    if (step.waiting) {
      var age = document.createElement("span");
      age.className = "heat-age";
      age.textContent = fill(conf.labelDays, { d: decimal(step.avg_waiting_days) });
      el.appendChild(age);
    }
    el.title = fill(conf.labelWaiting, { n: step.waiting, d: decimal(step.avg_waiting_days) });
    return el;
  }

  // A running total over several steps: the waits are weighted by how many items wait.
  function total() {
    return { waiting: 0, dayItems: 0, heat: 0 };
  }
  function add(sum, step) {
    sum.waiting += step.waiting;
    sum.dayItems += (step.avg_waiting_days || 0) * step.waiting;
    sum.heat = Math.max(sum.heat, step.heat || 0);
  }
  function asStep(sum) {
    return {
      waiting: sum.waiting,
      avg_waiting_days: sum.waiting ? sum.dayItems / sum.waiting : 0,
      heat: sum.heat
    };
  }

  function calledSection(title) {
    var section = document.createElement("section");
    section.className = "called-diagram";
    var heading = document.createElement("h3");
    heading.textContent = fill(conf.labelCalled, { name: title });
    var holder = document.createElement("div");
    holder.className = "diagram heatmap";
    section.appendChild(heading);
    section.appendChild(holder);
    calledBox.appendChild(section);
    return { section: section, holder: holder };
  }

  // The steps where items wait, the hottest first: what a diagram too wide to read whole (on a
  // phone) opens on.
  function hottest(viewer, stats) {
    return viewer.get("elementRegistry").filter(function (element) {
      var step = stats[element.id];
      return element.type !== "label" && step && step.waiting > 0;
    }).sort(function (a, b) {
      var one = stats[a.id], other = stats[b.id];
      return (other.heat || 0) - (one.heat || 0) || other.waiting - one.waiting;
    });
  }

  // Draws one diagram into container with its badges; resolves to the total of its steps
  // (with those of the processes it calls).
  function draw(container, xml, stats, placed, trail, shown) {
    var viewer = new window.BpmnJS({ container: container });
    return viewer.importXML(xml).then(function () {
      if (window.PheduyetDiagram) {
        window.PheduyetDiagram.setup(viewer, container, hottest(viewer, stats));
      } else {
        viewer.get("canvas").zoom("fit-viewport");
      }
      var registry = viewer.get("elementRegistry");
      var overlays = viewer.get("overlays");
      var sum = total();
      registry.filter(function (element) {
        return element.type === "bpmn:UserTask" || Object.prototype.hasOwnProperty.call(stats, element.id);
      }).forEach(function (element) {
        if (element.type === "label") { return; }
        var step = stats[element.id] || { waiting: 0, avg_waiting_days: 0, heat: 0 };
        placed[element.id] = true;
        add(sum, step);
        overlays.add(element.id, { position: POSITION, html: badge(step) });
      });
      var calls = registry.filter(function (element) {
        return element.type === "bpmn:CallActivity" && element.businessObject.calledElement;
      });
      if (!calledBox || trail.length >= MAX_DEPTH) { return sum; }
      return calls.reduce(function (chain, element) {
        return chain.then(function () {
          var called = element.businessObject.calledElement;
          if (trail.indexOf(called) >= 0) { return; }
          if (!shown[called]) {
            var parts = calledSection(element.businessObject.name || called);
            var url = conf.calledXmlUrl.replace("__process__", encodeURIComponent(called));
            shown[called] = fetchText(url).then(function (calledXml) {
              return draw(parts.holder, calledXml, stats, placed, trail.concat([called]), shown);
            }).catch(function () {
              parts.section.remove();
              return null;
            });
          }
          return shown[called].then(function (calledSum) {
            if (!calledSum) { return; }
            add(sum, asStep(calledSum));
            overlays.add(element.id, { position: POSITION, html: badge(asStep(calledSum)) });
          });
        });
      }, Promise.resolve()).then(function () { return sum; });
    });
  }

  function listUnplaced(steps, placed) {
    if (!unplacedBox) { return; }
    var missing = steps.filter(function (step) { return !placed[step.element_id]; });
    if (!missing.length) { return; }
    unplacedBox.textContent = conf.labelUnplaced + " " + missing.map(function (step) {
      return step.title + " (" + step.waiting + ")";
    }).join(", ");
    unplacedBox.hidden = false;
  }

  if (typeof window.BpmnJS !== "function") {
    say(box, conf.msgNoViewer);
    return;
  }
  say(box, conf.msgLoading);
  Promise.all([
    fetch(conf.statsUrl, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(conf.statsUrl + " " + response.status); }
      return response.json();
    }),
    fetchText(conf.xmlUrl)
  ]).then(function (loaded) {
    var steps = loaded[0].steps || [];
    var stats = {};
    steps.forEach(function (step) { stats[step.element_id] = step; });
    var placed = {};
    if (!/BPMNShape\b/.test(loaded[1])) {  // saved without its drawing (no BPMN DI)
      say(box, conf.msgNoDrawing || conf.msgError);
      box.classList.add("no-drawing");
      return;
    }
    box.replaceChildren();
    return draw(box, loaded[1], stats, placed, [conf.processId], {}).then(function () {
      listUnplaced(steps, placed);
    });
  }).catch(function () {
    say(box, conf.msgError);
  });
}());
