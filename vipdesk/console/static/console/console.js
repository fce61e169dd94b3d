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
  // Ask before a redemption as before a return: the button says what is given for how many points.
  // Number fields: the tablet's numeric keypad (inputmode), and a tap selects what is there, so a
  // typed amount replaces a pre-filled one instead of being appended to it ("1280" → 12,801,280.00).
  document.querySelectorAll("input[type=number]:not([inputmode])").forEach(function (input) {
    var step = input.getAttribute("step") || "";
    input.setAttribute("inputmode", step && step !== "1" && step !== "any" ? "decimal" : (step === "any" ? "decimal" : "numeric"));
  });
  var justFocused = null;
  function isNumberField(el) {
    if (!el || el.tagName !== "INPUT") { return false; }
    var mode = el.getAttribute("inputmode");
    return el.type === "number" || mode === "decimal" || mode === "numeric";
  }
  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (!isNumberField(input) || input.type === "password") { return; }
    justFocused = input;
    try { input.select(); } catch (e) { /* type=number in some browsers: select() is refused */ }
  });
  document.addEventListener("mouseup", function (event) {
    // The click that focused the field would otherwise put the caret back and drop the selection.
    if (event.target === justFocused) { event.preventDefault(); }
    justFocused = null;
  });
  // Each terminal (browser) remembers how its members are identified: most give a mobile number.
  var BY_KEY = "vipdesk.till.member_by";
  document.querySelectorAll("select[name=member_by]").forEach(function (select) {
    var value = select.form && select.form.querySelector("[name=member_value]");
    var stored = null;
    try { stored = window.localStorage.getItem(BY_KEY); } catch (e) { stored = null; }
    var known = stored && Array.prototype.some.call(select.options, function (o) { return o.value === stored; });
    if (known && (!value || !String(value.value).trim()) && !select.closest(".has-error")) {
      select.value = stored;
    }
    select.addEventListener("change", function () {
      try { window.localStorage.setItem(BY_KEY, select.value); } catch (e) { /* private mode: not remembered */ }
    });
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
