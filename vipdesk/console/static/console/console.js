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
  // The main menu: one group open at a time; Escape or a click elsewhere closes it.
  var menu = document.getElementById("mainnav");
  if (menu) {
    var groups = menu.querySelectorAll("details");
    var closeAll = function (except) {
      groups.forEach(function (group) { if (group !== except) { group.open = false; } });
    };
    groups.forEach(function (group) {
      group.addEventListener("toggle", function () { if (group.open) { closeAll(group); } });
    });
    document.addEventListener("click", function (event) { if (!menu.contains(event.target)) { closeAll(null); } });
    menu.addEventListener("keydown", function (event) {
      var open = event.key === "Escape" && menu.querySelector("details[open]");
      if (open) { open.open = false; open.querySelector("summary").focus(); }
    });
  }
})();
