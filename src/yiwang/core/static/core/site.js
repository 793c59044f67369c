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

  // <input type="file" data-submit-on-change> sends its form as soon as a file is chosen (one
  // click fewer per material); the form's own button stays for browsers without this script.
  document.addEventListener("change", function (event) {
    var input = event.target.closest && event.target.closest("input[type=file][data-submit-on-change]");
    if (!input || !input.files || !input.files.length || !input.form) return;
    if (input.form.requestSubmit) input.form.requestSubmit(); else input.form.submit();
  });

  // <div data-show-if-field="x" data-show-if-values="a b"> (a form field asked only for some
  // answers): shown, and its inputs enabled, while field x of the same form has one of the values.
  function answersOf(form, name) {
    var chosen = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (element.name !== name || element.disabled) return;
      if ((element.type === "radio" || element.type === "checkbox") && !element.checked) return;
      if (element.value) chosen.push(element.value);
    });
    return chosen;
  }
  function applyConditions(form) {
    // In document order, so a field that depends on a hidden one is hidden too.
    form.querySelectorAll("[data-show-if-field]").forEach(function (wrapper) {
      var wanted = wrapper.getAttribute("data-show-if-values").split(" ");
      var show = answersOf(form, wrapper.getAttribute("data-show-if-field")).some(function (v) { return wanted.indexOf(v) !== -1; });
      wrapper.hidden = !show;
      wrapper.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !show; });
    });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.querySelector("[data-show-if-field]")) applyConditions(form);
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

// 关怀模式 and 朗读 (yiwang.core.care): the header's read-aloud button reads the selected text, else
// the page's main content, with the browser's speech synthesis in the page's language; pressed
// while speaking it stops. It stays hidden where the browser has no speech synthesis.
(function () {
  var root = document.documentElement;
  // No new windows in care mode (适老化: no pop-ups): links open in the same tab.
  function sameTab(scope) {
    if (!root.classList.contains("care")) return;
    scope.querySelectorAll("a[target]").forEach(function (link) { link.removeAttribute("target"); });
  }
  sameTab(document);
  document.addEventListener("htmx:afterSwap", function (event) { sameTab(event.detail.target || document); });

  var button = document.getElementById("read-aloud");
  var synth = window.speechSynthesis;
  if (!button || !synth || typeof window.SpeechSynthesisUtterance !== "function") return;
  var readLabel = button.textContent;
  var stopLabel = button.getAttribute("data-stop-label") || readLabel;
  var selected = "";
  var queued = 0;  // utterances of the current reading not yet ended
  var reading = 0;  // which reading: an utterance of a cancelled one must not count
  function speaking(yes) {
    button.textContent = yes ? stopLabel : readLabel;
    button.setAttribute("aria-pressed", yes ? "true" : "false");
  }
  // The selection is read before the press can change it.
  button.addEventListener("pointerdown", function () { selected = String(window.getSelection() || "").trim(); });
  button.addEventListener("click", function () {
    reading += 1;
    if (queued) { queued = 0; synth.cancel(); speaking(false); return; }
    var text = selected || String(window.getSelection() || "").trim();
    selected = "";
    if (!text) {
      var main = document.querySelector("main.content") || document.body;
      text = main.innerText.trim();
    }
    // Sentence by sentence: some engines stop a long utterance after a few seconds.
    var parts = text.split(/(?<=[。！？；.!?;])\s*|\n+/).map(function (p) { return p.trim(); }).filter(Boolean);
    if (!parts.length) return;
    var lang = root.lang === "en" ? "en-GB" : "zh-CN";
    var mine = reading;
    queued = parts.length;
    speaking(true);
    parts.forEach(function (part) {
      var utterance = new window.SpeechSynthesisUtterance(part);
      utterance.lang = lang;
      utterance.rate = root.classList.contains("care") ? 0.9 : 1;  // a little slower for elderly listeners
      utterance.onend = utterance.onerror = function () {
        if (mine === reading && queued && --queued === 0) speaking(false);
      };
      synth.speak(utterance);
    });
  });
  window.addEventListener("pagehide", function () { synth.cancel(); });
  button.hidden = false;
})();

// The installable web app: the service worker (/sw.js, yiwang.core.pwa) keeps the shell and shows
// the offline page when the network is gone. Registered after load so it never slows the first page.
// Only from the portal's pages (those that link the manifest): not from a kiosk's.
(function () {
  if (!("serviceWorker" in navigator) || !document.querySelector("link[rel=manifest]")) return;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
      // No worker (e.g. a private window that forbids it): the portal works as a plain site.
    });
  });
})();

// <table class="stack">: on a phone each row is a card (site.css), so every cell carries its
// column's heading as data-label for the card to show; again after htmx replaces a list.
(function () {
  function label(scope) {
    (scope.querySelectorAll ? scope : document).querySelectorAll("table.stack").forEach(function (table) {
      var headings = [];
      table.querySelectorAll("thead th").forEach(function (th) {
        for (var span = th.colSpan || 1; span > 0; span--) headings.push(th.textContent.trim());
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          // A cell across columns (e.g. "awaiting acceptance" over both due dates) speaks for itself.
          var heading = (cell.colSpan || 1) === 1 ? headings[column] : "";
          if (heading && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", heading);
          column += cell.colSpan || 1;
        });
      });
    });
  }
  label(document);
  document.addEventListener("htmx:afterSwap", function (event) { label(event.detail.target.parentNode || document); });
})();
