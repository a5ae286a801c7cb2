// maillage: small progressive enhancements. Every page works without this file.
// Behaviour hooks on data-maillage-* attributes, never on CSS classes.
(function () {
  "use strict";
  // Ask for confirmation before a destructive action: <form data-maillage-confirm="Message">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-maillage-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
