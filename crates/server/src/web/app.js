// kubeprep serve: the only script. Everything works without it; it ticks
// the interview clocks, keeps the newest turn in view, and sends an answer
// on Ctrl+Enter (Cmd+Enter on a Mac).
(function () {
  "use strict";
  function fmt(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var r = s % 60;
    return Math.floor(s / 60) + ":" + (r < 10 ? "0" : "") + r;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var bar = document.querySelector(".status-bar");
    if (bar && bar.dataset.running === "1") {
      var start = Date.now();
      var phase = Number(bar.dataset.phaseElapsed) || 0;
      var total = Number(bar.dataset.totalElapsed) || 0;
      var pc = document.getElementById("phase-clock");
      var tc = document.getElementById("total-clock");
      setInterval(function () {
        var d = Date.now() - start;
        if (pc) pc.textContent = fmt(phase + d);
        if (tc) tc.textContent = fmt(total + d);
      }, 1000);
    }
    var conv = document.getElementById("conversation");
    if (conv && conv.lastElementChild) {
      conv.lastElementChild.scrollIntoView({ block: "end" });
    }
    var answer = document.getElementById("answer");
    if (answer) {
      answer.focus();
      answer.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          var send = document.querySelector("#answer-form button[value=answer]");
          if (send) send.click();
        }
      });
    }
  });
})();
