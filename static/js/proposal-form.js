// The proposal form shows only the organisers' questions asked of the chosen session format and
// track, as the speaker changes them. Hidden answers stay in the page, so choosing the format
// back shows them as typed; the server keeps no answer to a question that does not apply (see
// conference/proposals/questions.py, save_answers), and the note below the fields says so.
// Without JavaScript every question shows, each saying which proposals it is asked of.
(function () {
  "use strict";

  function ids(node, name) {
    var text = node.getAttribute(name) || "";
    return text ? text.split(" ") : [];
  }

  // The same rule as CfpQuestion.is_asked_of: a question limited to tracks is not asked of a
  // proposal without a track (the track select's value 0).
  function applies(node, formatId, trackId) {
    var formats = ids(node, "data-formats");
    var tracks = ids(node, "data-tracks");
    return (formats.length === 0 || formats.indexOf(formatId) !== -1) &&
      (tracks.length === 0 || tracks.indexOf(trackId) !== -1);
  }

  function isAnswered(node) {
    var inputs = node.querySelectorAll("input, textarea");
    for (var i = 0; i < inputs.length; i += 1) {
      var input = inputs[i];
      var isChoice = input.type === "radio" || input.type === "checkbox";
      if ((!isChoice || input.checked) && input.value.trim() !== "") { return true; }
    }
    return false;
  }

  function showNotKept(region, texts) {
    region.textContent = "";
    if (texts.length === 0) { return; }
    var note = document.createElement("p");
    note.className = "flash flash-warning";
    note.textContent = (texts.length === 1 ? "Your answer to " : "Your answers to ") +
      texts.join(", ") + " will not be kept: " +
      (texts.length === 1 ? "the question does not" : "those questions do not") +
      " apply to this session format and track. Choose the format or track back to keep " +
      (texts.length === 1 ? "it." : "them.");
    region.appendChild(note);
  }

  function start(form) {
    var format = form.querySelector("#session_format_id");
    var track = form.querySelector("#track_id");
    var region = form.querySelector("[data-answers-not-kept]");
    var questions = form.querySelectorAll("[data-question]");
    if (!format || !track || questions.length === 0) { return; }

    function update() {
      var notKept = [];
      for (var i = 0; i < questions.length; i += 1) {
        var question = questions[i];
        var asked = applies(question, format.value, track.value);
        question.hidden = !asked;
        if (!asked && isAnswered(question)) {
          notKept.push("“" + question.getAttribute("data-question-text") + "”");
        }
      }
      if (region) { showNotKept(region, notKept); }
    }

    format.addEventListener("change", update);
    track.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-proposal-form]");
    if (form) { start(form); }
  });
})();
