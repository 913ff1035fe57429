// Tag colours: the CSP forbids style="" attributes, so templates carry a tag's colour as
// data-hl="#rrggbb" and this sets it as the --hl custom property through the CSSOM, which
// the policy allows. It watches the page, so htmx swaps and the reader's own inserts
// (cards, re-rendered sections) are painted too.
const paint = (el) => el.style.setProperty("--hl", el.dataset.hl);

const paintAll = (root) => {
  if (root.dataset?.hl) paint(root);
  for (const el of root.querySelectorAll?.("[data-hl]") ?? []) paint(el);
};

paintAll(document.documentElement);
new MutationObserver((records) => {
  for (const record of records) {
    if (record.type === "attributes") paintAll(record.target);
    else for (const node of record.addedNodes) if (node.nodeType === Node.ELEMENT_NODE) paintAll(node);
  }
}).observe(document.documentElement, {
  subtree: true,
  childList: true,
  attributes: true,
  attributeFilter: ["data-hl"],
});
