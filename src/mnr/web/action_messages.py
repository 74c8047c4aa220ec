"""What the pages show of an action's refusal (``MnrError``), in the page's language.

The actions write their messages in English: the command line shows them as they are. The
fixed ones that a page can show are listed here for translation and translated where they are
shown; a message that names what was refused (a code, a status, a date) stays as the action
wrote it.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

FIXED_MESSAGES = frozenset(
    {
        # mnr.accounts.actions
        gettext_noop("a focal point speaks for one jurisdiction: give the jurisdiction"),
        gettext_noop("you cannot withdraw your own administrator role; ask another administrator"),
        gettext_noop("you cannot deactivate yourself; ask another administrator"),
        gettext_noop("this sign-up link is not valid; ask an administrator for a new one"),
        gettext_noop("this invitation was withdrawn; ask an administrator for a new one"),
        gettext_noop("this sign-up link was used already; sign in with your username"),
        gettext_noop("choose at least one role for the invited user"),
        gettext_noop("choose a username"),
        # mnr.surveys.actions
        gettext_noop("say what needs changing: returning a submission needs a comment"),
        gettext_noop("say why: reopening a validated submission needs a comment"),
        gettext_noop("a round needs a title"),
        gettext_noop("the disclosure threshold is a number of jurisdictions, 1 or more"),
        # mnr.frameworks.actions
        gettext_noop("a phase name cannot be empty"),
    }
)


def shown(error: Exception) -> str:
    """The message of ``error`` for a page: translated when it is one of the fixed ones."""
    message = str(error)
    return gettext(message) if message in FIXED_MESSAGES else message
