// Small behaviours without inline scripts (the content security policy forbids them).
"use strict";
document.addEventListener("submit", function (event) {
  // A double click sends a form once: the second click finds its buttons disabled.
  var form = event.target;
  if (form.dataset.sent === "1") { event.preventDefault(); return; }
  form.dataset.sent = "1";
  var clicked = event.submitter;
  if (clicked && clicked.name) {
    var keep = document.createElement("input");
    keep.type = "hidden"; keep.name = clicked.name; keep.value = clicked.value;
    form.appendChild(keep);
  }
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  }, 0);
});
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches("[data-autosubmit]")) { el.form.requestSubmit(); }
});
// A field marked to be shown only for some values of another field of its form
// (data-shown-when: that field's name; data-shown-for: the values) is hidden, and its inputs
// left out of the sending, while that field holds another value. Without this script every
// field shows.
(function () {
  function current(form, name) {
    var chosen = [];
    Array.prototype.forEach.call(form.elements, function (input) {
      if (input.name !== name || input.type === "submit" || input.type === "button") { return; }
      if (input.type === "radio" && !input.checked) { return; }
      if (input.type === "checkbox" && input.value === "on") {  // a tick box: True or False
        chosen.push(input.checked ? "True" : "False");
        return;
      }
      if (input.type === "checkbox" && !input.checked) { return; }
      chosen.push(input.value);
    });
    return chosen;
  }
  function apply(form) {
    form.querySelectorAll("[data-shown-when]").forEach(function (box) {
      var wanted = box.dataset.shownFor.split(" ");
      var shown = current(form, box.dataset.shownWhen).some(function (v) {
        return wanted.indexOf(v) >= 0;
      });
      box.hidden = !shown;
      box.querySelectorAll("input, select, textarea").forEach(function (i) { i.disabled = !shown; });
    });
  }
  document.querySelectorAll("form").forEach(function (form) {
    if (form.querySelector("[data-shown-when]")) { apply(form); }
  });
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.querySelector("[data-shown-when]")) { apply(form); }
  });
})();
// A form sent back with errors: its list of what to correct (data-show-on-load) is brought
// into view and focused, as the page opens at its top and the list may be far below (under a
// long dossier, on a phone); a screen reader reads it out.
(function () {
  var summary = document.querySelector("[data-show-on-load]");
  if (summary) {
    summary.scrollIntoView({ block: "center" });
    summary.focus({ preventScroll: true });
  }
})();
// File inputs show our words, not the browser's ("Choose files / No file chosen" in an English
// browser): the input stays (hidden from sight, still focusable), a label opens it, a line
// lists the chosen files. Without this script the browser's own input is shown.
(function () {
  function names(picker) {
    var input = picker.querySelector("input[type=file]");
    var line = picker.querySelector(".file-names");
    if (!input || !line) { return; }
    if (!line.dataset.none) { line.dataset.none = line.textContent; }
    var chosen = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    line.textContent = chosen.length ? chosen.join(", ") : line.dataset.none;
    picker.classList.toggle("chosen", chosen.length > 0);
  }
  document.querySelectorAll("[data-file-picker]").forEach(function (picker) {
    picker.classList.add("enhanced");
    names(picker);
  });
  document.addEventListener("change", function (event) {
    var picker = event.target.closest && event.target.closest("[data-file-picker]");
    if (picker) { names(picker); }
  });
})();
// On paper, closed parts (earlier versions of a document, what a step reported) print open;
// they close again afterwards. print.css does the same where the browser supports it.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("main details:not([open])").forEach(function (d) {
    d.dataset.printOpened = "1";
    d.open = true;
  });
});
window.addEventListener("afterprint", function () {
  document.querySelectorAll("main details[data-print-opened]").forEach(function (d) {
    d.open = false;
    delete d.dataset.printOpened;
  });
});
// A form of data (a task's, a start's: data-warn-unsaved) once changed: leaving the page other
// than by sending that form asks the browser's own "leave this page?" first (the language
// switch, a link, another form). A form sent back with errors holds what was typed already
// (data-warn-unsaved="changed"). The listener is there only while something is unsaved: a page
// with one is kept out of the browser's back-forward cache.
(function () {
  function ask(event) {
    event.preventDefault();
    event.returnValue = true; // browsers that ignore preventDefault here (Chrome before 119)
  }
  function watch() {
    var unsaved = document.querySelector("form[data-warn-unsaved=changed]") !== null;
    window[unsaved ? "addEventListener" : "removeEventListener"]("beforeunload", ask);
  }
  function changed(event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-warn-unsaved")) {
      form.dataset.warnUnsaved = "changed";
      watch();
    }
  }
  document.addEventListener("input", changed);
  document.addEventListener("change", changed);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!event.defaultPrevented && form.hasAttribute("data-warn-unsaved")) {
      form.dataset.warnUnsaved = "";
      watch();
    }
  });
  watch();
})();

// Folded on a phone: a <details data-fold-narrow> (Theo dõi's filters while none is set), so
// what the page is for comes first; open on a wider screen.
(function () {
  if (window.matchMedia("(max-width: 760px)").matches) {
    document.querySelectorAll("details[data-fold-narrow]").forEach(function (box) {
      box.open = false;
    });
  }
})();

// "Quay lại" on an error page (a[data-history-back]): the browser's own Back, which shows the
// page before with what was typed there (a form refused for its too large files); the link's
// address (that page anew) when there is no history to go back to.
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a[data-history-back]") : null;
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
