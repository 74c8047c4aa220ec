// Signing out removes the answers this browser kept, so that the next person using it cannot
// read them. What can still be saved is saved first; if something cannot (a conflict waiting
// for a choice, no connection), the user is asked before it is removed.

import { clearAll, pendingCount, saveBeforeSignOut } from "./pending.js";

const form = document.querySelector("form[data-sign-out]");
form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  await saveBeforeSignOut();
  const left = pendingCount(form.dataset.user);
  if (
    left &&
    !window.confirm(
      `${left === 1 ? "One answer you entered is" : `${left} answers you entered are`} not saved yet. ` +
        "Signing out removes them from this browser. Sign out anyway?",
    )
  ) {
    return;
  }
  clearAll();
  form.submit();
});
