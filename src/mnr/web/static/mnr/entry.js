// Save-as-you-go for the answer pages of a submission.
//
// Every change is first kept in localStorage, one entry per submission and question, and
// removed once the server has saved it. A change therefore survives a failed request, a closed
// tab or an ended session: it is sent again the next time a page of the submission is opened.
// Without this script the page is a plain form with a Save button.

const PREFIX = "mnr:pending:";
const TYPING_PAUSE_MS = 700;

// localStorage can be missing or refuse writes (private windows, full quota): fall back to
// memory, which still saves as you go but no longer survives a closed tab.
const memory = new Map();
const store = {
  keys() {
    try {
      return Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i));
    } catch {
      return Array.from(memory.keys());
    }
  },
  get(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return memory.get(key) ?? null;
    }
  },
  set(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch {
      memory.set(key, value);
    }
  },
  remove(key) {
    try {
      localStorage.removeItem(key);
    } catch {
      /* memory below */
    }
    memory.delete(key);
  },
};

function keyOf(submission, code) {
  return `${PREFIX}${submission}:${code}`;
}

function readEntry(submission, code) {
  try {
    return JSON.parse(store.get(keyOf(submission, code))) || {};
  } catch {
    return {};
  }
}

/** The unsaved changes kept for a submission: {questionCode: {field: value}}. */
function pendingFor(submission) {
  const prefix = `${PREFIX}${submission}:`;
  const pending = {};
  for (const key of store.keys()) {
    if (key && key.startsWith(prefix)) {
      const code = key.slice(prefix.length);
      const entry = readEntry(submission, code);
      if (Object.keys(entry).length) pending[code] = entry;
      else store.remove(key);
    }
  }
  return pending;
}

function remember(submission, code, field, value) {
  const entry = readEntry(submission, code);
  entry[field] = value;
  store.set(keyOf(submission, code), JSON.stringify(entry));
}

/** Forget the fields the server saved, unless they changed again meanwhile. */
function forget(submission, code, saved) {
  const entry = readEntry(submission, code);
  for (const [field, value] of Object.entries(saved)) {
    if (entry[field] === value) delete entry[field];
  }
  if (Object.keys(entry).length) store.set(keyOf(submission, code), JSON.stringify(entry));
  else store.remove(keyOf(submission, code));
}

function selector(code, field) {
  return `[data-question="${CSS.escape(code)}"][data-field="${field}"]`;
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
  const fieldset = form.querySelector(`fieldset[data-question="${CSS.escape(code)}"]`);
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
  error.textContent = `Not saved: ${message}`;
  fieldset.classList.add("has-error");
}

function answerPage(form) {
  const submission = form.dataset.submission;
  const saveUrl = form.dataset.saveUrl;
  const status = form.querySelector("[data-save-status]");
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  let sending = null;
  let again = false;
  let timer = null;

  function showStatus(state, message, loginLink = false) {
    status.dataset.state = state;
    status.replaceChildren(message);
    if (loginLink) {
      const link = document.createElement("a");
      link.href = form.dataset.loginUrl;
      link.textContent = "Sign in again";
      status.append(" ", link, ".");
    }
  }

  async function sendOne(code, fields) {
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
      forget(submission, code, fields);
      setQuestionError(form, code, "");
      updateProgress(body.progress);
      return { ok: true };
    }
    // 401: the session ended; 403 without JSON: the CSRF check failed, as it does when the
    // session cookie was cleared. Either way the user has to sign in again.
    if (response.status === 401 || (response.status === 403 && !body) || response.type === "opaqueredirect") {
      return { ok: false, reason: "session" };
    }
    const message = body?.error || `the server answered ${response.status} ${response.statusText}`;
    setQuestionError(form, code, message);
    return { ok: false, reason: "refused", message };
  }

  async function sendPending() {
    const pending = pendingFor(submission);
    const codes = Object.keys(pending);
    if (!codes.length) {
      if (status.dataset.state !== "error") showStatus("saved", "Saved");
      return;
    }
    showStatus("saving", "Saving…");
    let failure = null;
    // One question per request: an invalid answer to one question must not hold up the others.
    for (const code of codes) {
      const result = await sendOne(code, pending[code]);
      if (!result.ok) {
        failure ??= result;
        if (result.reason !== "refused") break;
      }
    }
    if (!failure) {
      showStatus("saved", "Saved");
    } else if (failure.reason === "session") {
      showStatus(
        "error",
        "Not saved: your session has ended. Your changes are kept in this browser and are saved when you come back after signing in.",
        true,
      );
    } else if (failure.reason === "offline") {
      showStatus("error", "Not saved: the server cannot be reached. Your changes are kept in this browser and sent again with your next change or visit.");
    } else {
      showStatus("error", `Not saved: ${failure.message}`);
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
    remember(submission, code, input.dataset.field, currentValue(form, input));
  }

  form.addEventListener("input", (event) => {
    const input = event.target.closest("[data-field]");
    if (!input) return;
    record(input);
    if (input.tagName === "TEXTAREA") {
      showStatus("editing", "Editing…");
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
  // Leaving the page: try once more; what does not arrive stays in localStorage.
  window.addEventListener("pagehide", () => {
    const pending = pendingFor(submission);
    if (!Object.keys(pending).length) return;
    fetch(saveUrl, {
      method: "POST",
      keepalive: true,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ answers: pending }),
    }).catch(() => {});
  });

  const submitForm = document.querySelector("[data-submit-form]");
  submitForm?.addEventListener("submit", async (event) => {
    if (!Object.keys(pendingFor(submission)).length) return;
    event.preventDefault();
    await send();
    submitForm.submit();
  });

  // Changes kept from an earlier visit: show them, then send them.
  const kept = pendingFor(submission);
  for (const [code, fields] of Object.entries(kept)) {
    for (const [field, value] of Object.entries(fields)) show(form, code, field, value);
  }
  applySkipLogic(form);
  if (Object.keys(kept).length) send();
}

/** A locked page: changes kept in this browser can no longer be saved; say so. */
function lockedPage(notice) {
  const submission = notice.dataset.submission;
  const pending = pendingFor(submission);
  const codes = Object.keys(pending);
  if (!codes.length) return;
  const heading = document.createElement("p");
  heading.textContent = "This browser kept changes that were not saved before the submission was locked:";
  const list = document.createElement("ul");
  for (const code of codes) {
    for (const [field, value] of Object.entries(pending[code])) {
      const item = document.createElement("li");
      item.textContent = `${code} ${field}: ${value}`;
      list.append(item);
    }
  }
  const discard = document.createElement("button");
  discard.type = "button";
  discard.textContent = "Discard these changes";
  discard.addEventListener("click", () => {
    for (const code of codes) store.remove(keyOf(submission, code));
    notice.hidden = true;
  });
  notice.replaceChildren(heading, list, discard);
  notice.hidden = false;
}

const form = document.querySelector("form[data-save-url]");
if (form) answerPage(form);
const notice = document.querySelector("[data-pending-notice]");
if (notice) lockedPage(notice);
