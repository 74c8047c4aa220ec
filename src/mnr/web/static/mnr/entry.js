// Save-as-you-go for the answer pages of a submission.
//
// Every change is first kept in this browser (pending.js), with the version of the answer it
// was made to, and removed once the server has saved it. A change therefore survives a failed
// request, a closed tab or an ended session: it is sent again the next time a page of the
// submission is opened. When someone else saved the answer meanwhile, the server refuses the
// change (409); the page then shows both texts and keeps the change until the user keeps it or
// takes the other one. Without this script the page is a plain form with a Save button.

import { Pending, onSignOut } from "./pending.js";

// The texts come from the djangojs catalogue of the page's language (base.html loads /jsi18n/);
// without it they stay English.
const gettext = window.gettext ?? ((text) => text);
const interpolate = window.interpolate ?? ((format, values) => format.replace(/%\((\w+)\)s/g, (_, name) => values[name]));

const TYPING_PAUSE_MS = 700;

function selector(code, field) {
  return `[data-question="${CSS.escape(code)}"][data-field="${field}"]`;
}

function fieldsetOf(form, code) {
  return form.querySelector(`fieldset[data-question="${CSS.escape(code)}"]`);
}

function currentValue(form, input) {
  if (input.type === "checkbox") return input.checked;
  if (input.type === "radio") {
    const checked = form.querySelector(`input[type=radio][name="${CSS.escape(input.name)}"]:checked`);
    return checked ? checked.value : "";
  }
  return input.value;
}

function show(form, code, field, value) {
  for (const input of form.querySelectorAll(selector(code, field))) {
    if (input.type === "checkbox") input.checked = Boolean(value);
    else if (input.type === "radio") input.checked = input.value === value;
    else input.value = value;
  }
}

/** Every field of an answer as the form holds it now. */
function formAnswer(form, code) {
  const answer = {};
  for (const input of form.querySelectorAll(`[data-question="${CSS.escape(code)}"][data-field]`)) {
    answer[input.dataset.field] = currentValue(form, input);
  }
  return answer;
}

function versionInput(form, code) {
  return form.querySelector(`input[name="${CSS.escape(`${code}:version`)}"]`);
}

/** The version of the answer the page shows (null when the page does not say). */
function pageVersion(form, code) {
  const version = Number.parseInt(versionInput(form, code)?.value ?? "", 10);
  return Number.isInteger(version) ? version : null;
}

function setPageVersion(form, code, version) {
  const input = versionInput(form, code);
  if (input && Number.isInteger(version)) input.value = String(version);
}

/** What one entry sends: its fields, and the version they were changed from. */
function request(entry) {
  const fields = { ...entry.fields };
  if (Number.isInteger(entry.version)) fields.expected_version = entry.version;
  return fields;
}

/** Skip logic: a question applies only when the answer it depends on is among its values. */
function applySkipLogic(form) {
  for (const fieldset of form.querySelectorAll("fieldset[data-relevant-question]")) {
    const controlling = form.querySelector(selector(fieldset.dataset.relevantQuestion, "value"));
    if (!controlling) continue; // asked on another page: the server decided when rendering
    const value = currentValue(form, controlling);
    const applies = fieldset.dataset.relevantValues.split(" ").includes(value);
    fieldset.disabled = !applies;
    fieldset.classList.toggle("not-applicable", !applies);
  }
}

function updateProgress(progress) {
  if (!progress) return;
  const parts = { ...progress.sections, overall: progress.overall };
  for (const [code, { answered, required }] of Object.entries(parts)) {
    const element = document.querySelector(`[data-progress="${CSS.escape(code)}"]`);
    if (!element) continue;
    const count = element.querySelector("[data-count]");
    if (count) count.textContent = `${answered}/${required}`;
    element.classList.toggle("complete", answered >= required);
    const bar = element.querySelector("progress");
    if (bar) {
      bar.max = Math.max(required, 1);
      bar.value = answered;
    }
  }
}

function setQuestionError(form, code, message) {
  const fieldset = fieldsetOf(form, code);
  if (!fieldset) return;
  let error = fieldset.querySelector(".field-error");
  if (!message) {
    error?.remove();
    fieldset.classList.remove("has-error");
    return;
  }
  if (!error) {
    error = document.createElement("p");
    error.className = "field-error";
    fieldset.querySelector("legend").after(error);
  }
  error.textContent = interpolate(gettext("Not saved: %(message)s"), { message }, true);
  fieldset.classList.add("has-error");
}

