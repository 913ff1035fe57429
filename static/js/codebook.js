// The tag form's colour: the picker and the #rrggbb text field stay in step, the sample is
// repainted, and a poor contrast of body text on the colour as a highlight is said at once
// (the server says the same on saving; ink, strength and minimum come from its constants).
const text = document.getElementById("id_colour");
const picker = document.getElementById("colour-picker");
const warning = document.getElementById("colour-warning");
const preview = document.querySelector(".colour-preview");
const HEX = /^#[0-9a-f]{6}$/i;

const channels = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
const linear = (c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const luminance = (rgb) => {
  const [r, g, b] = rgb.map(linear);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

function contrast(hex) {
  const strength = Number(warning.dataset.strength);
  // color-mix(in srgb, colour strength, #fff), as the highlight is drawn.
  const mixed = channels(hex).map((c) => c * strength + (1 - strength));
  const [a, b] = [luminance(mixed), luminance(channels(warning.dataset.ink))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

function update(hex) {
  if (!HEX.test(hex)) return;
  preview.dataset.hl = hex;
  const ratio = contrast(hex);
  const minimum = Number(warning.dataset.minimum);
  warning.hidden = ratio >= minimum;
  if (!warning.hidden) {
    warning.textContent = interpolate(
      gettext("Text on this colour as a highlight has a contrast of %(ratio)s:1, below the %(minimum)s:1 that WCAG asks for body text: choose a lighter colour."),
      { ratio: ratio.toFixed(1), minimum: minimum.toFixed(1) },
      true,
    );
  }
}

if (text && picker && warning) {
  picker.addEventListener("input", () => {
    text.value = picker.value;
    update(picker.value);
  });
  text.addEventListener("input", () => {
    const hex = text.value.trim();
    if (HEX.test(hex)) picker.value = hex.toLowerCase();
    update(hex);
  });
}
