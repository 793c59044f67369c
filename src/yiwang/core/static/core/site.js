// Behaviour the pages declare with data attributes, so no page needs an inline script
// (the Content-Security-Policy allows scripts from this site only).
(function () {
  // <button data-confirm="..."> asks before its form is submitted.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // <form data-swap-errors="400 409"> (or "4xx", "5xx") shows the refusal the server rendered for these
  // statuses in place of the form, as it would show a success.
  document.addEventListener("htmx:beforeSwap", function (event) {
    // The element that asked (a form may swap a wrapper outside itself), else the swap's target.
    var asker = event.detail.requestConfig && event.detail.requestConfig.elt;
    var owner = (asker && asker.closest && asker.closest("[data-swap-errors]")) ||
      (event.detail.elt && event.detail.elt.closest("[data-swap-errors]"));
    if (!owner) return;
    var status = event.detail.xhr.status;
    var listed = owner.getAttribute("data-swap-errors").split(/\s+/);
    var family = Math.floor(status / 100) + "xx";
    var matches = listed.indexOf(String(status)) !== -1 || (status >= 400 && listed.indexOf(family) !== -1);
    if (matches) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
