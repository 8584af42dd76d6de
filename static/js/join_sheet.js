// The join sheet's print button: shown only when this script runs (without it, the
// browser's own print command does the same).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
