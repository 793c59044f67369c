// The calling screen: polls the site's feed for announcements after the last one shown, shows each
// and speaks it once, in order (zh-CN speech synthesis of the browser; no online service). After a
// lost connection it asks again from the last id, so nothing is skipped and nothing said twice.
(function () {
  var root = document.getElementById("screen");
  if (!root) return;
  var feed = root.getAttribute("data-feed");
  var after = 0, started = false, voice = false;
  var latest = document.getElementById("latest"), list = document.getElementById("calls");
  var status = document.getElementById("status"), waiting = document.getElementById("waiting");

  document.getElementById("voice").addEventListener("click", function () {
    voice = true;  // browsers speak only after a person has touched the page once
    this.hidden = true;
  });

  function speak(text) {
    if (!voice || !window.speechSynthesis) return;
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = "zh-CN";
    window.speechSynthesis.speak(utterance);
  }

  function show(call) {
    latest.textContent = call.text;
    var item = document.createElement("li");
    item.setAttribute("data-call", call.id);
    item.textContent = call.number + " → " + call.window;
    list.insertBefore(item, list.firstChild);
    while (list.children.length > 8) list.removeChild(list.lastChild);
  }

  function poll() {
    fetch(feed + "?after=" + after, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (answer) { if (!answer.ok) throw new Error(String(answer.status)); return answer.json(); })
      .then(function (data) {
        data.calls.forEach(function (call) {
          if (call.id <= after) return;
          after = call.id;
          show(call);
          if (started) speak(call.text);  // the calls shown at start-up were said before
        });
        started = true;
        var counts = Object.keys(data.waiting).sort().map(function (k) { return k + " " + data.waiting[k]; });
        waiting.textContent = counts.length ? counts.join(" · ") : "0";
        status.textContent = root.getAttribute("data-live");
        root.setAttribute("data-after", String(after));
      })
      .catch(function () { status.textContent = root.getAttribute("data-lost"); })
      .then(function () { window.setTimeout(poll, 500); });
  }
  poll();
})();
