// The dashboard's script: log in, then poll /stats (with its ETag) and /stats/history once a second.
/* global uPlot */
"use strict";
(() => {
  const TOKEN_KEY = "wikitally.token";
  const POLL_MS = 1000;
  const WINDOW_S = 600;
  const $ = (selector) => document.querySelector(selector);
  const number = new Intl.NumberFormat("en-US");
  const percent = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });
  const dark = window.matchMedia("(prefers-color-scheme: dark)");

  let token = sessionStorage.getItem(TOKEN_KEY);
  let etag = null;
  let timer = null;
  let plot = null;
  let lastSeries = null;

  class SessionExpired extends Error {}

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
    clearTimeout(timer);
    show(false, message);
  }

  async function api(path, headers = {}) {
    const response = await fetch(path, { headers: { Authorization: `Bearer ${token}`, ...headers }, cache: "no-store" });
    if (response.status === 401) throw new SessionExpired();
    return response;
  }

  $("#login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
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
      token = body.token;
      sessionStorage.setItem(TOKEN_KEY, token);
      event.target.reset();
      start();
    } catch (error) {
      $("#login-message").textContent = `cannot reach the service: ${error.message}`;
    }
  });

  $("#logout").addEventListener("click", () => logOut());

  function start() {
    show(true);
    poll();
  }

  async function poll() {
    try {
      await Promise.all([refreshTotals(), refreshHistory()]);
      $("#updated").textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      if (error instanceof SessionExpired) return logOut("Your session has expired; please log in again.");
      $("#updated").textContent = `Update failed: ${error.message}; retrying`;
    }
    if (token !== null) timer = setTimeout(poll, POLL_MS);
  }

  async function refreshTotals() {
    const response = await api("/stats", etag === null ? {} : { "If-None-Match": etag });
    if (response.status === 304) return;
    if (!response.ok) throw new Error(`/stats answered ${response.status}`);
    const stats = await response.json();
    etag = response.headers.get("ETag");
    for (const key of ["messages", "distinct_users", "bots", "non_bots"]) {
      document.querySelector(`[data-stat="${key}"]`).textContent = number.format(stats[key]);
    }
    const share = stats.messages > 0 ? stats.bots / stats.messages : 0;
    $("#bot-share").textContent = percent.format(share);
    $("#bot-meter").value = share;
    renderTopWikis(stats.by_server_url);
  }

  function renderTopWikis(byServer) {
    const top = Object.entries(byServer).sort((a, b) => b[1] - a[1]).slice(0, 10);
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
    drawChart(history);
  }

  const clockFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  const clock = (unixSeconds) => clockFormat.format(new Date(unixSeconds * 1000));

  function formatSeconds(s) {
    if (s < 120) return `${s.toFixed(1)} s`;
    if (s < 7200) return `${Math.round(s / 60)} min`;
    if (s < 172800) return `${Math.round(s / 3600)} h`;
    return `${Math.round(s / 86400)} days`;
  }

  function drawChart(history) {
    const n = history.events.length;
    const xs = history.events.map((_, i) => history.end - (n - 1 - i) * history.step_s);
    lastSeries = [xs, history.events];
    if (plot === null) plot = makePlot();
    plot.setData(lastSeries);
  }

  function makePlot() {
    const css = getComputedStyle(document.documentElement);
    const color = (name) => css.getPropertyValue(name).trim();
    const axis = { stroke: color("--muted"), grid: { stroke: color("--line"), width: 1 }, ticks: { stroke: color("--line"), width: 1 } };
    const box = $("#chart");
    return new uPlot({
      width: box.clientWidth,
      height: 240,
      // Always the whole window, so the axis reads in minutes from the first second on.
      scales: { x: { time: true, range: (_u, _min, max) => [max - WINDOW_S, max] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      // Clock times a minute or more apart on the time axis: the window is always 10 minutes wide.
      axes: [{ ...axis, space: 70, incrs: [60, 120, 300, 600], values: (_u, ticks) => ticks.map(clock) }, { ...axis, size: 60 }],
      series: [{}, { label: "events/s", stroke: color("--accent"), width: 2, fill: `${color("--accent")}22`, points: { show: false } }],
      legend: { show: true },
    }, lastSeries ?? [[], []], box);
  }

  // Follow the window's width and the system's light/dark setting.
  window.addEventListener("resize", () => plot?.setSize({ width: $("#chart").clientWidth, height: 240 }));
  dark.addEventListener("change", () => {
    plot?.destroy();
    plot = lastSeries === null ? null : makePlot();
  });

  if (token === null) show(false);
  else start();
})();
