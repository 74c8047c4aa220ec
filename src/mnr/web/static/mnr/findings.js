// Findings explorer: the capability list follows the domain chosen, before the form is sent.
// Without this script the form works the same: the page sent back lists the chosen domain's
// capabilities only.
const domain = document.getElementById("explorer-domain");
const capability = document.getElementById("explorer-capability");
const source = document.getElementById("explorer-capabilities");

if (domain && capability && source) {
  const all = JSON.parse(source.textContent);
  const every = capability.options[0].cloneNode(true);
  domain.addEventListener("change", () => {
    const chosen = capability.value;
    capability.replaceChildren(every.cloneNode(true));
    for (const area of all) {
      if (domain.value && area.domain !== domain.value) continue;
      const option = new Option(area.label, area.code, false, area.code === chosen);
      option.dataset.domain = area.domain;
      capability.add(option);
    }
  });
}

// The robustness panel's bars: where each starts and how wide it is comes in data attributes,
// since the Content-Security-Policy refuses style attributes (setting the style from a script is
// allowed). The figures they draw are written beside them.
for (const bar of document.querySelectorAll("[data-bar-start], [data-bar-width]")) {
  if (bar.dataset.barStart) bar.style.insetInlineStart = bar.dataset.barStart;
  if (bar.dataset.barWidth) bar.style.width = bar.dataset.barWidth;
}
