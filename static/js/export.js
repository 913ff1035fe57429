// Export page: keep the "N excerpts match" line in step with the filters.
//
// The page view answers a request with the HX-Request header with just the count partial,
// so this only serialises the form, asks, and swaps the paragraph in.

const form = document.getElementById("export-form");
const countUrl = form?.dataset.countUrl || "";
let timer = 0;
let controller = null;

async function refreshCount() {
  controller?.abort();
  controller = new AbortController();
  const params = new URLSearchParams(new FormData(form));
  try {
    const response = await fetch(`${countUrl}?${params}`, {
      headers: { "HX-Request": "true" },
      signal: controller.signal,
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const current = document.getElementById("export-count");
    const template = document.createElement("template");
    template.innerHTML = (await response.text()).trim();
    const fresh = template.content.getElementById("export-count");
    if (current && fresh) current.replaceWith(fresh);
  } catch (error) {
    if (error.name !== "AbortError") throw error;
  }
}

if (form && countUrl) {
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(refreshCount, 250);
  };
  form.addEventListener("change", schedule);
  form.addEventListener("input", schedule);
}
