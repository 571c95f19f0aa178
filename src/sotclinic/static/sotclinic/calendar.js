// The staff calendar: click an empty time to book it (or, from the keyboard, its "Book 09:30
// with ..." link), drag an appointment to move it, drag its bottom edge to change its length
// (where its type allows), or do either from the keyboard with the move dialog ("Move" next to
// each appointment, or the M key on an appointment). Every move goes to the server's move
// endpoint, which applies the same rules as the move form and answers with the message to show.
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

    function hideGhost() {
      ghost.classList.remove("resizing");
      if (ghost.parentNode) ghost.parentNode.removeChild(ghost);
    }

    function onEmpty(target) { return !target.closest(".cal-block, .cal-move, .cal-slot"); }

    // Click an empty time to book it (a free slot's own link books that slot).
    grid.addEventListener("click", function (event) {
      if (resized) { event.preventDefault(); resized = false; return; }
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

    // Drag the bottom edge of an appointment to one of the lengths its type allows.
    var resizing = null;
    var resized = false;

    function lengthAt(y) {
      var end = minuteAt(resizing.column, y, true);
      var wanted = end - resizing.start;
      return resizing.lengths.reduce(function (best, length) {
        return Math.abs(length - wanted) < Math.abs(best - wanted) ? length : best;
      }, resizing.lengths[0]);
    }

    grid.addEventListener("pointerdown", function (event) {
      var handle = event.target.closest(".cal-resize");
      if (!handle) return;
      var block = handle.closest(".cal-block");
      var button = document.querySelector('.cal-move[data-move-for="' + block.dataset.appointment + '"]');
      var start = button.dataset.time.split(":");
      event.preventDefault();
      event.stopPropagation();
      resizing = {
        block: block,
        button: button,
        column: block.closest(".cal-col"),
        start: Number(start[0]) * 60 + Number(start[1]),
        lengths: button.dataset.lengths.split(",").map(Number),
        length: Number(button.dataset.length),
      };
      handle.setPointerCapture(event.pointerId);
    });

    grid.addEventListener("mousedown", function (event) {
      if (event.target.closest(".cal-resize")) event.preventDefault();  // no drag, no selection
    });

    grid.addEventListener("pointermove", function (event) {
      if (!resizing) return;
      var length = lengthAt(event.clientY);
      showGhost(resizing.column, resizing.start, "↕ " + length + "′", (100 * length) / span + "%");
      ghost.classList.add("resizing");  // its text at the bottom edge, clear of the block's
    });

    grid.addEventListener("pointerup", function (event) {
      if (!resizing) return;
      var length = lengthAt(event.clientY);
      var button = resizing.button;
      var changed = length !== resizing.length;
      resizing = null;
      resized = true;  // the click that follows is not a click on the appointment
      hideGhost();
      if (!changed) return;
      sendMove(resizeUrl(button), {
        practitioner: button.dataset.practitioner,
        date: button.dataset.date,
        time: button.dataset.time,
        length: String(length),
        outside_hours: "",
      }, statusBox);
    });

    grid.addEventListener("mousemove", function (event) {
      var column = event.target.closest(".cal-col");
      if (dragged || resizing) return;
      if (!column || !onEmpty(event.target)) { hideGhost(); return; }
      showGhost(column, minuteAt(column, event.clientY, false), "+");
    });
    grid.addEventListener("mouseleave", hideGhost);

    // Drag an appointment to move it, within its location's grid.
    grid.addEventListener("dragstart", function (event) {
      var block = event.target.closest && event.target.closest(".cal-block[draggable=true]");
      if (resizing) { event.preventDefault(); return; }
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

  function resizeUrl(button) {
    return document.querySelector('.cal-block[data-appointment="' + button.dataset.moveFor + '"]').dataset.moveUrl;
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
    // The length: a choice only where the appointment's type allows other lengths.
    var select = form.querySelector("[name=length]");
    var lengths = (button.dataset.lengths || button.dataset.length).split(",");
    select.innerHTML = "";
    lengths.forEach(function (length) {
      var option = document.createElement("option");
      option.value = length;
      option.textContent = length;
      option.selected = length === button.dataset.length;
      select.appendChild(option);
    });
    dialog.querySelector("[data-length-field]").hidden = lengths.length < 2;
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
