/* Proposal form: let htmx show the server's refusals, and keep autosave and the save button
   from racing each other. No inline script anywhere (CSP). */
(function () {
  "use strict";
  if (!window.htmx) return;

  // htmx 2 swaps only 2xx by default. These refusals come with a fragment that says what
  // went wrong (field errors, stale version, file too large), so they are swapped too.
  var shown = { code: "^(400|409|413|422)$", swap: true, error: false };
  var handling = htmx.config.responseHandling || [];
  if (!handling.some(function (rule) { return rule.code === shown.code; })) {
    htmx.config.responseHandling = [shown].concat(handling);
  }

  // A save button pressed while an autosave is on its way would carry the version from before
  // that autosave and be refused as stale: wait for the autosave, then submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-autosave")) return;
    if (form.classList.contains("htmx-request")) {
      event.preventDefault();
      var submitter = event.submitter;
      form.addEventListener("htmx:afterRequest", function () {
        form.requestSubmit(submitter || undefined);
      }, { once: true });
      return;
    }
    form.setAttribute("data-submitting", "");
  });

  // Once the form is being sent, a delayed autosave must not go out behind it.
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.target;
    if (form && form.hasAttribute && form.hasAttribute("data-submitting")) {
      event.preventDefault();
    }
  });
})();

/* The wizard's helpers: a warning before leaving with unsaved edits, live character counts,
   the partner search and the file drop zone. Each enhances markup that works without it. */
(function () {
  "use strict";

  // -- Unsaved edits: dirty from the first edit until an autosave (or the form) saves them all.
  var dirty = false;
  var editsDuringSave = false;
  function autosaveForm(node) {
    // Only fields that are sent count: the partner search box is not an edit.
    if (!node || !node.name || !node.closest) return null;
    return node.closest("form[data-autosave], form[data-warn-unsaved]");
  }
  document.addEventListener("input", function (event) {
    if (autosaveForm(event.target)) {
      dirty = true;
      editsDuringSave = true;
    }
  });
  document.addEventListener("change", function (event) {
    if (autosaveForm(event.target)) {
      dirty = true;
      editsDuringSave = true;
    }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-autosave")) {
      editsDuringSave = false;
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!(event.target.hasAttribute && event.target.hasAttribute("data-autosave"))) return;
    // Only a full save (200) clears the warning; a refused field (422) keeps it.
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 200 && !editsDuringSave) dirty = false;
  });
  document.addEventListener("submit", function (event) {
    if (event.target.hasAttribute("data-autosave") || event.target.matches("form.portal-form")) {
      dirty = false;
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });

  // -- Character counts: the number typed, red past the limit (the server refuses, never cuts).
  function updateCount(input) {
    var count = document.querySelector('[data-char-count-for="' + input.id + '"]');
    if (!count) return;
    var limit = parseInt(input.getAttribute("data-max-chars"), 10);
    var length = input.value.length;
    var number = count.querySelector("[data-char-count]");
    if (number) number.textContent = length.toLocaleString("en-US");
    count.classList.toggle("is-over", length > limit);
  }
  document.addEventListener("input", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-max-chars")) {
      updateCount(event.target);
    }
  });

  // -- Partner search: filters the check boxes by name; the chosen ones always stay in view.
  function updatePartners(picker) {
    var filter = picker.querySelector("[data-partner-filter]");
    var status = picker.querySelector("[data-partner-status]");
    var query = (filter.value || "").trim().toLowerCase();
    var items = picker.querySelectorAll("li[data-partner-name]");
    var shown = 0;
    var chosen = 0;
    items.forEach(function (item) {
      var box = item.querySelector("input[type=checkbox]");
      var match = !query || item.getAttribute("data-partner-name").indexOf(query) !== -1;
      if (box && box.checked) chosen += 1;
      item.hidden = !(match || (box && box.checked));
      if (!item.hidden) shown += 1;
    });
    status.textContent = status.getAttribute("data-template-shown")
      .replace("{shown}", shown)
      .replace("{total}", items.length)
      .replace("{chosen}", chosen);
  }
  function setUpPartners(root) {
    root.querySelectorAll("[data-partner-picker]").forEach(function (picker) {
      var search = picker.querySelector("[data-partner-search]");
      if (!search || !search.hidden) return;
      search.hidden = false;
      picker.querySelector("[data-partner-filter]").addEventListener("input", function () {
        updatePartners(picker);
      });
      picker.addEventListener("change", function () { updatePartners(picker); });
      updatePartners(picker);
    });
  }

  // -- File drop zone: a file dropped on the zone goes into the real input.
  function showChosen(input) {
    var chosen = document.getElementById(input.id + "_chosen");
    if (!chosen) return;
    var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    chosen.textContent = names.length ? names.join(", ") : chosen.getAttribute("data-empty");
  }
  function setUpDropZones(root) {
    root.querySelectorAll("[data-drop-zone]").forEach(function (zone) {
      if (zone.hasAttribute("data-ready")) return;
      zone.setAttribute("data-ready", "");
      var input = zone.querySelector("input[type=file]");
      input.addEventListener("change", function () { showChosen(input); });
      ["dragenter", "dragover"].forEach(function (name) {
        zone.addEventListener(name, function (event) {
          event.preventDefault();
          zone.classList.add("is-dragover");
        });
      });
      ["dragleave", "drop"].forEach(function (name) {
        zone.addEventListener(name, function (event) {
          event.preventDefault();
          zone.classList.remove("is-dragover");
        });
      });
      zone.addEventListener("drop", function (event) {
        var files = event.dataTransfer && event.dataTransfer.files;
        if (!files || !files.length) return;
        var transfer = new DataTransfer();
        transfer.items.add(files[0]);
        input.files = transfer.files;
        showChosen(input);
        input.focus();
      });
    });
  }

  function setUp(root) {
    setUpPartners(root);
    setUpDropZones(root);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
  // The documents section is swapped whole by htmx after each upload.
  document.addEventListener("htmx:afterSettle", function (event) { setUp(event.target); });
})();
