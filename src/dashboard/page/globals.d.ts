// What the page's classic scripts share through window: chart.js defines eventsChart, dashboard.js calls it.
// uplot's own types describe the uPlot global that /dashboard/uplot.js (its IIFE build) defines.

/** A /stats/history answer, as far as the chart reads it. */
interface EventsHistory {
  end: number;
  step_s: number;
  events: number[];
}

interface EventsChart {
  draw(history: EventsHistory): void;
}

interface Window {
  eventsChart: (box: HTMLElement) => EventsChart;
}

declare var eventsChart: Window["eventsChart"];
