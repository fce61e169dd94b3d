/* vipdesk console: the little behaviour plain HTML cannot give. */
(function () {
  "use strict";
  // Ask before moves that cannot be undone (the submit button or the form carries data-confirm).
  document.addEventListener("submit", function (event) {
    var source = event.submitter && event.submitter.hasAttribute("data-confirm") ? event.submitter : event.target;
    var text = source.getAttribute && source.getAttribute("data-confirm");
    if (text && !window.confirm(text)) {
      event.preventDefault();
    }
  });
  // Opening the reveal box puts the cursor in the reason field.
  document.addEventListener("toggle", function (event) {
    var box = event.target;
    if (box.classList && box.classList.contains("reveal") && box.open) {
      var input = box.querySelector("input[type=text]");
      if (input) { input.focus(); }
    }
  }, true);
  // The main menu's groups and the user menu (details.dropdown): one open at a time; Escape or a
  // click elsewhere closes them.
  var drops = document.querySelectorAll("details.dropdown");
  var closeAll = function (except) {
    drops.forEach(function (drop) { if (drop !== except) { drop.open = false; } });
  };
  drops.forEach(function (drop) {
    drop.addEventListener("toggle", function () { if (drop.open) { closeAll(drop); } });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("details.dropdown")) { closeAll(null); }
  });
  document.addEventListener("keydown", function (event) {
    var open = event.key === "Escape" && document.querySelector("details.dropdown[open]");
    if (open) { open.open = false; open.querySelector("summary").focus(); }
  });
})();
