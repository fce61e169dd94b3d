/* vipdesk console, loyalty screens: show only the inputs the chosen kind uses.
   Without JavaScript every input stays visible and the services ignore the ones a kind does not use. */
(function () {
  "use strict";
  // Earn rules and points policy: inputs carry data-kinds="base tier …"; the kind select is [data-kind-select].
  function syncKinds(form) {
    var select = form.querySelector("[data-kind-select]");
    if (!select) { return; }
    form.querySelectorAll("[data-kinds]").forEach(function (input) {
      var field = input.closest(".field") || input;
      field.hidden = input.getAttribute("data-kinds").split(" ").indexOf(select.value) < 0;
    });
  }
  // Tier rules: each row's amount / months / visits cells by condition kind.
  var USES = {
    first_purchase_amount: ["amount"], single_purchase_amount: ["amount", "months"],
    rolling_window_spend: ["amount", "months"], calendar_quarter_spend: ["amount"],
    calendar_year_spend: ["amount"], visits: ["months", "count"], manual_approval: []
  };
  function syncRow(row) {
    var kind = row.querySelector("[data-cell=kind] select").value;
    ["amount", "months", "count"].forEach(function (key) {
      var cell = row.querySelector("[data-cell=" + key + "]");
      var used = !kind || (USES[kind] || []).indexOf(key) >= 0;
      cell.classList.toggle("cell-unused", !used);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".kind-form").forEach(syncKinds);
    document.querySelectorAll("[data-rule-row]").forEach(syncRow);
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.hasAttribute("data-kind-select")) { syncKinds(target.form); }
    var row = target.closest && target.closest("[data-rule-row]");
    if (row) { syncRow(row); }
  });
})();
