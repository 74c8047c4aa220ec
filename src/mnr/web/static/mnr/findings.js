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
