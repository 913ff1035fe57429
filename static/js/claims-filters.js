// The claims filters' long checkbox lists (briefs, tags, annotators…) get a box that narrows
// the list to the entries containing what is typed. Without a script the lists work as they
// are; picked entries always stay in view, so the box never hides a filter in use.
"use strict";

(() => {
  const MIN_ENTRIES = 8; // shorter lists are read at a glance
  let serial = 0;
  for (const list of document.querySelectorAll(".claims-pick-list")) {
    const entries = [...list.querySelectorAll("label")];
    if (entries.length < MIN_ENTRIES) continue;
    serial += 1;
    const id = `claims-pick-filter-${serial}`;
    const legend = list.closest("fieldset")?.querySelector("legend")?.textContent.trim() ?? "";
    const box = document.createElement("p");
    box.className = "claims-pick-filter";
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = interpolate(gettext("Find in %(list)s"), { list: legend }, true);
    const input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.setAttribute("aria-controls", list.id || (list.id = `${id}-list`));
    box.append(label, input);
    list.before(box);
    const texts = entries.map((entry) => entry.textContent.toLocaleLowerCase());
    // Group headings (a tag list's categories) are hidden when none of their tags is shown.
    const headings = [...list.querySelectorAll(".claims-pick-group")];
    input.addEventListener("input", () => {
      const needle = input.value.trim().toLocaleLowerCase();
      entries.forEach((entry, i) => {
        entry.hidden = Boolean(needle) && !texts[i].includes(needle) && !entry.querySelector("input").checked;
      });
      for (const heading of headings) {
        let next = heading.nextElementSibling;
        let shown = false;
        while (next && !next.classList.contains("claims-pick-group")) {
          if (next.tagName === "LABEL" && !next.hidden) shown = true;
          next = next.nextElementSibling;
        }
        heading.hidden = !shown;
      }
    });
    // Enter in the box would submit the whole form: it only narrows the list.
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
  }
})();
