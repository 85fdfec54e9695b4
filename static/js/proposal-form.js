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
