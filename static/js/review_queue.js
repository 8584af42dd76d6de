// Review queue: the "select all drafts shown" box ticks every draft's box, and follows
// them (ticked when all are, half-ticked when some are). Without JavaScript the same box
// still works: the server then applies the decision to every draft the page showed.
(function () {
  "use strict";

  const all = document.querySelector("[data-select-all]");
  if (!all || !all.form) return;
  const formId = all.form.id;

  function boxes() {
    return Array.from(
      document.querySelectorAll('input[type="checkbox"][name="questions"]'),
    ).filter((box) => box.form && box.form.id === formId);
  }

  function follow() {
    const list = boxes();
    const ticked = list.filter((box) => box.checked).length;
    all.checked = list.length > 0 && ticked === list.length;
    all.indeterminate = ticked > 0 && ticked < list.length;
  }

  all.addEventListener("change", () => {
    for (const box of boxes()) box.checked = all.checked;
    all.indeterminate = false;
  });

  document.addEventListener("change", (event) => {
    const box = event.target;
    if (box !== all && box.name === "questions" && box.form && box.form.id === formId) {
      follow();
    }
  });

  // Boxes the browser restored (back button) count too.
  follow();
})();
