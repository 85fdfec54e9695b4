/* Small progressive enhancements; every page works without them (no inline script: CSP). */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // htmx's own inline <style> is switched off by <meta name="htmx-config"> in base.html (the
  // Content-Security-Policy refuses inline styles); portal.css styles its indicators.

  document.addEventListener("DOMContentLoaded", function () {
    // Narrow screens: the main menu folds behind the "menu" button.
    document.querySelectorAll(".portal-menu-toggle").forEach(function (button) {
      var nav = document.getElementById(button.getAttribute("aria-controls"));
      if (!nav) return;
      button.addEventListener("click", function () {
        var open = nav.classList.toggle("is-open");
        button.setAttribute("aria-expanded", open ? "true" : "false");
      });
    });
    // A print button where a page is laid out for paper (hidden until script can run it).
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  });

  // Forms that change something important ask once before sending.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
