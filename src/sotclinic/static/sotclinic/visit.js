// The visit page's draft note: autosave, a warning before leaving unsaved work, confirmation
// before a button that replaces what was typed, and the small helpers of the note form.
// Kept in a static file (no inline script) so the page passes a strict Content-Security-Policy.
(function () {
  "use strict";

  var AUTOSAVE_DELAY_MS = 1500;

  // A form marked data-confirm asks before it is sent: it replaces what the person recorded.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (form.dataset && form.dataset.confirmed) {  // asked already, sent again after a save
      delete form.dataset.confirmed;
      return;
    }
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  function keepRegionCount(form) {
    var set = form.querySelector(".regions");
    if (!set) return;
    set.addEventListener("change", function () {
      var n = set.querySelectorAll("input:checked").length;
      set.querySelector("[data-region-count]").textContent = n + (n === 1 ? " region" : " regions");
    });
  }

  // A code ticked in the search results moves to the chosen list, so the next search keeps it.
  function keepChosenCodes(form) {
    var results = form.querySelector("#dx-results");
    var chosen = form.querySelector("#dx-selected");
    if (!results || !chosen) return;
    results.addEventListener("change", function (event) {
      var item = event.target.closest("li");
      if (event.target.checked && item) chosen.appendChild(item);
    });
  }

  function autosave(form) {
    var url = form.getAttribute("data-autosave-url");
    if (!url) return;
    var status = document.querySelector("[data-autosave-status]");
    var badge = document.querySelector("[data-note-version-badge]");
    var dirty = false;      // changes not yet sent
    var inFlight = null;    // the save being sent, if any
    var timer = null;
    var stopped = false;    // a conflict or a signed note: only a person can resolve it
    var submitting = false;

    function say(text, kind) {
      if (!status) return;
      status.textContent = text;
      status.setAttribute("data-state", kind);
    }

    function setVersion(version) {
      document.querySelectorAll("input[name=version]").forEach(function (input) {
        input.value = version;
      });
      if (badge) badge.textContent = "Draft · version " + version;
    }

    function body() {
      var data = new FormData(form);
      data.set("action", "save");
      return data;
    }

    function save() {
      timer = null;
      if (stopped || submitting || !dirty) return Promise.resolve();
      if (inFlight) return inFlight.then(save);
      if (!navigator.onLine) {
        say("Not saved: no connection. Your changes stay on this page and are saved when the connection is back.", "offline");
        return Promise.resolve();
      }
      dirty = false;
      say("Saving…", "saving");
      inFlight = fetch(url, {
        method: "POST",
        body: body(),
        credentials: "same-origin",
        headers: { "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json) throw new Error("You may have been logged out: log in again in another tab, then press Save draft.");
        return response.json().then(function (answer) {
          if (answer.saved) {
            setVersion(answer.version);
            say(answer.message, "saved");
            return;
          }
          dirty = true;
          if (answer.conflict || answer.signed) stopped = true;
          say(answer.message, answer.conflict ? "conflict" : "error");
        });
      }).catch(function (error) {
        dirty = true;
        if (error instanceof TypeError) {  // fetch could not reach the server
          say("Not saved: no connection. Your changes stay on this page and are saved when the connection is back.", "offline");
        } else {
          say("Not saved: " + error.message, "error");
        }
      }).then(function () {
        inFlight = null;
      });
      return inFlight;
    }

    function schedule() {
      if (stopped) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, AUTOSAVE_DELAY_MS);
    }

    function changed(event) {
      // The code search box only filters the list; it is not part of the note.
      if (event.target && event.target.name === "q") return;
      dirty = true;
      schedule();
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    window.addEventListener("online", function () { if (dirty) save(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden" && dirty) save();
    });

    // A save still on its way would bump the version under any form of the page (the note, the
    // copy of earlier findings): wait for it first. Declined confirmations never get here.
    document.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      if (timer) { clearTimeout(timer); timer = null; }
      if (inFlight) {
        event.preventDefault();
        var submitter = event.submitter;
        var target = event.target;
        if (target.hasAttribute("data-confirm")) target.dataset.confirmed = "1";
        inFlight.then(function () { target.requestSubmit(submitter); });
        return;
      }
      submitting = true;
    });

    window.addEventListener("beforeunload", function (event) {
      if (submitting || !(dirty || inFlight)) return;
      event.preventDefault();
      event.returnValue = "";  // older browsers need a value to show their "leave page?" dialog
    });
  }

  function start() {
    var form = document.getElementById("note-form");
    if (!form) return;
    keepRegionCount(form);
    keepChosenCodes(form);
    autosave(form);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
