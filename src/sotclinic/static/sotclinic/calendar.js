// The staff calendar: click an empty time to book it, drag an appointment to move it, or move
// it from the keyboard with the move dialog ("Move" next to each appointment, or the M key on
// an appointment). Every move goes to the server's move endpoint, which applies the same rules
// as the move form and answers with the message to show.
(function () {
  "use strict";

  var grids = document.querySelectorAll("[data-calendar]");
  if (!grids.length) return;
  var statusBox = document.getElementById("calendar-status");
  var dialog = document.getElementById("move-dialog");
  var csrf = (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value || "";

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function hhmm(minutes) { return pad(Math.floor(minutes / 60)) + ":" + pad(minutes % 60); }

  // --- Send a move and show the answer ---
  function sendMove(url, values, messageBox) {
    return fetch(url, {
      method: "POST",
      body: new URLSearchParams(values),
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "HX-Request": "true" },
    }).then(function (response) {
      return response.text().then(function (html) {
        if (response.ok) { window.location.reload(); return; }
        messageBox.innerHTML = html;
        var again = messageBox.querySelector("[data-move-anyway]");
        if (again) {
          again.addEventListener("click", function () {
            values.outside_hours = "on";
            sendMove(url, values, messageBox);
          });
        }
        var alert = messageBox.querySelector("[role=alert]");
        if (alert) { alert.setAttribute("tabindex", "-1"); alert.focus(); }
      });
    });
  }

  var dragged = null;  // the appointment being dragged, and the grid it belongs to
  var draggedGrid = null;
  var grab = 0;  // how far below the block's top it was picked up

  function setUp(grid) {
    var step = Number(grid.dataset.step) || 15;
    var first = Number(grid.dataset.firstMinute);
    var span = Number(grid.dataset.span);

    // The time at height y of a column, on the clinic's step: rounded down for a click (the
    // slot the pointer is in), to the nearest step for a drop (where the block's top lands).
    function minuteAt(column, y, nearest) {
      var rect = column.getBoundingClientRect();
      var raw = first + ((y - rect.top) / rect.height) * span;
      var snapped = (nearest ? Math.round(raw / step) : Math.floor(raw / step)) * step;
      return Math.max(first, Math.min(first + span - step, snapped));
    }

    var ghost = document.createElement("div");
    ghost.className = "cal-ghost";
    ghost.setAttribute("aria-hidden", "true");

    function showGhost(column, minutes, text, height) {
      if (ghost.parentNode !== column) column.appendChild(ghost);
      ghost.style.setProperty("top", (100 * (minutes - first)) / span + "%");
      ghost.style.setProperty("height", height || (100 * step) / span + "%");
      ghost.textContent = text + " " + hhmm(minutes);
    }

    function hideGhost() { if (ghost.parentNode) ghost.parentNode.removeChild(ghost); }

    function onEmpty(target) { return !target.closest(".cal-block, .cal-move"); }

    // Click an empty time to book it.
    grid.addEventListener("click", function (event) {
      var column = event.target.closest(".cal-col");
      if (!column || !onEmpty(event.target)) return;
      var params = new URLSearchParams({
        location: grid.dataset.location,
        practitioner: column.dataset.practitioner,
        date: column.dataset.day,
        time: hhmm(minuteAt(column, event.clientY, false)),
      });
      window.location.assign(grid.dataset.bookUrl + "?" + params.toString());
    });

    grid.addEventListener("mousemove", function (event) {
      var column = event.target.closest(".cal-col");
      if (dragged) return;
      if (!column || !onEmpty(event.target)) { hideGhost(); return; }
      showGhost(column, minuteAt(column, event.clientY, false), "+");
    });
    grid.addEventListener("mouseleave", hideGhost);

    // Drag an appointment to move it, within its location's grid.
    grid.addEventListener("dragstart", function (event) {
      var block = event.target.closest && event.target.closest(".cal-block[draggable=true]");
      if (!block) return;
      dragged = block;
      draggedGrid = grid;
      grab = event.clientY - block.getBoundingClientRect().top;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", block.dataset.appointment);
      block.classList.add("dragging");
      hideGhost();
    });

    grid.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("dragging");
      dragged = null;
      hideGhost();
    });

    grid.addEventListener("dragover", function (event) {
      var column = event.target.closest(".cal-col");
      if (!dragged || draggedGrid !== grid || !column) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      showGhost(column, minuteAt(column, event.clientY - grab, true), "→", dragged.style.height);
    });

    grid.addEventListener("drop", function (event) {
      var column = event.target.closest(".cal-col");
      if (!dragged || draggedGrid !== grid || !column) return;
      event.preventDefault();
      var values = {
        practitioner: column.dataset.practitioner,
        date: column.dataset.day,
        time: hhmm(minuteAt(column, event.clientY - grab, true)),
        outside_hours: "",
      };
      var url = dragged.dataset.moveUrl;
      dragged.classList.remove("dragging");
      dragged = null;
      hideGhost();
      sendMove(url, values, statusBox);
    });
  }

  Array.prototype.forEach.call(grids, setUp);

  // --- The move dialog: the keyboard's way (and a tablet's without drag and drop) ---
  if (!dialog) return;
  var form = dialog.querySelector("[data-move-form]");
  var dialogMessage = dialog.querySelector("[data-move-message]");
  var opener = null;

  function openDialog(button) {
    var block = document.querySelector('.cal-block[data-appointment="' + button.dataset.moveFor + '"]');
    opener = button;
    form.action = block.dataset.moveUrl;
    form.elements.practitioner.value = button.dataset.practitioner;
    form.elements.date.value = button.dataset.date;
    form.elements.time.value = button.dataset.time;
    form.elements.outside_hours.value = "";
    dialog.querySelector("[data-move-summary]").textContent = block.getAttribute("title");
    dialogMessage.innerHTML = "";
    dialog.showModal();
    form.elements.time.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".cal-move");
    if (button) openDialog(button);
  });

  document.addEventListener("keydown", function (event) {
    var block = event.target.closest && event.target.closest(".cal-block[draggable=true]");
    if (!block || (event.key !== "m" && event.key !== "M")) return;
    var button = document.querySelector('.cal-move[data-move-for="' + block.dataset.appointment + '"]');
    if (button) { event.preventDefault(); openDialog(button); }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var values = {};
    new FormData(form).forEach(function (value, key) {
      if (key !== "csrfmiddlewaretoken") values[key] = value;
    });
    sendMove(form.action, values, dialogMessage);
  });

  dialog.querySelector("[data-close-dialog]").addEventListener("click", function () {
    dialog.close();
  });
  dialog.addEventListener("close", function () { if (opener) opener.focus(); });
})();
