// API tokens page: a copy button next to a new token (shown once, so copying it matters).
// The button stays hidden without JavaScript; where the Clipboard API is refused (a page
// served over plain HTTP to another host), the token is selected for Ctrl+C / ⌘C instead.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const secret = document.getElementById(button.dataset.copy);
    const status = button.parentElement.querySelector(".token-copy-status");
    if (!secret) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      const say = (message) => {
        if (status) status.textContent = message;
      };
      try {
        await navigator.clipboard.writeText(secret.textContent.trim());
        say(gettext("Copied to the clipboard."));
      } catch {
        const range = document.createRange();
        range.selectNodeContents(secret);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        say(gettext("Selected: press Ctrl+C (⌘C on a Mac) to copy."));
      }
    });
  }
});
