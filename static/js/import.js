// Import page: documents dropped anywhere on the drop zone go into its file input, as if chosen
// with the picker; the form is still an ordinary multipart form (it works without this script).
(function () {
  "use strict";
  const zone = document.querySelector("[data-drop-zone]");
  if (!zone) return;
  const input = zone.querySelector("input[type=file]");
  const names = zone.querySelector(".drop-names");
  // gettext/ngettext/interpolate come from Django's JavaScript catalog (loaded by base.html).
  const show = () => {
    const count = input.files.length;
    const list = Array.from(input.files, (file) => file.name).join(", ");
    names.textContent = count
      ? interpolate(ngettext("%(count)s file chosen: %(names)s", "%(count)s files chosen: %(names)s", count), { count, names: list }, true)
      : "";
  };
  ["dragenter", "dragover"].forEach((type) =>
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.add("is-dragging");
    }),
  );
  ["dragleave", "drop"].forEach((type) =>
    zone.addEventListener(type, () => zone.classList.remove("is-dragging")),
  );
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    show();
  });
  input.addEventListener("change", show);
})();
