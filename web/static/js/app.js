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
