// The proposal form shows only the organisers' questions asked of the chosen session format and
// track, as the speaker changes them. Hidden answers stay in the page, so choosing the format
// back shows them as typed; saved, they are kept but set aside (not required, seen by nobody
// but the speakers; see conference/proposals/questions.py), and the note below the fields says
// so. Without JavaScript every question shows, each saying which proposals it is asked of.
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

  function showSetAside(region, texts) {
    region.textContent = "";
    if (texts.length === 0) { return; }
    var note = document.createElement("p");
    note.className = "flash flash-info";
    note.textContent = (texts.length === 1 ? "Your answer to " : "Your answers to ") +
      texts.join(", ") + " will be kept but set aside: " +
      (texts.length === 1 ? "the question does not" : "those questions do not") +
      " apply to this session format and track, so only the speakers see " +
      (texts.length === 1 ? "it" : "them") + ". Choose the format or track back to use " +
      (texts.length === 1 ? "it" : "them") + " again.";
    region.appendChild(note);
  }

  function start(form) {
    var format = form.querySelector("#session_format_id");
    var track = form.querySelector("#track_id");
    var region = form.querySelector("[data-answers-set-aside]");
    var questions = form.querySelectorAll("[data-question]");
    if (!format || !track || questions.length === 0) { return; }

    function update() {
      var setAside = [];
      for (var i = 0; i < questions.length; i += 1) {
        var question = questions[i];
        var asked = applies(question, format.value, track.value);
        question.hidden = !asked;
        if (!asked && isAnswered(question)) {
          setAside.push("“" + question.getAttribute("data-question-text") + "”");
        }
      }
      if (region) { showSetAside(region, setAside); }
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
