// Page behaviour for every page. The Content-Security-Policy allows scripts and styles only
// from the app's own files: no inline <script>, no on...= attributes, no style= attributes.
// Templates mark elements with data- attributes instead, and this file acts on them, also in
// content that htmx swaps in later.
(function () {
  "use strict";

  // Positions and sizes computed on the server (calendar blocks, progress bars) arrive as
  // data-layout="top: 12.5%; height: 3%". Setting them through the CSSOM is allowed by the
  // policy; only these properties are accepted.
  var LAYOUT_PROPERTIES = ["top", "height", "width", "--cols", "--rows", "--span"];

  function applyLayout(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var elements = Array.prototype.slice.call(scope.querySelectorAll("[data-layout]"));
    if (scope.matches && scope.matches("[data-layout]")) elements.push(scope);
    elements.forEach(function (element) {
      element.getAttribute("data-layout").split(";").forEach(function (declaration) {
        var colon = declaration.indexOf(":");
        if (colon < 0) return;
        var name = declaration.slice(0, colon).trim();
        var value = declaration.slice(colon + 1).trim();
        if (LAYOUT_PROPERTIES.indexOf(name) >= 0) element.style.setProperty(name, value);
      });
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;

    // A select that changes what the page shows submits its form at once (calendar filters).
    if (target.matches("select[data-submit-on-change]") && target.form) {
      target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
      return;
    }

    // A diagnosis code ticked in the search results moves to the chosen list, so the next
    // search keeps it.
    var results = target.closest("#dx-results");
    if (results && target.checked) {
      var item = target.closest("li");
      var selected = document.getElementById("dx-selected");
      if (item && selected) selected.appendChild(item);
      return;
    }

    // Keep the "n regions" count next to the region boxes in step while ticking.
    var regions = target.closest(".regions");
    if (regions) {
      var count = regions.querySelector("[data-region-count]");
      var n = regions.querySelectorAll("input:checked").length;
      // The words come from the page, in its language.
      if (count) count.textContent = n + " " + (n === 1 ? count.dataset.one : count.dataset.many);
    }
  });

  if (window.htmx) {
    window.htmx.onLoad(applyLayout);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { applyLayout(document); });
  } else {
    applyLayout(document);
  }
})();
