// Quiz builder niceties; the page works without them.
//  - "Move up" / "Move down" are POST forms. Here they are sent in the background and the
//    slot moves on the page at once, keeping keyboard focus on the button pressed, and a
//    live region says where it went.
//  - The random-draw rule form shows how many published questions match its filters as
//    they are chosen (the "Check how many match" button does the same without JS).
(function () {
  "use strict";

  const list = document.querySelector("[data-slots]");
  const announcer = document.querySelector("[data-slot-announcer]");

  function renumber() {
    const slots = Array.from(list.querySelectorAll("[data-slot]"));
    slots.forEach((slot, index) => {
      slot.querySelector("[data-slot-position]").textContent = String(index + 1);
      slot.querySelector("[data-move-up]").disabled = index === 0;
      slot.querySelector("[data-move-down]").disabled = index === slots.length - 1;
    });
    return slots;
  }

  if (list) {
    list.addEventListener("submit", async (event) => {
      const form = event.target.closest("[data-move]");
      if (!form || !event.submitter) return;
      event.preventDefault();
      const button = event.submitter;
      const direction = button.value;
      const body = new FormData(form);
      body.set("direction", direction);
      let response;
      try {
        response = await fetch(form.action, {
          method: "POST",
          body,
          headers: { "X-Requested-With": "fetch" },
          credentials: "same-origin",
        });
      } catch {
        response = null;
      }
      if (!response || !response.ok) {
        // Fall back to the plain form post, which reloads the page.
        const field = document.createElement("input");
        field.type = "hidden";
        field.name = "direction";
        field.value = direction;
        form.append(field);
        form.submit();
        return;
      }
      const slot = form.closest("[data-slot]");
      if (direction === "up" && slot.previousElementSibling) {
        slot.previousElementSibling.before(slot);
      } else if (direction === "down" && slot.nextElementSibling) {
        slot.nextElementSibling.after(slot);
      }
      const slots = renumber();
      const position = slots.indexOf(slot) + 1;
      // Moving a slot re-attaches it; put focus back, on the other button at either end.
      const target = button.disabled
        ? slot.querySelector(direction === "up" ? "[data-move-down]" : "[data-move-up]")
        : button;
      target.focus();
      if (announcer) {
        announcer.textContent = list.dataset.movedText.replace("%(position)s", position);
      }
    });
  }

  const ruleForm = document.querySelector("[data-rule-form]");
  if (ruleForm) {
    const output = ruleForm.querySelector("[data-rule-count]");
    let pending = null;
    const update = async () => {
      const params = new URLSearchParams();
      for (const name of ["bank", "key_point", "kind", "difficulty"]) {
        const field = ruleForm.elements.namedItem(name);
        if (field) params.set(name, field.value);
      }
      if (pending) pending.abort();
      pending = new AbortController();
      try {
        const response = await fetch(`${ruleForm.dataset.countUrl}?${params}`, {
          signal: pending.signal,
          credentials: "same-origin",
        });
        if (!response.ok) return;
        const data = await response.json();
        output.textContent = data.text || "";
      } catch {
        // Offline or aborted: the "Check how many match" button still works.
      }
    };
    ruleForm.addEventListener("change", (event) => {
      if (["bank", "key_point", "kind", "difficulty"].includes(event.target.name)) update();
    });
    if (!output.textContent.trim()) update();
  }
})();
