/* studyapp — taking a quiz: save each answer as it is given, keep unsent answers on the
   device while the connection is down, count down to the server's deadline.

   No framework, no inline handlers. Everything hangs off the [data-attempt] element of
   the question and submit pages. Without this file the pages still work: the question
   form posts the answer and moves on.

   Ordering: each answer to a question carries a sequence number, one more than the last
   one this page gave (or the server had when it rendered the page). Answers wait in a
   queue in localStorage, one entry per question (a newer answer replaces an unsent older
   one), and are sent oldest first; the server refuses a sequence that is not newer than
   the one it has (409), so an old page can never overwrite a newer answer. */
(function () {
  "use strict";

  var root = document.querySelector("[data-attempt]");
  if (!root) {
    return;
  }

  // --- i18n (Django's JavaScript catalog, /jsi18n/) -----------------------------------
  // Named gettext/ngettext so that makemessages finds the strings; they defer to the
  // catalog's functions when it has loaded.
  function gettext(text) {
    return typeof window.gettext === "function" ? window.gettext(text) : text;
  }
  function ngettext(singular, plural, count) {
    if (typeof window.ngettext === "function") {
      return window.ngettext(singular, plural, count);
    }
    return count === 1 ? singular : plural;
  }
  function fmt(text, values) {
    if (typeof window.interpolate === "function") {
      return window.interpolate(text, values, true);
    }
    return text.replace(/%\((\w+)\)s/g, function (_match, name) {
      return String(values[name]);
    });
  }

  // --- page data ------------------------------------------------------------------------
  var attemptId = root.dataset.attemptId;
  var saveUrl = root.dataset.saveUrl;
  var checkUrl = root.dataset.checkUrl || "";
  var resultUrl = root.dataset.resultUrl;
  var loginUrl = root.dataset.loginUrl;
  var position = root.dataset.position ? parseInt(root.dataset.position, 10) : null;
  var kind = root.dataset.kind || "";
  var form = root.querySelector("[data-answer-form]");
  var sequenceField = form ? form.querySelector("[data-sequence-field]") : null;
  var finishForm = root.querySelector("[data-finish-form]");
  var statusLine = root.querySelector("[data-save-status]");
  var alertBox = root.querySelector("[data-attempt-alert]");
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrfToken = csrfInput ? csrfInput.value : "";
  // The newest sequence this page has given an answer to its question.
  var sequence = root.dataset.sequence ? parseInt(root.dataset.sequence, 10) : 0;
  var stopped = false; // time is up or the attempt is gone: send nothing more

  // --- the queue of unsent answers ------------------------------------------------------
  var queueKey = "studyapp:attempt:" + attemptId + ":queue";
  var memoryQueue = [];

  function loadQueue() {
    try {
      var stored = window.localStorage.getItem(queueKey);
      return stored ? JSON.parse(stored) : [];
    } catch (_error) {
      return memoryQueue.slice();
    }
  }

  function storeQueue(queue) {
    memoryQueue = queue.slice();
    try {
      if (queue.length) {
        window.localStorage.setItem(queueKey, JSON.stringify(queue));
      } else {
        window.localStorage.removeItem(queueKey);
      }
    } catch (_error) {
      /* private mode or full: the in-memory copy still holds the answers */
    }
  }

  function removeEntry(entry) {
    storeQueue(
      loadQueue().filter(function (other) {
        return !(other.position === entry.position && other.sequence === entry.sequence);
      })
    );
  }

  // --- status line and alerts -----------------------------------------------------------
  var savingTimer = null;
  var lastStatus = "";

  function setStatus(text, state) {
    if (!statusLine || text === lastStatus) {
      return;
    }
    lastStatus = text;
    statusLine.textContent = text;
    statusLine.dataset.state = state || "";
  }

  function showStatus(state) {
    var pending = loadQueue().length;
    window.clearTimeout(savingTimer);
    if (state === "saving") {
      // Only say "Saving…" when it takes a moment, so a screen reader is not flooded.
      savingTimer = window.setTimeout(function () {
        setStatus(gettext("Saving…"), "saving");
      }, 600);
      return;
    }
    if (pending) {
      setStatus(
        fmt(
          ngettext(
            "Not saved yet — will send when you are back online (%(count)s answer)",
            "Not saved yet — will send when you are back online (%(count)s answers)",
            pending
          ),
          { count: pending }
        ),
        "pending"
      );
    } else if (state === "saved") {
      setStatus(gettext("Saved"), "saved");
    }
  }

  function showAlert(message, link) {
    if (!alertBox) {
      return;
    }
    alertBox.textContent = "";
    var paragraph = document.createElement("p");
    paragraph.textContent = message;
    alertBox.appendChild(paragraph);
    if (link) {
      var actions = document.createElement("p");
      var anchor = document.createElement(link.href ? "a" : "button");
      anchor.className = "button";
      anchor.textContent = link.text;
      if (link.href) {
        anchor.href = link.href;
      } else {
        anchor.type = "button";
        anchor.addEventListener("click", link.onClick);
      }
      actions.appendChild(anchor);
      alertBox.appendChild(actions);
    }
    alertBox.hidden = false;
  }

  function reloadLink() {
    return {
      text: gettext("Reload the page"),
      onClick: function () {
        window.location.reload();
      },
    };
  }

  function updateMap(entryPosition, answered) {
    var link = root.querySelector('[data-map-position="' + entryPosition + '"]');
    if (!link) {
      return;
    }
    link.classList.toggle("qmap__link--answered", answered);
    var state = link.querySelector("[data-map-state]");
    if (state) {
      var current = link.getAttribute("aria-current") ? gettext("(current)") + " " : "";
      state.textContent = current + (answered ? gettext("answered") : gettext("not answered"));
    }
  }

  // --- sending --------------------------------------------------------------------------
  var flushing = null;

  function post(url, body) {
    return window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken,
        "X-Requested-With": "fetch",
      },
      body: JSON.stringify(body),
    });
  }

  function readJson(response) {
    return response.json().catch(function () {
      return {};
    });
  }

  function timeUp(detail) {
    stopped = true;
    storeQueue([]);
    showAlert(detail || gettext("Time is up: this attempt has been submitted."), {
      href: resultUrl,
      text: gettext("See your result"),
    });
    setStatus("", "");
  }

  // Send one entry. Resolves to "sent", "dropped" (refused for good, go on with the next),
  // or "wait" (offline, signed out or server trouble: keep it and stop for now).
  function sendEntry(entry) {
    return post(saveUrl, {
      position: entry.position,
      sequence: entry.sequence,
      choices: entry.choices,
      blanks: entry.blanks,
    }).then(
      function (response) {
        return readJson(response).then(function (data) {
          if (response.ok) {
            removeEntry(entry);
            updateMap(entry.position, !!data.answered);
            return "sent";
          }
          if (response.status === 409) {
            removeEntry(entry);
            showAlert(
              data.detail ||
                gettext("A newer answer to this question was already saved. Reload the page to see it."),
              reloadLink()
            );
            return "dropped";
          }
          if (response.status === 410) {
            timeUp(data.detail);
            return "stop";
          }
          if (response.status === 403) {
            // Signed out or the session ended: keep the answers and say how to send them.
            showAlert(
              gettext("You are signed out. Sign in again and your unsent answers will be sent."),
              { href: loginUrl, text: gettext("Sign in") }
            );
            return "wait";
          }
          if (response.status === 400 || response.status === 404) {
            removeEntry(entry);
            showAlert(data.detail || gettext("This answer could not be saved."));
            return "dropped";
          }
          return "wait";
        });
      },
      function () {
        return "wait"; // no connection
      }
    );
  }

  function flushQueue() {
    if (stopped) {
      return Promise.resolve();
    }
    var queue = loadQueue();
    if (!queue.length) {
      return Promise.resolve();
    }
    showStatus("saving");
    return sendEntry(queue[0]).then(function (outcome) {
      if (outcome === "sent" || outcome === "dropped") {
        return flushQueue();
      }
      return undefined;
    });
  }

  // One flush at a time, and across tabs of the same browser one at a time (Web Locks),
  // so two tabs never send the same entry twice.
  function flush() {
    if (flushing) {
      return flushing;
    }
    var run = function () {
      return flushQueue();
    };
    var locked =
      navigator.locks && navigator.locks.request
        ? navigator.locks.request("studyapp-attempt-" + attemptId, run)
        : run();
    flushing = locked
      .catch(function () {
        return undefined;
      })
      .then(function () {
        flushing = null;
        if (!stopped) {
          showStatus("saved");
        }
      });
    return flushing;
  }

  // --- reading and queueing this page's answer -----------------------------------------
  function currentAnswer() {
    if (!form) {
      return null;
    }
    if (kind === "blank") {
      var blanks = [];
      var number = 1;
      var input = form.querySelector('[name="blank-1"]');
      while (input) {
        blanks.push(input.value);
        number += 1;
        input = form.querySelector('[name="blank-' + number + '"]');
      }
      return { choices: [], blanks: blanks };
    }
    var choices = [];
    form.querySelectorAll('input[name="choice"]:checked').forEach(function (box) {
      choices.push(parseInt(box.value, 10));
    });
    return { choices: choices, blanks: [] };
  }

  function applyAnswer(answer) {
    if (kind === "blank") {
      answer.blanks.forEach(function (text, index) {
        var input = form.querySelector('[name="blank-' + (index + 1) + '"]');
        if (input) {
          input.value = text;
        }
      });
      return;
    }
    form.querySelectorAll('input[name="choice"]').forEach(function (box) {
      box.checked = answer.choices.indexOf(parseInt(box.value, 10)) >= 0;
    });
  }

  var lastGiven = null;

  function give() {
    if (stopped || !sequenceField) {
      return; // no sequence field: the item is checked and locked
    }
    var answer = currentAnswer();
    var key = JSON.stringify(answer);
    if (key === lastGiven) {
      return;
    }
    lastGiven = key;
    sequence += 1;
    sequenceField.value = String(sequence + 1);
    var queue = loadQueue().filter(function (entry) {
      return entry.position !== position;
    });
    queue.push({
      position: position,
      sequence: sequence,
      choices: answer.choices,
      blanks: answer.blanks,
      at: new Date().toISOString(),
    });
    storeQueue(queue);
    showStatus("pending");
    flush();
  }

  var typingTimer = null;

  if (form && sequenceField) {
    // A reload while answers wait: show this question's unsent answer, not the server's
    // older one, and continue numbering after it.
    loadQueue().forEach(function (entry) {
      if (entry.position === position) {
        applyAnswer(entry);
        sequence = Math.max(sequence, entry.sequence);
      }
    });
    sequenceField.value = String(sequence + 1);
    lastGiven = JSON.stringify(currentAnswer());

    form.addEventListener("change", function (event) {
      if (event.target.matches("[data-answer-input]")) {
        window.clearTimeout(typingTimer);
        give();
      }
    });
    form.addEventListener("input", function (event) {
      if (event.target.matches('input[type="text"][data-answer-input]')) {
        window.clearTimeout(typingTimer);
        typingTimer = window.setTimeout(give, 800);
      }
    });
  }

  // --- moving on: save first, then go -----------------------------------------------------
  function offlineNotice() {
    showStatus("pending");
    showAlert(
      gettext(
        "You are offline. Your answers are kept on this device and will be sent when the connection is back; then you can go on."
      )
    );
  }

  function afterFlush(go) {
    window.clearTimeout(typingTimer);
    give();
    if (!navigator.onLine && loadQueue().length) {
      offlineNotice();
      return;
    }
    flush().then(function () {
      if (stopped) {
        return;
      }
      if (loadQueue().length) {
        offlineNotice();
        return;
      }
      if (alertBox) {
        alertBox.hidden = true;
      }
      go();
    });
  }

  var nativeSubmit = false;

  if (form) {
    form.addEventListener("submit", function (event) {
      if (nativeSubmit || stopped) {
        return;
      }
      event.preventDefault();
      var submitter = event.submitter || form.querySelector("[data-go]");
      afterFlush(function () {
        // The form saves the same answer once more with the next sequence; keep count.
        if (sequenceField) {
          sequence += 1;
          sequenceField.value = String(sequence);
        }
        nativeSubmit = true;
        if (submitter && typeof form.requestSubmit === "function") {
          form.requestSubmit(submitter);
        } else {
          var go = document.createElement("input");
          go.type = "hidden";
          go.name = "go";
          go.value = submitter ? submitter.value : "next";
          form.appendChild(go);
          form.submit();
        }
      });
    });
  }

  root.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-map-position], a[data-nav]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    afterFlush(function () {
      window.location.href = link.href;
    });
  });

  if (finishForm && !finishForm.hidden) {
    // The submit page: send what waits before finishing.
    var finishing = false;
    finishForm.addEventListener("submit", function (event) {
      if (finishing) {
        return;
      }
      event.preventDefault();
      afterFlush(function () {
        finishing = true;
        finishForm.submit();
      });
    });
  }

  // --- the countdown ------------------------------------------------------------------------
  var timer = root.querySelector("[data-attempt-timer]");
  if (timer) {
    var deadline = Date.parse(timer.dataset.deadline);
    var serverNow = Date.parse(timer.dataset.serverNow);
    // The phone's clock may be wrong; only the difference to the server's matters.
    var offset = serverNow - Date.now();
    var valueEl = timer.querySelector("[data-timer-value]");
    var announceEl = timer.querySelector("[data-timer-announce]");
    var announced = {};
    var ended = false;
    var MARKS = [600, 300, 60, 30];

    var remaining = function () {
      return Math.max(0, Math.ceil((deadline - (Date.now() + offset)) / 1000));
    };

    var show = function (seconds) {
      if (seconds >= 86400) {
        return; // more than a day ahead: the page shows only the deadline
      }
      var hours = Math.floor(seconds / 3600);
      var minutes = Math.floor((seconds % 3600) / 60);
      var secs = seconds % 60;
      var two = function (n) {
        return (n < 10 ? "0" : "") + n;
      };
      valueEl.textContent = hours ? hours + ":" + two(minutes) + ":" + two(secs) : minutes + ":" + two(secs);
      timer.classList.toggle("attempt-timer--low", seconds <= 300);
      timer.classList.toggle("attempt-timer--critical", seconds <= 60);
    };

    var announce = function (seconds) {
      // Announced sparingly: at 10, 5 and 1 minutes and 30 seconds left.
      MARKS.forEach(function (mark) {
        if (seconds <= mark && seconds > mark - 5 && !announced[mark]) {
          announced[mark] = true;
          var text =
            mark >= 60
              ? fmt(ngettext("%(count)s minute left", "%(count)s minutes left", mark / 60), {
                  count: mark / 60,
                })
              : fmt(ngettext("%(count)s second left", "%(count)s seconds left", mark), { count: mark });
          announceEl.textContent = text;
        }
      });
    };

    var end = function () {
      ended = true;
      window.clearTimeout(typingTimer);
      give();
      announceEl.textContent = gettext("Time is up. Your answers are being submitted.");
      setStatus(gettext("Time is up. Your answers are being submitted."), "saving");
      // Send what waits (the server still takes answers for a short grace period), then
      // finish. Do not wait for ever on a dead connection.
      var timeout = new Promise(function (resolve) {
        window.setTimeout(resolve, 8000);
      });
      Promise.race([flush(), timeout]).then(function () {
        stopped = true;
        if (finishForm) {
          nativeSubmit = true;
          finishForm.submit();
        }
      });
    };

    var tick = function () {
      if (ended) {
        return;
      }
      var seconds = remaining();
      show(seconds);
      announce(seconds);
      if (seconds <= 0) {
        end();
      }
    };
    tick();
    window.setInterval(tick, 1000);
    document.addEventListener("visibilitychange", tick);
  }

  // --- resending ---------------------------------------------------------------------------
  window.addEventListener("online", function () {
    if (alertBox) {
      alertBox.hidden = true;
    }
    flush();
  });
  window.addEventListener("offline", function () {
    showStatus("pending");
  });
  window.setInterval(function () {
    if (loadQueue().length && !flushing) {
      flush();
    }
  }, 15000);
  if (loadQueue().length) {
    showStatus("pending");
    flush();
  }
})();
