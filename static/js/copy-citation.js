// The annotation card's "Copy citation" button: copies the excerpt's citation (the one the
// exports print) to the clipboard, and says whether it worked.
//
// The card is fetched into the reader after this script ran, so one listener on the
// document handles every card. The asynchronous Clipboard API needs a secure context and
// the page's permission; where it is missing or refused, the citation is put in a
// read-only field inside the card and selected, copied with execCommand where the browser
// still allows it, or left selected for Ctrl+C.

function fallbackField(button, text) {
  const card = button.closest(".annotation-card") || button.parentElement;
  let field = card.querySelector("[data-citation-field]");
  if (!field) {
    field = document.createElement("textarea");
    field.className = "card-citation-field";
    field.readOnly = true;
    field.rows = 3;
    field.dataset.citationField = "";
    field.setAttribute("aria-label", gettext("Citation"));
    button.closest("footer")?.after(field) ?? card.append(field);
  }
  field.value = text;
  field.focus();
  field.select();
  return field;
}

async function copyCitation(button) {
  const text = button.dataset.citation || "";
  const status = button.parentElement.querySelector("[data-copy-status]");
  const say = (message) => {
    if (status) status.textContent = message;
  };
  if (!text) return;
  if (navigator.clipboard?.writeText && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      say(gettext("Citation copied."));
      return;
    } catch {
      // Refused (permission, focus): fall through to the field.
    }
  }
  fallbackField(button, text);
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch {
    copied = false;
  }
  say(copied ? gettext("Citation copied.") : gettext("The citation is selected: press Ctrl+C (⌘C on a Mac) to copy it."));
}

document.addEventListener("click", (event) => {
  if (!(event.target instanceof Element)) return;
  const button = event.target.closest("[data-action='copy-citation']");
  if (button) copyCitation(button);
});
