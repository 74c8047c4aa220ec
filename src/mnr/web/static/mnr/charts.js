// Draws every chart of the page: an element with data-chart-spec names the json_script element
// holding its Vega-Lite spec. Loaded after the vega-embed bundle (vendor/vega-embed.js).
//
// The Content-Security-Policy allows no 'unsafe-eval', so Vega must not compile its expressions
// with `new Function`: `ast: true` makes vega-embed parse them to syntax trees and evaluate those
// with the interpreter it bundles. It must not inject <style> elements either (they carry no
// nonce): vega-embed's own style (for the actions menu, which is off) is left out, and the
// tooltip's is in charts.css.
for (const chart of document.querySelectorAll("[data-chart-spec]")) {
  const source = document.getElementById(chart.dataset.chartSpec);
  if (!source) continue;
  window.vegaEmbed(chart, JSON.parse(source.textContent), {
    actions: false,
    renderer: "svg",
    ast: true,
    defaultStyle: false,
    tooltip: { disableDefaultStyle: true },
  });
}
