/* vipdesk member centre: the live e-card code, the resend wait, the service worker. No framework, no CDN. */
(function () {
  "use strict";
  const body = document.body;
  if ("serviceWorker" in navigator && body.dataset.sw) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: "/m/" }).catch(function () {});
  }

  // The resend button waits its 60 s.
  document.querySelectorAll("button[data-wait]").forEach(function (button) {
    let left = parseInt(button.dataset.wait, 10) || 0;
    const label = button.textContent;
    if (!left) return;
    button.disabled = true;
    const tick = function () {
      if (left <= 0) { button.disabled = false; button.textContent = label; return; }
      button.textContent = label + " (" + left + ")";
      left -= 1;
      window.setTimeout(tick, 1000);
    };
    tick();
  });

  // The e-card: fetch a fresh code every 60 s (and when the page comes back); offline, hide the stale one.
  // The server answers the code box as an HTML fragment (/m/card/?fragment=1): its content replaces ours.
  const box = document.getElementById("ecard-code");
  if (box) {
    const url = box.dataset.url;
    const show = function (html) {
      const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("ecard-code");
      if (!fresh) throw new Error("no code in the answer");
      box.innerHTML = fresh.innerHTML;
      box.dataset.code = fresh.dataset.code;
      box.dataset.left = fresh.dataset.left;
      box.classList.remove("offline");
    };
    const refresh = function () {
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "text/html" } })
        .then(function (r) { if (r.status === 401 || r.redirected) { window.location.reload(); } if (!r.ok) throw new Error(r.status); return r.text(); })
        .then(show)
        .catch(function () { box.classList.add("offline"); });
    };
    if (!navigator.onLine) box.classList.add("offline");
    window.addEventListener("offline", function () { box.classList.add("offline"); });
    window.addEventListener("online", refresh);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
    const period = (parseInt(box.dataset.period, 10) || 60) * 1000;
    const first = Math.max(1000, (parseInt(box.dataset.left, 10) || 60) * 1000);
    window.setTimeout(function () { refresh(); window.setInterval(refresh, period); }, first);
  }
})();
