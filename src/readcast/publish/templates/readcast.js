/* readcast pages: small progressive enhancements. Every page works without this script:
   chapter links open the MP3 at their time, the transcript is plain text, the feed address is
   selectable. With it, chapter links seek the page's player, the transcript highlights the
   segment being spoken, and a button copies the feed address. */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function enableCopyButtons() {
    var buttons = document.querySelectorAll("[data-copy-target]");
    Array.prototype.forEach.call(buttons, function (button) {
      var input = document.getElementById(button.getAttribute("data-copy-target"));
      var status = document.getElementById(button.getAttribute("data-copy-status"));
      if (!input) { return; }
      function say(message) { if (status) { status.textContent = message; } }
      function selectForManualCopy() {
        input.focus();
        input.select();
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
        say(copied ? "Feed address copied." : "Feed address selected: press Ctrl+C (or Command+C) to copy it.");
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(function () {
            say("Feed address copied.");
          }, selectForManualCopy);
        } else {
          selectForManualCopy();
        }
      });
    });
  }

  function enablePlayer() {
    var audio = document.querySelector("audio[data-readalong]");
    if (!audio) { return; }

    function seek(seconds, play) {
      audio.currentTime = seconds;
      if (play) {
        var playing = audio.play();
        if (playing && playing.catch) { playing.catch(function () { /* the user can press play */ }); }
      }
    }

    Array.prototype.forEach.call(document.querySelectorAll("a[data-seek]"), function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        seek(parseFloat(link.getAttribute("data-seek")), true);
      });
    });

    // Read-along: highlight the segment whose start is the latest one not after the playhead.
    var lines = Array.prototype.slice.call(document.querySelectorAll(".transcript [data-start]"));
    var starts = lines.map(function (el) { return parseFloat(el.getAttribute("data-start")); });
    var current = null;
    var follow = null;
    var transcript = document.querySelector(".transcript");
    if (transcript && lines.length) {
      var option = document.createElement("p");
      option.className = "follow";
      option.innerHTML = '<label><input type="checkbox" id="follow-along"> Scroll the transcript to follow the audio</label>';
      var heading = transcript.querySelector("h2");
      transcript.insertBefore(option, heading ? heading.nextSibling : transcript.firstChild);
      follow = option.querySelector("input");
    }

    function lineAt(time) {
      var low = 0, high = starts.length - 1, found = -1;
      while (low <= high) {
        var mid = (low + high) >> 1;
        if (starts[mid] <= time + 0.05) { found = mid; low = mid + 1; } else { high = mid - 1; }
      }
      return found >= 0 ? lines[found] : null;
    }

    function highlight() {
      var line = lineAt(audio.currentTime);
      if (line === current) { return; }
      if (current) { current.classList.remove("speaking"); }
      if (line) { line.classList.add("speaking"); }
      current = line;
      if (line && follow && follow.checked && !audio.paused) {
        line.scrollIntoView({ block: "center" });
      }
    }
    audio.addEventListener("timeupdate", highlight);
    audio.addEventListener("seeked", highlight);

    var fragment = /^#t=(\d+(?:\.\d+)?)$/.exec(window.location.hash);
    if (fragment) {
      var start = parseFloat(fragment[1]);
      if (audio.readyState >= 1) { seek(start, false); } else {
        audio.addEventListener("loadedmetadata", function () { seek(start, false); }, { once: true });
      }
    }
  }

  onReady(function () {
    enableCopyButtons();
    enablePlayer();
  });
}());
