// The one form of a bundle saves itself on every change (htmx, one request at a time).
// - Each save, autosave or button, carries this page's next number, so the server never applies
//   an older save over a newer one, even when an overtaken request reaches it late.
// - Another form of the page (an upload, a data-sharing fetch) waits for a save in flight before
//   it leaves the page, so the page that comes back shows what was typed.
(function () {
  var form = document.getElementById("bundle-form");
  if (!form) return;
  var seq = form.elements["form_seq"];
  var inFlight = 0;
  var waiting = null;

  function next() {
    seq.value = String(Number(seq.value || 0) + 1);
    return seq.value;
  }

  form.addEventListener("htmx:configRequest", function (event) {
    event.detail.parameters["form_seq"] = next();
  });
  form.addEventListener("htmx:beforeRequest", function () { inFlight += 1; });
  form.addEventListener("htmx:afterRequest", function () {
    inFlight = Math.max(0, inFlight - 1);
    // A save queued behind this one starts right after it: look again once htmx has issued it.
    setTimeout(function () {
      if (inFlight === 0 && waiting) {
        var deferred = waiting;
        waiting = null;
        deferred.form.requestSubmit(deferred.submitter || undefined);
      }
    }, 0);
  });
  form.addEventListener("submit", next);

  document.addEventListener("submit", function (event) {
    var other = event.target;
    if (other === form || inFlight === 0) return;
    event.preventDefault();
    waiting = { form: other, submitter: event.submitter };
  }, true);
})();
