// The question editor's live preview. As the organizer types, the preview pane shows the
// question as a learner will see it (choices, blanks as inputs), its answer key and what
// still stops it from being saved. Without JavaScript the "Check without saving" button
// renders the same markup on the server (templates/quizzes/partials/_question_preview.html).
//
// Also: shows the choices or the blanks section to suit the kind, keeps one answer input
// per blank (___) of the question text, and adds choice rows without a round trip.
// Every translated string comes from the page (data attributes, json_script).
(function () {
  "use strict";

  const form = document.querySelector("[data-question-editor]");
  if (!form) return;

  const MARKER = /_{3,}/g;
  const SEPARATOR = /[|｜\n]/;
  // Feedback after " # " is not part of the answer (see quizzes/formats/notation.py).
  const FEEDBACK = /(?:^|[\s)）])#.*$/;
  const strings = form.dataset;
  const messages = JSON.parse(
    document.getElementById("question-problem-messages").textContent
  );
  const preview = document.querySelector("[data-preview]");
  const stem = form.querySelector('[data-editor="stem"]');
  const choicesSection = form.querySelector('[data-section="choices"]');
  const blanksSection = form.querySelector('[data-section="blanks"]');
  const choiceList = form.querySelector("[data-choice-rows]");
  const choiceTemplate = form.querySelector("template[data-choice-template]");
  const blankList = form.querySelector("[data-blank-rows]");
  const blankTemplate = form.querySelector("template[data-blank-template]");
  const addChoiceButton = form.querySelector("[data-add-choice]");
  let touched = false;

  const letter = (index) => (index < 26 ? String.fromCharCode(65 + index) : String(index + 1));
  const kind = () => {
    const checked = form.querySelector('[data-editor="kind"]:checked');
    return checked ? checked.value : "single";
  };
  const choiceRows = () => Array.from(choiceList.querySelectorAll("[data-choice-row]"));
  const blankRows = () => Array.from(blankList.querySelectorAll("[data-blank-row]"));
  const fill = (template, values) =>
    Object.entries(values).reduce((text, [key, value]) => text.replaceAll(key, value), template);

  // Rows come from <template>s rendered by the server, so their labels are translated.
  function fromTemplate(template, number) {
    const holder = document.createElement("div");
    holder.innerHTML = fill(template.innerHTML, {
      __N__: String(number),
      __LETTER__: letter(number - 1),
    }).trim();
    return holder.firstElementChild;
  }

  function addChoice() {
    const row = fromTemplate(choiceTemplate, choiceRows().length + 1);
    choiceList.append(row);
    return row;
  }

  // One answer input per blank of the question text; spare empty inputs at the end go.
  function syncBlanks() {
    const wanted = Math.max((stem.value.match(MARKER) || []).length, 1);
    while (blankRows().length < wanted) {
      blankList.append(fromTemplate(blankTemplate, blankRows().length + 1));
    }
    let rows = blankRows();
    while (rows.length > wanted && !rows[rows.length - 1].querySelector('[data-editor="blank"]').value.trim()) {
      rows[rows.length - 1].remove();
      rows = blankRows();
    }
  }

  function applyKind() {
    const current = kind();
    const isBlank = current === "blank";
    choicesSection.hidden = isBlank;
    blanksSection.hidden = !isBlank;
    const trueFalse = current === "true_false";
    addChoiceButton.hidden = trueFalse;
    if (trueFalse) {
      while (choiceRows().length < 2) addChoice();
      const rows = choiceRows();
      const texts = rows.map((row) => row.querySelector('[data-editor="choice-text"]'));
      if (texts.every((input) => !input.value.trim())) {
        texts[0].value = strings.trueLabel;
        texts[1].value = strings.falseLabel;
      }
      // Only empty rows are hidden: a filled third choice stays visible to be removed.
      rows.forEach((row, index) => {
        row.hidden = index >= 2 && !texts[index].value.trim();
      });
    } else {
      choiceRows().forEach((row) => (row.hidden = false));
    }
    if (isBlank) syncBlanks();
  }

  // The draft as the server builds it (quizzes/forms/banks.py, QuestionForm._build).
  function draft() {
    const current = kind();
    const choices = [];
    if (current !== "blank") {
      for (const row of choiceRows()) {
        const text = row.querySelector('[data-editor="choice-text"]').value.trim();
        const correct = row.querySelector('[data-editor="choice-correct"]').checked;
        const feedback = row.querySelector('input[name$="-feedback"]').value.trim();
        if (text || correct || feedback) choices.push({ text, correct });
      }
    }
    const blanks = [];
    if (current === "blank") {
      for (const row of blankRows()) {
        const answers = row
          .querySelector('[data-editor="blank"]')
          .value.split(SEPARATOR)
          .map((answer) => answer.replace(FEEDBACK, "").trim())
          .filter(Boolean);
        blanks.push(answers);
      }
      while (blanks.length && !blanks[blanks.length - 1].length) blanks.pop();
    }
    return { kind: current, stem: stem.value, choices, blanks };
  }

  // The same checks as QuestionDraft.problems() in quizzes/drafts.py.
  function problems(d) {
    const found = [];
    if (!d.stem.trim()) found.push("empty_stem");
    const correct = d.choices.filter((c) => c.correct).length;
    if (d.kind === "blank") {
      if (!d.blanks.length) found.push("no_blanks");
      else if (d.blanks.some((answers) => !answers.length)) found.push("blank_without_answer");
      if ((d.stem.match(MARKER) || []).length !== d.blanks.length) {
        found.push("blank_count_mismatch");
      }
      return found;
    }
    const texts = d.choices.map((c) => c.text);
    if (texts.some((text) => !text)) found.push("empty_choice");
    if (new Set(texts.map((text) => text.toLowerCase())).size !== texts.length) {
      found.push("duplicate_choices");
    }
    if (d.kind === "true_false") {
      if (d.choices.length !== 2 || correct !== 1) {
        found.push("true_false_needs_two_choices_one_correct");
      }
    } else if (d.choices.length < 2) {
      found.push("too_few_choices");
    } else if (d.kind === "single" && correct !== 1) {
      found.push("single_needs_one_correct");
    } else if (d.kind === "multiple" && correct < 1) {
      found.push("multiple_needs_a_correct_choice");
    }
    return found;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function appendText(parent, text) {
    text.split("\n").forEach((line, index) => {
      if (index) parent.append(document.createElement("br"));
      if (line) parent.append(document.createTextNode(line));
    });
  }

  function render() {
    const d = draft();
    const question = preview.querySelector("[data-preview-question]");

    const stemNode = element("p", "preview__stem");
    stemNode.dataset.previewStem = "";
    if (!d.stem.trim()) {
      stemNode.append(element("span", "muted", strings.stemPlaceholder));
    } else {
      let position = 0;
      let number = 0;
      for (const match of d.stem.matchAll(MARKER)) {
        appendText(stemNode, d.stem.slice(position, match.index));
        number += 1;
        const input = element("input", "preview__blank");
        input.type = "text";
        input.size = 8;
        input.disabled = true;
        input.setAttribute("aria-label", fill(strings.blankLabel, { "%(number)s": number }));
        stemNode.append(input);
        position = match.index + match[0].length;
      }
      appendText(stemNode, d.stem.slice(position));
    }
    const nodes = [stemNode];
    if (d.kind !== "blank") {
      const list = element("div", "preview__choices");
      d.choices.forEach((choice, index) => {
        const label = element("label", "preview__choice");
        const input = document.createElement("input");
        input.type = d.kind === "multiple" ? "checkbox" : "radio";
        input.name = "preview-choice";
        input.disabled = true;
        label.append(
          input,
          " ",
          element("span", "preview__letter", `${letter(index)}.`),
          " ",
          element("span", "", choice.text)
        );
        list.append(label);
      });
      nodes.push(list);
    }
    question.replaceChildren(...nodes);

    const key = preview.querySelector("[data-preview-key-text]");
    const lines =
      d.kind === "blank"
        ? d.blanks.map(
            (answers, index) =>
              `${fill(strings.blankLabel, { "%(number)s": index + 1 })}: ${answers.join(" | ")}`
          )
        : d.choices
            .map((choice, index) => (choice.correct ? `${letter(index)}. ${choice.text}` : null))
            .filter((line) => line !== null);
    key.replaceChildren(...lines.map((line) => element("span", "preview__key-line", line)));

    const box = preview.querySelector("[data-preview-problems]");
    const list = preview.querySelector("[data-preview-problem-list]");
    const found = touched ? problems(d) : [];
    list.replaceChildren(...found.map((code) => element("li", "", messages[code] || code)));
    box.hidden = !found.length;
  }

  // A blank's box grows with its answers, one per line.
  function fitRows(box) {
    box.rows = Math.max(2, box.value.split("\n").length);
  }

  form.addEventListener("input", (event) => {
    touched = true;
    if (event.target.matches('[data-editor="blank"]')) fitRows(event.target);
    if (event.target === stem && kind() === "blank") syncBlanks();
    render();
  });
  form.addEventListener("change", (event) => {
    touched = true;
    if (event.target.matches('[data-editor="kind"]')) applyKind();
    render();
  });
  // Rows are added here, so the button needs no round trip; and as a plain button it is
  // no longer the first submit button, which Enter in a text input presses: Save is.
  addChoiceButton.type = "button";
  addChoiceButton.addEventListener("click", (event) => {
    event.preventDefault();
    const row = addChoice();
    row.querySelector('[data-editor="choice-text"]').focus();
    render();
  });

  // A form the server sent back (a failed save, a server preview) shows its problems.
  touched = !preview.querySelector("[data-preview-problems]").hidden;
  applyKind();
  render();
})();
