/* vipdesk till, stored value: what a top-up will give (the bonus step reached, the balances after,
   the limit) and what a refund forfeits, while the cashier types. Money in fen (integers); the
   service computes and checks everything again. Plain JS, no framework, no CDN. */
(function () {
  "use strict";
  function toFen(text) {
    var s = String(text || "").trim().replace(/[,，¥￥\s]/g, "");
    if (!/^\d+(\.\d{0,2})?$/.test(s)) { return null; }
    var parts = s.split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }
  function show(fen) {
    var yuan = Math.floor(fen / 100), cents = String(fen % 100);
    return "¥" + String(yuan).replace(/\B(?=(\d{3})+(?!\d))/g, ",") + "." + (cents.length < 2 ? "0" + cents : cents);
  }

  // "{name}" placeholders of a translated sentence (the words and their order come from the catalogue)
  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  var topup = document.querySelector("[data-wallet-topup]");
  if (topup) {
    var input = topup.querySelector("[data-role='topup-amount']");
    var out = document.getElementById("topup-preview");
    var steps = Array.prototype.map.call(document.querySelectorAll("#bonus-steps [data-step]"), function (row) {
      return { row: row, threshold: toFen(row.dataset.threshold), bonus: toFen(row.dataset.bonus), name: row.dataset.name };
    });
    var update = function () {
      var amount = toFen(input.value);
      steps.forEach(function (s) { s.row.classList.remove("row-reached"); });
      if (amount === null || amount <= 0) { out.textContent = ""; return; }
      var reached = null;
      steps.forEach(function (s) { if (s.threshold <= amount && (!reached || s.threshold >= reached.threshold)) { reached = s; } });
      var bonus = reached ? reached.bonus : 0;
      var principal = toFen(topup.dataset.principal) + amount, total = principal + toFen(topup.dataset.bonus) + bonus;
      var text = reached ? fill(out.dataset.reached, { rule: reached.name, bonus: show(bonus) }) : out.dataset.none;
      if (reached) { reached.row.classList.add("row-reached"); }
      text += " " + fill(out.dataset.after, { principal: show(principal), balance: show(total) });
      var room = toFen(topup.dataset.room), over = amount + (topup.dataset.includesBonus === "1" ? bonus : 0) > room;
      out.classList.toggle("bad-text", over);
      if (over) { text += " " + fill(out.dataset.over, { room: show(room) }); }
      out.textContent = text;
    };
    input.addEventListener("input", update);
    update();
  }

  var refund = document.querySelector("[data-wallet-refund]");
  if (refund) {
    var amountInput = refund.querySelector("[data-role='refund-amount']");
    var preview = document.getElementById("refund-preview");
    var principal = toFen(refund.dataset.principal), bonus = toFen(refund.dataset.bonus);
    var recalc = function () {
      var text = String(amountInput.value).trim();
      var amount = text ? toFen(text) : principal;
      if (amount === null || amount <= 0 || amount > principal || principal <= 0) { preview.textContent = ""; return; }
      // the service's rule: all the principal forfeits all the bonus; otherwise in proportion, rounded half up
      var forfeit = amount === principal ? bonus : Math.min(Math.round(bonus * amount / principal), bonus);
      preview.textContent = fill(preview.dataset.text, { amount: show(amount), forfeit: show(forfeit) });
    };
    amountInput.addEventListener("input", recalc);
    recalc();
  }
})();
