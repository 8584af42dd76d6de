// Document page: while generation is queued or running, poll its progress every 1.5 s and
// update the bar; reload the page when it ends so the key points and counts appear.
// Without JavaScript the page refreshes itself (a <noscript> meta refresh).
(function () {
  "use strict";

  const box = document.querySelector("[data-generation]");
  if (!box || box.dataset.active !== "true") return;
  const url = box.dataset.progressUrl;
  const bar = box.querySelector("[data-generation-progress]");
  const status = box.querySelector("[data-generation-status]");
  const stage = box.querySelector("[data-generation-stage]");

  async function poll() {
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (response.ok) {
        const data = await response.json();
        if (bar) {
          bar.value = data.progress;
          bar.textContent = data.progress + "%";
        }
        if (status) status.textContent = data.status_display;
        if (stage) stage.textContent = data.stage_display;
        if (!data.active) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // A weak connection: try again at the next tick.
    }
    window.setTimeout(poll, 1500);
  }

  window.setTimeout(poll, 1000);
})();