// --- Both texts of a conflict ------------------------------------------------------------------

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function blank(text) {
  return element("span", { class: "blank" }, text);
}

function asTyped(text) {
  return text ? element("span", { class: "as-typed" }, text) : blank(gettext("None"));
}

function choiceLabel(fieldset, value) {
  const input = fieldset.querySelector(`input[type=radio][data-field=value][value="${CSS.escape(value)}"]`);
  return input?.closest("label")?.textContent.trim() ?? value;
}

/** An answer's fields as a list, the same for both texts (as _answer_fields.html shows them). */
function describe(fieldset, answer) {
  const list = element("dl", { class: "answer-fields" });
  const isText = Boolean(fieldset.querySelector("textarea[data-field=value]"));
  const value = answer.value ?? "";
  list.append(
    element("dt", {}, gettext("Answer")),
    element("dd", {}, value ? (isText ? asTyped(value) : choiceLabel(fieldset, value)) : blank(gettext("No answer"))),
  );
  if (fieldset.querySelector("[data-field=comment]")) {
    list.append(element("dt", {}, gettext("Comment")), element("dd", {}, asTyped(answer.comment ?? "")));
  }
  list.append(element("dt", {}, gettext("Evidence")), element("dd", {}, asTyped(answer.evidence_url ?? "")));
  const confidence = fieldset.querySelector("select[data-field=confidence]");
  if (confidence) {
    const option = [...confidence.options].find((o) => o.value === (answer.confidence ?? ""));
    list.append(
      element("dt", {}, gettext("Confidence")),
      element("dd", {}, answer.confidence ? (option?.textContent.trim() ?? answer.confidence) : blank(gettext("Not given"))),
    );
  }
  list.append(
    element("dt", {}, gettext("May be quoted")),
    element("dd", {}, answer.publishable ? gettext("Yes") : gettext("No")),
  );
  return list;
}

function utc(iso) {
  const when = iso ? new Date(iso) : null;
  return when && !Number.isNaN(when.getTime())
    ? interpolate(gettext("%(when)s UTC"), { when: when.toISOString().slice(0, 16).replace("T", " ") }, true)
    : "";
}

function savedBy(conflict) {
  const when = utc(conflict.updated_at);
  const who = conflict.updated_by || gettext("an operator");
  return when ? interpolate(gettext("%(who)s at %(when)s"), { who, when }, true) : who;
}

