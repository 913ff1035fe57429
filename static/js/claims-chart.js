// The claims charts: Vega-Lite specs built from the payload the page embeds (the JSON the API
// returns), drawn by vega-embed under the site's strict CSP. That means: expressions parsed to
// an AST and run by vega-interpreter (no new Function, so no 'unsafe-eval'); no stylesheet
// injected by vega-embed or its tooltip (claims.css has their rules); no actions menu (the
// page has its own buttons for PNG and SVG, and server links for CSV and XLSX). The table under
// the chart holds the same numbers, so the chart is an addition, and the page works without it.
"use strict";

(() => {
  const LIMIT = 60; // rows or columns a heat map draws; the table below has them all
  const container = document.getElementById("claims-chart");
  const data = document.getElementById("claims-data");
  if (!container || !data) return;
  const payload = JSON.parse(data.textContent);
  // gettext and interpolate: Django's JavaScript catalog (base.html loads it before this).
  const fmt = (text, values) => interpolate(text, values, true);

  // The page's colours (app.css custom properties), so the chart follows the light/dark scheme.
  const css = getComputedStyle(document.documentElement);
  const colour = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const ink = colour("--ink", "#1d1f23");
  const muted = colour("--muted", "#5d6470");
  const line = colour("--line", "#dfe3e8");
  const config = {
    background: null,
    font: css.getPropertyValue("--font-ko").trim() || "sans-serif",
    axis: { labelColor: ink, titleColor: ink, domainColor: muted, tickColor: muted, gridColor: line, labelFontSize: 12, titleFontSize: 12 },
    legend: { labelColor: ink, titleColor: ink, labelFontSize: 12, titleFontSize: 12, labelLimit: 220 },
    view: { stroke: null },
    // Each mark would otherwise be an ARIA element of its own: the table is the accessible
    // form of the numbers, the chart one image described by its caption.
    mark: { aria: false },
    axisX: { aria: false },
    axisY: { aria: false },
    legendColor: { aria: false },
  };

  // Labels can repeat (two briefs with one title); the chart's axes need them distinct.
  const distinctLabels = (keys) => {
    const seen = new Map();
    for (const k of keys) seen.set(k.label, (seen.get(k.label) || 0) + 1);
    return new Map(keys.map((k) => [k.key, seen.get(k.label) > 1 ? `${k.label} (${k.key})` : k.label]));
  };

  const percent = (share) => `${Math.round(share * 100)}%`;

  function heatmap({ rowKeys, columnKeys, cells, rowTitle, columnTitle, measure, description }) {
    const rows = rowKeys.slice(0, LIMIT);
    const columns = columnKeys.slice(0, LIMIT);
    const rowLabels = distinctLabels(rows);
    const columnLabels = distinctLabels(columns);
    const values = cells
      .filter((c) => rowLabels.has(c.row) && columnLabels.has(c.column))
      .map((c) => ({
        row: rowLabels.get(c.row),
        column: columnLabels.get(c.column),
        value: measure === "share" ? c.share : c.count,
        count: c.count,
        display: measure === "share" ? percent(c.share) : String(c.count),
        diagonal: c.row === c.column,
        url: c.url,
      }));
    const peak = Math.max(0, ...values.filter((v) => !v.diagonal).map((v) => v.value));
    const valueTitle = measure === "share" ? gettext("Share of the row") : gettext("Claims");
    const tooltip = [
      { field: "row", title: rowTitle },
      { field: "column", title: columnTitle },
      { field: "count", title: gettext("Claims") },
    ];
    if (measure === "share") tooltip.push({ field: "display", title: gettext("Share of the row") });
    return {
      clipped: rowKeys.length > LIMIT || columnKeys.length > LIMIT,
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v5.json",
        description,
        data: { values },
        width: { step: 44 },
        height: { step: 30 },
        encoding: {
          x: {
            field: "column", type: "nominal", sort: [...columnLabels.values()], title: columnTitle,
            axis: { orient: "top", labelAngle: -40, labelLimit: 160, labelAlign: "left" },
          },
          y: { field: "row", type: "nominal", sort: [...rowLabels.values()], title: rowTitle, axis: { labelLimit: 240 } },
          tooltip,
        },
        layer: [
          {
            mark: { type: "rect", cursor: "pointer", stroke: line, strokeWidth: 1 },
            encoding: {
              color: {
                condition: { test: "datum.diagonal", value: colour("--surface-sunken", "#f4f6f9") },
                field: "value", type: "quantitative", title: valueTitle,
                scale: { scheme: "blues", domainMin: 0, ...(peak ? { domainMax: peak } : {}) },
                legend: { format: measure === "share" ? ".0%" : "d" },
              },
            },
          },
          {
            mark: { type: "text", fontSize: 12, cursor: "pointer" },
            encoding: {
              text: { field: "display" },
              // Light text on the dark end of the scale, dark text elsewhere; the diagonal is
              // drawn in the page's own surface colour, so its text takes the page's ink.
              color: {
                condition: [
                  { test: "datum.diagonal", value: ink },
                  { test: `datum.value > ${peak * 0.55}`, value: "#ffffff" },
                ],
                value: "#1d1f23",
              },
            },
          },
        ],
      },
    };
  }

  function matrixChart() {
    const measure = container.dataset.measure === "share" ? "share" : "count";
    return heatmap({
      rowKeys: payload.row_keys,
      columnKeys: payload.column_keys,
      cells: payload.cells,
      rowTitle: payload.rows.label,
      columnTitle: payload.columns.label,
      measure,
      description: fmt(gettext("Heat map of claims by %(rows)s and %(columns)s"), { rows: payload.rows.label, columns: payload.columns.label }),
    });
  }

  function cooccurrenceChart() {
    return heatmap({
      rowKeys: payload.tags,
      columnKeys: payload.tags,
      cells: payload.cells,
      rowTitle: gettext("Tag"),
      columnTitle: gettext("Tag"),
      measure: "count",
      description: gettext("Heat map of tags applied together"),
    });
  }

  const BUCKET_DAYS = { brief: 31, month: 31, quarter: 92, year: 366 };

  function timelineChart() {
    const labels = new Map(payload.series.map((s) => [s.key, s.label]));
    const points = payload.points.map((p) => {
      const titles = p.briefs.map((b) => b.title);
      const more = (p.brief_count || titles.length) - titles.length;
      if (more > 0) titles.push(fmt(gettext("and %(count)s more"), { count: more }));
      return { period: p.period, period_label: p.period_label, series: labels.get(p.series) || p.series, count: p.count, briefs: titles.join("; "), url: p.url };
    });
    // Events within the plotted span (one bucket either side), so a far one does not squash it.
    const days = points.map((p) => Date.parse(p.period));
    const span = BUCKET_DAYS[container.dataset.bucket] * 86400000 || 0;
    const from = Math.min(...days) - span;
    const to = Math.max(...days) + span;
    const events = (payload.events || [])
      .filter((e) => Date.parse(e.date) >= from && Date.parse(e.date) <= to)
      // Labels on staggered lines: the summits of 2018-2019 are weeks apart.
      .map((e, i) => ({ date: e.date, label: e.label, y: 2 + (i % 4) * 14 }));
    // One tick per year (or per some months), each labelled once: Vega's own ticks fall
    // between periods, and its default labels are English month names.
    const months = Math.max(1, (to - from) / (30.4 * 86400000));
    const timeAxis =
      container.dataset.bucket === "year"
        ? { format: "%Y", tickCount: { interval: "year", step: Math.max(1, Math.ceil(months / 12 / 12)) }, labelOverlap: true }
        : { format: "%Y-%m", tickCount: { interval: "month", step: Math.max(1, Math.ceil(months / 12)) }, labelOverlap: true };
    // Counts are whole numbers: small ones get a tick per number, not 0.5 steps rounded twice.
    const peak = Math.max(1, ...points.map((p) => p.count));
    const countAxis = peak <= 10 ? { values: [...Array(peak + 1).keys()], format: "d" } : { format: "d" };
    const domain = payload.series.map((s) => s.label);
    const colours = payload.series.map((s) => s.colour);
    const colourScale = colours.every(Boolean) ? { domain, range: colours } : { domain, scheme: "tableau10" };
    const layers = [
      {
        data: { values: points },
        mark: { type: "line", point: { filled: true, size: 60, cursor: "pointer" }, strokeWidth: 2 },
        encoding: {
          x: { field: "period", type: "temporal", title: gettext("Publication date"), axis: timeAxis },
          y: { field: "count", type: "quantitative", title: gettext("Claims"), axis: countAxis },
          color: { field: "series", type: "nominal", title: payload.series_label, scale: colourScale },
          tooltip: [
            { field: "period_label", title: gettext("Period") },
            { field: "series", title: payload.series_label },
            { field: "count", title: gettext("Claims") },
            { field: "briefs", title: gettext("Briefs") },
          ],
        },
      },
    ];
    if (events.length) {
      layers.push(
        {
          data: { values: events },
          mark: { type: "rule", strokeDash: [4, 3], color: muted },
          encoding: { x: { field: "date", type: "temporal" }, tooltip: [{ field: "label", title: gettext("Event") }, { field: "date", type: "temporal", title: gettext("Date"), format: "%Y-%m-%d" }] },
        },
        {
          data: { values: events },
          mark: { type: "text", align: "left", baseline: "top", dx: 3, dy: 2, angle: 0, fontSize: 11, color: ink, limit: 120 },
          encoding: { x: { field: "date", type: "temporal" }, y: { field: "y", type: "quantitative", scale: null }, text: { field: "label" } },
        },
      );
    }
    return {
      clipped: false,
      spec: {
        $schema: "https://vega.github.io/schema/vega-lite/v5.json",
        description: fmt(gettext("Claims per %(series)s over time"), { series: payload.series_label }),
        width: "container",
        height: 320,
        layer: layers,
      },
    };
  }

  const build = { matrix: matrixChart, cooccurrence: cooccurrenceChart, timeline: timelineChart }[payload.kind];
  if (!build) return;
  const { spec, clipped } = build();
  const note = document.querySelector("[data-chart-note]");
  if (clipped && note) {
    note.textContent = fmt(gettext("The chart shows the first %(count)s rows and columns; the table below has them all."), { count: LIMIT });
    note.hidden = false;
  }

  vegaEmbed(container, spec, {
    renderer: "svg",
    actions: false,
    ast: true,
    expr: vega.expressionInterpreter,
    defaultStyle: false,
    config,
    tooltip: { disableDefaultStyle: true, theme: matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light" },
  })
    .then(({ view }) => {
      // A mark stands for a count: clicking it opens the annotations behind it, as the same
      // count's link in the table does.
      view.addEventListener("click", (event, item) => {
        const url = item?.datum?.url;
        if (url && url.startsWith("/")) window.location.assign(url);
      });
      const stem = container.dataset.filename || `claims-${payload.kind}`;
      for (const button of document.querySelectorAll("[data-chart-download]")) {
        const format = button.dataset.chartDownload;
        button.addEventListener("click", async () => {
          // PNG at twice the size, for print and slides; SVG as drawn.
          const url = await view.toImageURL(format, format === "png" ? 2 : 1);
          const link = document.createElement("a");
          link.href = url;
          link.download = `${stem}.${format}`;
          document.body.append(link);
          link.click();
          link.remove();
        });
        button.hidden = false;
      }
      container.dataset.chartReady = "true";
    })
    .catch((error) => {
      container.textContent = gettext("The chart could not be drawn; the table below has the numbers.");
      container.dataset.chartReady = "failed";
      console.error(error);
    });
})();
