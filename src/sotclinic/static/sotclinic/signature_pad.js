// A signature pad: draw with a finger, pen or mouse (pointer events) on an SVG; each stroke
// becomes a <path d="M x y L x y ..."> in the SVG's 600x200 viewBox, and the hidden field
// named by data-target holds the whole <svg> after every stroke. The server checks it.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";

  function setUp(pad) {
    var svg = pad.querySelector("svg");
    var field = document.getElementById(pad.getAttribute("data-target"));
    var clear = pad.parentNode.querySelector("[data-signature-clear]");
    var box = svg.viewBox.baseVal;
    var strokes = [];
    var current = null;

    function point(event) {
      var rect = svg.getBoundingClientRect();
      var x = ((event.clientX - rect.left) / rect.width) * box.width;
      var y = ((event.clientY - rect.top) / rect.height) * box.height;
      x = Math.max(0, Math.min(box.width, x));
      y = Math.max(0, Math.min(box.height, y));
      return Math.round(x * 10) / 10 + " " + Math.round(y * 10) / 10;
    }

    function serialise() {
      var paths = strokes
        .filter(function (s) { return s.points.length > 1; })
        .map(function (s) { return '<path d="M' + s.points.join(" L") + '"/>'; });
      field.value = paths.length
        ? '<svg xmlns="' + NS + '" viewBox="0 0 ' + box.width + " " + box.height + '">' +
          paths.join("") + "</svg>"
        : "";
    }

    svg.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      svg.setPointerCapture(event.pointerId);
      var path = document.createElementNS(NS, "path");
      svg.appendChild(path);
      current = { points: [point(event)], path: path };
      strokes.push(current);
      path.setAttribute("d", "M" + current.points[0]);
    });
    svg.addEventListener("pointermove", function (event) {
      if (!current) { return; }
      event.preventDefault();
      var next = point(event);
      if (next === current.points[current.points.length - 1]) { return; }
      current.points.push(next);
      current.path.setAttribute("d", "M" + current.points.join(" L"));
    });
    function end() {
      if (!current) { return; }
      current = null;
      serialise();
    }
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    if (clear) {
      clear.addEventListener("click", function () {
        strokes = [];
        while (svg.firstChild) { svg.removeChild(svg.firstChild); }
        serialise();
      });
    }
    serialise();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-signature-pad]").forEach(setUp);
  });
})();