function answerPage(form) {
  const submission = form.dataset.submission;
  const pending = new Pending(form.dataset.user, submission);
  const saveUrl = form.dataset.saveUrl;
  const status = form.querySelector("[data-save-status]");
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  let sending = null;
  let again = false;
  let timer = null;

  function showStatus(state, message, extra = []) {
    status.dataset.state = state;
    status.replaceChildren(message, ...extra);
  }

  function loginLink() {
    const link = element("a", { href: form.dataset.loginUrl }, gettext("Sign in again"));
    return [" ", link, "."];
  }

  function conflictStatus(codes) {
    const links = codes.flatMap((code, i) => {
      const fieldset = fieldsetOf(form, code);
      const name = fieldset ? element("a", { href: `#${fieldset.id}` }, code) : code;
      return i ? [", ", name] : [name];
    });
    const elsewhere = codes.some((code) => !fieldsetOf(form, code));
    // The question codes are links, so the sentence is cut around them.
    showStatus("error", gettext("Not saved: someone else saved "), [
      ...links,
      elsewhere
        ? gettext(" while you were editing. Your text is kept in this browser; choose for each which text to keep (on the page of that question).")
        : gettext(" while you were editing. Your text is kept in this browser; choose for each which text to keep."),
    ]);
  }

  function renderConflict(code, entry) {
    const fieldset = fieldsetOf(form, code);
    if (!fieldset) return;
    fieldset.querySelector("[data-conflict-panel]")?.remove();
    const { conflict } = entry;
    const title = `${fieldset.id}-conflict-title`;
    const mine = element("section", { class: "mine" }, element("h5", {}, gettext("Your text")));
    const theirs = element(
      "section",
      { class: "theirs" },
      element("h5", {}, interpolate(gettext("Saved meanwhile by %(who)s"), { who: savedBy(conflict) }, true)),
      conflict.version ? describe(fieldset, conflict) : element("p", { class: "blank" }, gettext("No answer is saved.")),
    );
    const refreshMine = () => mine.replaceChildren(mine.firstChild, describe(fieldset, formAnswer(form, code)));
    refreshMine();
    const keep = element("button", { type: "button", "data-keep": "mine" }, gettext("Keep mine"));
    const take = element("button", { type: "button", "data-keep": "theirs" }, gettext("Take theirs"));
    const panel = element(
      "div",
      { class: "conflict", role: "group", "aria-labelledby": title, "data-conflict-panel": "" },
      element(
        "h4",
        { id: title },
        interpolate(
          gettext("%(code)s was saved by %(who)s while you were editing"),
          { code, who: conflict.updated_by || gettext("an operator") },
          true,
        ),
      ),
      element(
        "p",
        {},
        gettext(
          "Your text is not saved yet; it is kept in the form above and in this browser. Keep yours (edit it first to combine both if you like), or take what was saved meanwhile.",
        ),
      ),
      element("div", { class: "conflict-texts" }, mine, theirs),
      element("div", { class: "conflict-choices" }, keep, take),
    );
    panel.refreshMine = refreshMine;
    keep.addEventListener("click", () => keepMine(code));
    take.addEventListener("click", () => takeTheirs(code));
    fieldset.classList.add("in-conflict");
    fieldset.append(panel);
  }

  function closeConflict(code) {
    const fieldset = fieldsetOf(form, code);
    fieldset?.querySelector("[data-conflict-panel]")?.remove();
    fieldset?.classList.remove("in-conflict");
  }

  /** Save the answer as the form holds it, over the version saved meanwhile. */
  function keepMine(code) {
    const entry = pending.read(code);
    if (!entry?.conflict) return;
    pending.write(code, { fields: formAnswer(form, code), version: entry.conflict.version });
    closeConflict(code);
    send();
  }

  /** Show the answer saved meanwhile and drop the user's change to it. */
  function takeTheirs(code) {
    const entry = pending.read(code);
    if (!entry?.conflict) return;
    for (const field of Object.keys(formAnswer(form, code))) show(form, code, field, entry.conflict[field]);
    setPageVersion(form, code, entry.conflict.version);
    pending.remove(code);
    closeConflict(code);
    applySkipLogic(form);
    send();
  }

  async function sendOne(code, entry) {
    const fields = request(entry);
    let response;
    try {
      response = await fetch(saveUrl, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": token,
        },
        body: JSON.stringify({ answers: { [code]: fields } }),
      });
    } catch {
      return { ok: false, reason: "offline" };
    }
    const body = await response.json().catch(() => null);
    if (response.ok && body) {
      const version = body.versions?.[code];
      pending.forget(code, entry.fields, version);
      setPageVersion(form, code, version);
      setQuestionError(form, code, "");
      updateProgress(body.progress);
      return { ok: true };
    }
    if (response.status === 409 && body?.conflicts?.[code]) {
      const kept = pending.read(code) ?? entry;
      kept.conflict = body.conflicts[code];
      pending.write(code, kept);
      setQuestionError(form, code, "");
      renderConflict(code, kept);
      return { ok: false, reason: "conflict" };
    }
    // 401: the session ended; 403 without JSON: the CSRF check failed, as it does when the
    // session cookie was cleared. Either way the user has to sign in again.
    if (response.status === 401 || (response.status === 403 && !body) || response.type === "opaqueredirect") {
      return { ok: false, reason: "session" };
    }
    const message = body?.error || interpolate(gettext("the server answered %(status)s %(text)s"), { status: response.status, text: response.statusText }, true);
    setQuestionError(form, code, message);
    return { ok: false, reason: "refused", message };
  }

  async function sendPending() {
    const kept = pending.all();
    const codes = Object.keys(kept).filter((code) => !kept[code].conflict);
    if (codes.length) showStatus("saving", gettext("Saving…"));
    let failure = null;
    // One question per request: an invalid answer to one question must not hold up the others.
    for (const code of codes) {
      const result = await sendOne(code, kept[code]);
      if (!result.ok && result.reason !== "conflict") {
        failure ??= result;
        if (result.reason !== "refused") break;
      }
    }
    const conflicts = Object.entries(pending.all())
      .filter(([, entry]) => entry.conflict)
      .map(([code]) => code);
    if (failure?.reason === "session") {
      showStatus(
        "error",
        gettext("Not saved: your session has ended. Your changes are kept in this browser and are saved when you come back after signing in."),
        loginLink(),
      );
    } else if (failure?.reason === "offline") {
      showStatus("error", gettext("Not saved: the server cannot be reached. Your changes are kept in this browser and sent again with your next change or visit."));
    } else if (failure) {
      showStatus("error", interpolate(gettext("Not saved: %(message)s"), { message: failure.message }, true));
    } else if (conflicts.length) {
      conflictStatus(conflicts);
    } else {
      showStatus("saved", gettext("Saved"));
    }
  }

  // One round of sending at a time; changes made meanwhile go in the next round.
  async function send() {
    clearTimeout(timer);
    if (sending) {
      again = true;
      return sending;
    }
    sending = sendPending();
    try {
      await sending;
    } finally {
      sending = null;
    }
    if (again) {
      again = false;
      await send();
    }
  }

  function record(input) {
    const code = input.dataset.question;
    pending.remember(code, input.dataset.field, currentValue(form, input), pageVersion(form, code));
    fieldsetOf(form, code)?.querySelector("[data-conflict-panel]")?.refreshMine();
  }

  form.addEventListener("input", (event) => {
    const input = event.target.closest("[data-field]");
    if (!input) return;
    record(input);
    // A refusal is about the text as it was sent: once the user edits it, it no longer holds
    // (it comes back if the server refuses the new text too).
    setQuestionError(form, input.dataset.question, "");
    // Typed fields (text, the evidence address) are sent after a pause in typing.
    if (input.tagName === "TEXTAREA" || input.type === "url") {
      showStatus("editing", gettext("Editing…"));
      clearTimeout(timer);
      timer = setTimeout(send, TYPING_PAUSE_MS);
    }
  });
  form.addEventListener("change", (event) => {
    const input = event.target.closest("[data-field]");
    if (!input) return;
    record(input);
    applySkipLogic(form);
    send();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  // Leaving the page: try once more; what does not arrive stays in this browser.
  window.addEventListener("pagehide", () => {
    const answers = {};
    for (const [code, entry] of Object.entries(pending.all())) {
      if (!entry.conflict) answers[code] = request(entry);
    }
    if (!Object.keys(answers).length) return;
    fetch(saveUrl, {
      method: "POST",
      keepalive: true,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ answers }),
    }).catch(() => {});
  });
  onSignOut(send);

  const submitForm = document.querySelector("[data-submit-form]");
  submitForm?.addEventListener("submit", async (event) => {
    if (!Object.keys(pending.all()).length) return;
    event.preventDefault();
    await send();
    // An answer waiting for the user's choice would be locked out by submitting.
    if (Object.values(pending.all()).some((entry) => entry.conflict)) return;
    submitForm.submit();
  });

  // Changes kept from an earlier visit: show them (with any conflict), then send them.
  const kept = pending.all();
  for (const [code, entry] of Object.entries(kept)) {
    for (const [field, value] of Object.entries(entry.fields)) show(form, code, field, value);
  }
  for (const [code, entry] of Object.entries(kept)) {
    if (entry.conflict) renderConflict(code, entry);
  }
  applySkipLogic(form);
  if (Object.keys(kept).length) send();
}

