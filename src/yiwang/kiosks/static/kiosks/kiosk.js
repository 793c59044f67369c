// The kiosk's pages: the terminal's device agent (card reader, printer) on loopback, the idle
// warning and wipe, submitting through a dropping network, and the number pad. Everything is
// declared by data attributes in the templates (the CSP allows no inline script).
(function () {
  var body = document.body;
  var english = (document.documentElement.lang || "").toLowerCase().indexOf("en") === 0;
  var messageBox = document.getElementById("kiosk-message");

  function say(zh, en) { return english && en ? en : zh; }

  function show(text, kind) {
    if (!messageBox) return;
    messageBox.textContent = text;
    messageBox.className = "kiosk-message " + (kind || "error");
    messageBox.hidden = !text;
  }

  function refusalText(answer, fallbackZh, fallbackEn) {
    if (answer && (answer.message || answer.message_en)) return say(answer.message, answer.message_en);
    return say(fallbackZh, fallbackEn);
  }

  // The device agent: JSON over loopback with the terminal's token; a refusal is {code, message, message_en}.
  function agent(path, payload) {
    var url = body.getAttribute("data-agent");
    if (!url) return Promise.reject({ code: "no_agent" });
    return fetch(url + path, {
      method: payload === undefined ? "GET" : "POST",
      headers: { "Content-Type": "application/json", "X-Kiosk-Token": body.getAttribute("data-agent-token") || "" },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (!response.ok) { answer.status = response.status; throw answer; }
        return answer;
      });
    }, function () {
      throw { code: "agent_unreachable", message: "本机设备服务未响应，请用手机扫码登录，或到窗口办理。",
              message_en: "The kiosk's devices do not answer; sign in with your phone, or go to a window." };
    });
  }

  // A POST to the platform from this page (the session's CSRF token in the header).
  function post(url, payload) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": body.getAttribute("data-csrf") || "" },
      body: JSON.stringify(payload || {}),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        if (!response.ok) { answer.status = response.status; throw answer; }
        return answer;
      });
    });
  }

  function reference() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID().replace(/-/g, "") : String(Date.now()) + Math.random().toString(16).slice(2);
  }

  // ---- Signing in with the ID card ----
  var cardButton = document.getElementById("card-sign-in");
  var cardStatus = document.getElementById("card-status");
  var cardCancel = document.getElementById("card-cancel");
  if (cardButton) {
    cardButton.addEventListener("click", function () {
      show("");
      cardButton.disabled = true;
      cardStatus.hidden = false;
      cardStatus.textContent = cardStatus.getAttribute("data-waiting");
      cardCancel.hidden = false;
      agent("/api/card-reader/read", { timeout: 20 }).then(function (answer) {
        cardStatus.textContent = cardStatus.getAttribute("data-reading");
        return post(cardButton.getAttribute("data-sign-in"), { card: answer.card });
      }).then(function (answer) {
        window.location.assign(answer.redirect);
      }).catch(function (refusal) {
        cardStatus.hidden = true;
        cardCancel.hidden = true;
        cardButton.disabled = false;
        if (refusal && refusal.code === "cancelled") return;
        show(refusalText(refusal, "读卡失败，请重新放置身份证。", "The card could not be read; place it again."));
      });
    });
    cardCancel.addEventListener("click", function () { agent("/api/card-reader/cancel", {}).catch(function () {}); });
  }

  // ---- Printing: <button data-print-job="id of a json_script"> sends the job to the printer ----
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print-job]");
    if (!button) return;
    var job = JSON.parse(document.getElementById(button.getAttribute("data-print-job")).textContent);
    var label = button.textContent;
    button.disabled = true;
    button.textContent = button.getAttribute("data-printing");
    var done = function (outcome) {
      var url = body.getAttribute("data-printed");
      if (url) post(url, { reference: reference(), outcome: outcome }).catch(function () {});
    };
    agent("/api/printer/print", job).then(function () {
      show(button.getAttribute("data-printed-label"), "ok");
      done("done");
    }).catch(function (refusal) {
      show(refusalText(refusal, "打印失败，请联系工作人员。", "Printing failed; ask the staff."));
      done("failed");
    }).then(function () {
      button.disabled = false;
      button.textContent = label;
    });
  });

  // ---- Ending the visit: wipe the session, cookies, storage; back to the start screen ----
  function wipeAndLeave(reason) {
    var start = function (url) {
      try { window.localStorage.clear(); window.sessionStorage.clear(); } catch (e) { /* storage disabled */ }
      document.cookie.split(";").forEach(function (cookie) {
        var name = cookie.split("=")[0].trim();
        if (name) document.cookie = name + "=; Max-Age=0; path=/";
      });
      window.location.replace(url + "?ended=" + reason);
    };
    post(body.getAttribute("data-end"), {}).then(function (answer) { start(answer.redirect); },
      function () { start("/kiosk/"); });  // the start page ends the visit on the server too
  }
  var leave = document.getElementById("kiosk-leave");
  if (leave) leave.addEventListener("click", function () { wipeAndLeave("left"); });

  // ---- Idle: warn before the end, then wipe. Activity also tells the server the person is here ----
  var idleSeconds = parseInt(body.getAttribute("data-idle") || "0", 10);
  if (idleSeconds > 0) {
    var warning = parseInt(body.getAttribute("data-idle-warning") || "30", 10);
    var dialog = document.getElementById("kiosk-idle");
    var count = document.getElementById("kiosk-idle-count");
    var lastActive = Date.now();
    var lastPing = Date.now();
    var stillHere = body.getAttribute("data-still-here");
    var activity = function () {
      lastActive = Date.now();
      if (!dialog.hidden) dialog.hidden = true;
      if (stillHere && Date.now() - lastPing > 15000) {
        lastPing = Date.now();
        post(stillHere, {}).catch(function () {});
      }
    };
    ["pointerdown", "keydown", "touchstart", "input"].forEach(function (name) {
      document.addEventListener(name, function (event) {
        if (event.target && event.target.id === "kiosk-continue") return;
        activity();
      }, true);
    });
    document.getElementById("kiosk-continue").addEventListener("click", function () {
      lastPing = 0;
      activity();
    });
    window.setInterval(function () {
      var left = idleSeconds - Math.floor((Date.now() - lastActive) / 1000);
      if (left <= 0) { wipeAndLeave("idle"); return; }
      if (left <= warning) {
        dialog.hidden = false;
        count.textContent = say(left + " 秒", left + " s");
      }
    }, 500);
  }

  // ---- Submitting through a dropping network: the same reference is tried again ----
  var form = document.querySelector("form[data-kiosk-submit]");
  if (form) {
    var offline = document.getElementById("kiosk-offline");
    var sending = false;
    var attempt = function (data, tries) {
      return fetch(form.action || window.location.href, { method: "POST", body: data, credentials: "same-origin",
                                                          headers: { "Accept": "application/json" } })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (answer) {
            offline.hidden = true;
            if (response.ok && answer.redirect) { window.location.assign(answer.redirect); return; }
            // A refusal (a field, a record not found): the page shows it where the person looks.
            sending = false;
            form.setAttribute("data-kiosk-plain", "1");
            form.submit();
          });
        }, function () {
          offline.hidden = false;
          if (tries > 1) {
            return new Promise(function (resolve) { window.setTimeout(resolve, 2000); }).then(function () { return attempt(data, tries - 1); });
          }
          sending = false;
          offerRetry(data);
        });
    };
    var offerRetry = function (data) {
      offline.hidden = true;
      show(form.getAttribute("data-gone"));
      var box = document.getElementById("kiosk-retry") || document.createElement("div");
      box.id = "kiosk-retry";
      box.className = "kiosk-actions";
      box.innerHTML = "";
      var again = document.createElement("button");
      again.type = "button";
      again.className = "kiosk-button primary";
      again.id = "kiosk-retry-submit";
      again.textContent = form.getAttribute("data-retry-label");
      again.addEventListener("click", function () { show(""); sending = true; attempt(data, 3); });
      var cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "kiosk-button";
      cancel.id = "kiosk-retry-cancel";
      cancel.textContent = form.getAttribute("data-cancel-label");
      cancel.addEventListener("click", function () { wipeAndLeave("left"); });
      box.appendChild(again);
      box.appendChild(cancel);
      messageBox.insertAdjacentElement("afterend", box);
    };
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-kiosk-plain")) return;
      event.preventDefault();
      if (sending || !form.reportValidity()) return;
      sending = true;
      attempt(new FormData(form), 3);
    });
  }

  // ---- The number pad types into the last field that had the focus ----
  var pad = document.getElementById("numpad");
  if (pad) {
    var target = null;
    document.addEventListener("focusin", function (event) {
      if (event.target.matches && event.target.matches("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea")) target = event.target;
    });
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("[data-key]");
      if (!key || !target) return;
      var value = key.getAttribute("data-key");
      target.value = value === "back" ? target.value.slice(0, -1) : target.value + value;
      target.dispatchEvent(new Event("input", { bubbles: true }));
      target.focus();
    });
  }
})();
