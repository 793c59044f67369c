// The ticket machine: a number is asked for only when the platform answers. On a lost network the
// browser would show its own error page on a touch screen nobody can leave; instead the machine
// says so in words, keeps the page, and takes nothing until the connection is back.
(function () {
  var form = document.querySelector("form.take-form");
  if (!form) return;
  var banner = document.getElementById("offline");
  var probe = form.getAttribute("data-probe");
  var sending = false;

  function offline(yes) {
    banner.hidden = !yes;
    form.querySelectorAll("button.group-button").forEach(function (b) { b.disabled = yes; });
  }

  // Before the submission leaves, one short request proves the platform is reachable.
  function reachable() {
    if (!navigator.onLine) return Promise.resolve(false);
    var controller = window.AbortController ? new AbortController() : null;
    var timer = window.setTimeout(function () { if (controller) controller.abort(); }, 3000);
    return fetch(probe, {cache: "no-store", credentials: "same-origin", signal: controller && controller.signal})
      .then(function (answer) { return answer.ok; }, function () { return false; })
      .then(function (ok) { window.clearTimeout(timer); return ok; });
  }

  form.addEventListener("submit", function (event) {
    if (sending) return;  // the checked submission itself
    event.preventDefault();
    var chosen = event.submitter;
    reachable().then(function (ok) {
      offline(!ok);
      if (!ok) return;
      sending = true;
      if (chosen) {  // the button pressed names the group: carry it in the real submission
        var field = document.createElement("input");
        field.type = "hidden"; field.name = chosen.name; field.value = chosen.value;
        form.appendChild(field);
      }
      form.submit();
    });
  });
  window.addEventListener("offline", function () { offline(true); });
  window.addEventListener("online", function () { reachable().then(function (ok) { offline(!ok); }); });
  if (!navigator.onLine) offline(true);
})();
