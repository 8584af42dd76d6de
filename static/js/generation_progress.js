// Document page: while generation is queued or running, poll its progress every 1.5 s and
// update the status, stage and bar from the server's answer; when the job is no longer
// queued or running (done, or failed with its reason), reload the page, which the server
// renders from the same state, so the page never says one thing and the status another.
// Without JavaScript the page refreshes itself (a <noscript> meta refresh).
(function () {
  "use strict";

  const box = document.querySelector("[data-generation]");
  if (!box || box.dataset.active !== "true") return;
  const url = box.dataset.progressUrl;
  const bar = box.querySelector("[data-generation-progress]");
  const status = box.querySelector("[data-generation-status]");
  const stage = box.querySelector("[data-generation-stage]");
  const reloadHint = box.querySelector("[data-generation-reload]");
  // The page updates itself: the "reload to see the progress" hint is for pages without JS.
  if (reloadHint) reloadHint.hidden = true;

  async function poll() {
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (response.status === 404 || response.status === 403 || response.redirected) {
        // The document is gone (deleted) or the session ended: let the page say so.
        window.location.reload();
        return;
      }
      if (response.ok) {
        const data = await response.json();
        if (!data.active) {
          window.location.reload();
          return;
        }
        box.dataset.status = data.status;
        if (bar) {
          bar.value = data.progress;
          bar.textContent = data.progress + "%";
        }
        if (status) status.textContent = data.status_display;
        if (stage) stage.textContent = data.stage_display;
      }
    } catch (error) {
      // A weak connection: try again at the next tick.
    }
    window.setTimeout(poll, 1500);
  }

  window.setTimeout(poll, 1000);
})();
