// The events-per-second chart (uPlot) over a fixed 10-minute window; follows the box's width and light/dark mode.
/* global uPlot */
"use strict";
window.eventsChart = (box) => {
  const WINDOW_S = 600;
  const HEIGHT = 240;
  const clockFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  const clock = (/** @type {number} */ unixSeconds) => clockFormat.format(new Date(unixSeconds * 1000));
  /** @type {uPlot | null} */
  let plot = null;
  /** @type {uPlot.AlignedData | null} */
  let series = null;

  function make() {
    const css = getComputedStyle(document.documentElement);
    const color = (/** @type {string} */ name) => css.getPropertyValue(name).trim();
    const axis = { stroke: color("--muted"), grid: { stroke: color("--line"), width: 1 }, ticks: { stroke: color("--line"), width: 1 } };
    return new uPlot(
      {
        width: box.clientWidth,
        height: HEIGHT,
        // Always the whole window, so the time axis reads in clock minutes from the first second on.
        scales: {
          x: { time: true, range: (_u, _min, max) => [max - WINDOW_S, max] },
          y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
        },
        axes: [
          { ...axis, space: 70, incrs: [60, 120, 300, 600], values: (_u, ticks) => ticks.map(clock) },
          { ...axis, size: 60 },
        ],
        series: [{}, { label: "events/s", stroke: color("--accent"), width: 2, fill: `${color("--accent")}22`, points: { show: false } }],
        legend: { show: true },
      },
      /** @type {uPlot.AlignedData} */ (series),
      box,
    );
  }

  window.addEventListener("resize", () => plot?.setSize({ width: box.clientWidth, height: HEIGHT }));
  // uPlot draws on a canvas with the colours it was given: a new scheme needs a new plot.
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
    plot?.destroy();
    plot = series === null ? null : make();
  });

  return {
    /** Draws a /stats/history answer. */
    draw(history) {
      const n = history.events.length;
      series = [history.events.map((_, i) => history.end - (n - 1 - i) * history.step_s), history.events];
      if (plot === null) plot = make();
      else plot.setData(series);
    },
  };
};
