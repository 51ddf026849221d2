"use strict";
// Filters by verdict and tag, and opens a flow reached by link. Reads only data-* attributes that
// the template wrote (escaped); never builds HTML from report text.
(function () {
  var buttons = Array.prototype.slice.call(document.querySelectorAll("[data-filter-verdict]"));
  var tagSelect = document.getElementById("tag-filter");
  var shown = document.getElementById("shown");
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-verdict]"));
  var verdict = "";

  function apply() {
    var tag = tagSelect.value;
    var rows = 0;
    var visible = 0;
    items.forEach(function (el) {
      var tags = el.getAttribute("data-tags").split(" ");
      var show = (!verdict || el.getAttribute("data-verdict") === verdict) &&
        (!tag || tags.indexOf(tag) !== -1);
      el.hidden = !show;
      if (el.tagName === "TR") {
        rows += 1;
        if (show) visible += 1;
      }
    });
    buttons.forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-filter-verdict") === verdict));
    });
    shown.textContent = visible === rows ? "" : "showing " + visible + " of " + rows + " flows";
  }

  buttons.forEach(function (b) {
    b.addEventListener("click", function () {
      var v = b.getAttribute("data-filter-verdict");
      verdict = v === verdict ? "" : v;
      apply();
    });
  });
  tagSelect.addEventListener("change", apply);

  function openTarget() {
    var id = location.hash.slice(1);
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") {
      el.hidden = false;
      el.open = true;
    }
  }
  window.addEventListener("hashchange", openTarget);
  // Paper has no disclosure triangles: print every flow open, whatever the filters hide.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.flow").forEach(function (d) {
      d.hidden = false;
      d.open = true;
    });
  });
  openTarget();
  apply();
})();
