// Signing out removes the answers this browser kept, so that the next person using it cannot
// read them. What can still be saved is saved first; if something cannot (a conflict waiting
// for a choice, no connection), the user is asked before it is removed.

import { clearAll, pendingCount, saveBeforeSignOut } from "./pending.js";

// From the djangojs catalogue that base.html loads (/jsi18n/); English without it.
const ngettext = window.ngettext ?? ((singular, plural, count) => (count === 1 ? singular : plural));
const interpolate = window.interpolate ?? ((format, values) => format.replace(/%\((\w+)\)s/g, (_, name) => values[name]));

const form = document.querySelector("form[data-sign-out]");
form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  await saveBeforeSignOut();
  const left = pendingCount(form.dataset.user);
  if (
    left &&
    !window.confirm(
      interpolate(
        ngettext(
          "One answer you entered is not saved yet. Signing out removes them from this browser. Sign out anyway?",
          "%(count)s answers you entered are not saved yet. Signing out removes them from this browser. Sign out anyway?",
          left,
        ),
        { count: left },
        true,
      ),
    )
  ) {
    return;
  }
  clearAll();
  form.submit();
});
