// Export page: keep the "N excerpts match" line in step with the filters, and make the
// long checkbox lists (briefs, annotators) searchable.
//
// The page view answers a request with the HX-Request header with just the count partial,
// so this only serialises the form, asks, and swaps the paragraph in. The lists work as
// plain checkboxes without this script; it shows a filter box above each and says how
// many entries are shown and picked.

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

// Case and Unicode form do not matter when filtering (NFC/NFD Hangul, "Kim" vs "kim").
const fold = (text) => text.normalize("NFKC").toLocaleLowerCase();

function setUpPick(pick) {
  const box = pick.querySelector(".pick-filter");
  const input = pick.querySelector("[data-pick-filter]");
  const status = pick.querySelector("[data-pick-status]");
  const rows = [...pick.querySelectorAll(".pick-list label")].map((label) => ({
    row: label.parentElement,
    text: fold(label.textContent),
    box: label.querySelector("input"),
  }));
  if (!box || !input || !rows.length) return;
  box.hidden = false;

  const update = () => {
    const words = fold(input.value).split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const { row, text } of rows) {
      const match = words.every((word) => text.includes(word));
      row.hidden = !match;
      if (match) shown += 1;
    }
    const picked = rows.filter(({ box: checkbox }) => checkbox.checked).length;
    const parts = [];
    if (words.length) {
      parts.push(interpolate(ngettext("%(shown)s of %(total)s shown", "%(shown)s of %(total)s shown", rows.length),
        { shown, total: rows.length }, true));
    }
    if (picked) parts.push(interpolate(ngettext("%(count)s picked", "%(count)s picked", picked), { count: picked }, true));
    status.textContent = parts.join(" · ");
  };
  input.addEventListener("input", update);
  input.addEventListener("keydown", (event) => {
    // Enter would submit the form (a download); Escape clears the filter first.
    if (event.key === "Enter") event.preventDefault();
    if (event.key === "Escape" && input.value) {
      event.preventDefault();
      input.value = "";
      update();
    }
  });
  pick.addEventListener("change", update);
  update();
}

if (form) {
  document.querySelectorAll("[data-pick]").forEach(setUpPick);
}

if (form && countUrl) {
  const schedule = (event) => {
    if (event.target.matches?.("[data-pick-filter]")) return; // filtering a list picks nothing
    clearTimeout(timer);
    timer = setTimeout(refreshCount, 250);
  };
  form.addEventListener("change", schedule);
  form.addEventListener("input", schedule);
}