/** A page the server showed with conflicts (its plain form was posted): the form has the
 * user's text and the choices; it stays a plain form until it is saved. */
function conflictPage(form) {
  applySkipLogic(form);
  form.addEventListener("change", () => applySkipLogic(form));
  const status = form.querySelector("[data-save-status]");
  status.dataset.state = "error";
  status.textContent = gettext("Not saved: choose which text to keep where marked, then Save.");
}

/** A locked page: changes kept in this browser can no longer be saved; say so. */
function lockedPage(notice) {
  const pending = new Pending(notice.dataset.user, notice.dataset.submission);
  const kept = pending.all();
  const codes = Object.keys(kept);
  if (!codes.length) return;
  const heading = document.createElement("p");
  heading.textContent = gettext("This browser kept changes that were not saved before the submission was locked:");
  const list = document.createElement("ul");
  for (const code of codes) {
    for (const [field, value] of Object.entries(kept[code].fields)) {
      const item = document.createElement("li");
      item.textContent = `${code} ${field}: ${value}`;
      list.append(item);
    }
  }
  const discard = document.createElement("button");
  discard.type = "button";
  discard.textContent = gettext("Discard these changes");
  discard.addEventListener("click", () => {
    for (const code of codes) pending.remove(code);
    notice.hidden = true;
  });
  notice.replaceChildren(heading, list, discard);
  notice.hidden = false;
}

const form = document.querySelector("form[data-save-url]");
if (form && "conflicts" in form.dataset) conflictPage(form);
else if (form) answerPage(form);
const notice = document.querySelector("[data-pending-notice]");
if (notice) lockedPage(notice);
