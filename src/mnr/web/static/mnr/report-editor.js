// The report editor: when a headline row changes, ask the server for the page as the form now
// stands (the same request as the "Preview the sentences" button, which saves nothing) and show
// each row's sentence from it. Without this script, the button does the same.
const form = document.querySelector(".report-editor form");
let pending = null;

async function refreshPreviews() {
  const data = new FormData(form);
  data.set("preview", "1");
  const response = await fetch(form.action, { method: "POST", body: data, credentials: "same-origin" });
  if (!response.ok) return;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.querySelectorAll(".headline-row .preview-text");
  form.querySelectorAll(".headline-row .preview-text").forEach((shown, index) => {
    if (fresh[index]) shown.textContent = fresh[index].textContent;
  });
}

if (form) {
  form.addEventListener("change", (event) => {
    if (!event.target.closest(".headline-row")) return;
    clearTimeout(pending);
    pending = setTimeout(refreshPreviews, 250);
  });
  form.addEventListener("input", (event) => {
    if (!event.target.closest(".headline-row")) return;
    clearTimeout(pending);
    pending = setTimeout(refreshPreviews, 600);
  });
}
