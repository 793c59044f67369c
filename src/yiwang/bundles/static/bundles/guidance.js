// The guide's questionnaire shows only the questions that still matter. Each guidance partial the
// server renders names the questions the earlier answers made irrelevant
// (<section id="guidance" data-irrelevant-questions="q3">); their fieldsets are hidden and
// disabled, so an answer left in one is neither sent with the next request nor submitted with
// 开始办理 (the server ignores it anyway). Toggling attributes, rather than re-rendering the
// questions, keeps the focus on the radio button the person just chose.
(function () {
  function showRelevantQuestions() {
    var form = document.getElementById("questionnaire");
    var guidance = document.getElementById("guidance");
    if (!form || !guidance) return;
    var irrelevant = (guidance.getAttribute("data-irrelevant-questions") || "").split(/\s+/);
    var fieldsets = form.querySelectorAll("fieldset[data-question]");
    var revivedAnswer = false;
    for (var i = 0; i < fieldsets.length; i += 1) {
      var hide = irrelevant.indexOf(fieldsets[i].getAttribute("data-question")) !== -1;
      if (fieldsets[i].disabled && !hide && fieldsets[i].querySelector("input:checked")) revivedAnswer = true;
      fieldsets[i].hidden = hide;
      fieldsets[i].disabled = hide;
    }
    // A question asked again shows the answer it had; the partial just rendered was computed
    // without it, so ask again with it, or the page would show an answer the guide ignores.
    if (revivedAnswer) form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // The partial replaces #guidance (outerHTML), so look the new one up after each swap.
  document.addEventListener("htmx:afterSwap", showRelevantQuestions);
})();
