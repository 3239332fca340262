// The dashboard's script: log in, then poll /stats (with its ETag) and /stats/history once a second.
/* global eventsChart */
"use strict";
(() => {
  const TOKEN_KEY = "wikitally.token";
  const POLL_MS = 1000;
  // Every selector names an element of index.html.
  const $ = (/** @type {string} */ selector) => /** @type {HTMLElement} */ (document.querySelector(selector));
  const number = new Intl.NumberFormat("en-US");
  const percent = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });
  const chart = eventsChart($("#chart"));

  let token = sessionStorage.getItem(TOKEN_KEY);
  /** @type {string | null} */
  let etag = null;
  /** @type {number | null} */
  let timer = null;

  class SessionExpired extends Error {}

  /** @param {boolean} loggedIn */
  function show(loggedIn, message = "") {
    $("#login-view").hidden = loggedIn;
    $("#dashboard-view").hidden = !loggedIn;
    $("#logout").hidden = !loggedIn;
    $("#login-message").textContent = message;
    if (!loggedIn) $("#username").focus();
  }

  function logOut(message = "") {
    token = null;
    etag = null;
    sessionStorage.removeItem(TOKEN_KEY);
    clearTimeout(/** @type {number | undefined} */ (timer));
    show(false, message);
  }

  /**
   * @param {string} path
   * @param {Record<string, string>} [headers]
   */
  async function api(path, headers = {}) {
    const response = await fetch(path, { headers: { Authorization: `Bearer ${token}`, ...headers }, cache: "no-store" });
    if (response.status === 401) throw new SessionExpired();
    return response;
  }

  $("#login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(/** @type {HTMLFormElement} */ (event.target));
    $("#login-message").textContent = "";
    try {
      const response = await fetch("/login", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: form.get("username"), password: form.get("password") }),
      });
      const body = await response.json();
      if (!response.ok) {
        $("#login-message").textContent = body.message ?? `login failed (${response.status})`;
        return;
      }
      token = /** @type {string} */ (body.token);
      sessionStorage.setItem(TOKEN_KEY, token);
      /** @type {HTMLFormElement} */ (event.target).reset();
      start();
    } catch (error) {
      $("#login-message").textContent = `cannot reach the service: ${/** @type {Error} */ (error).message}`;
    }
  });

  $("#logout").addEventListener("click", () => logOut());

  function start() {
    show(true);
    poll();
  }

  async function poll() {
    const started = performance.now();
    try {
      await Promise.all([refreshTotals(), refreshHistory()]);
      $("#updated").textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      if (error instanceof SessionExpired) return logOut("Your session has expired; please log in again.");
      $("#updated").textContent = `Update failed: ${/** @type {Error} */ (error).message}; retrying`;
    }
    // One refresh a second, however long the requests took (they run in parallel, never overlapping).
    if (token !== null) timer = setTimeout(poll, Math.max(0, POLL_MS - (performance.now() - started)));
  }

  async function refreshTotals() {
    const response = await api("/stats", etag === null ? {} : { "If-None-Match": etag });
    if (response.status === 304) return;
    if (!response.ok) throw new Error(`/stats answered ${response.status}`);
    const stats = await response.json();
    etag = response.headers.get("ETag");
    for (const key of ["messages", "distinct_users", "bots", "non_bots"]) {
      /** @type {HTMLElement} */ (document.querySelector(`[data-stat="${key}"]`)).textContent = number.format(stats[key]);
    }
    const share = stats.messages > 0 ? stats.bots / stats.messages : 0;
    $("#bot-share").textContent = percent.format(share);
    /** @type {HTMLMeterElement} */ ($("#bot-meter")).value = share;
    renderTopWikis(stats.by_server_url);
  }

  /** @param {Record<string, number>} byServer */
  function renderTopWikis(byServer) {
    const top = Object.entries(byServer)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10);
    // textContent only: server URLs come from the stream and are never parsed as HTML.
    const items = top.map(([url, count]) => {
      const li = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = url.replace(/^https?:\/\//, "");
      const n = document.createElement("span");
      n.className = "count";
      n.textContent = number.format(count);
      li.append(name, n);
      return li;
    });
    $("#top-wikis").replaceChildren(...items);
  }

  async function refreshHistory() {
    const response = await api("/stats/history");
    if (!response.ok) throw new Error(`/stats/history answered ${response.status}`);
    const history = await response.json();
    const { state, lag_s: lag } = history.stream;
    $("#stream-state").textContent = state;
    $("#stream-dot").className = `dot ${state === "streaming" ? "ok" : state === "waiting" ? "bad" : "warn"}`;
    $("#stream-lag").textContent = lag === undefined ? "–" : formatSeconds(lag);
    $("#store-state").textContent = `${history.store.kind}: ${history.store.ready ? "ready" : "not ready"}`;
    $("#store-dot").className = `dot ${history.store.ready ? "ok" : "bad"}`;
    $("#store-pending").textContent = number.format(history.store.pending_events);
    chart.draw(history);
  }

  /** @param {number} s */
  function formatSeconds(s) {
    if (s < 120) return `${s.toFixed(1)} s`;
    if (s < 7200) return `${Math.round(s / 60)} min`;
    if (s < 172800) return `${Math.round(s / 3600)} h`;
    return `${Math.round(s / 86400)} days`;
  }

  if (token === null) show(false);
  else start();
})();
