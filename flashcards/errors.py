"""The one exception type users see: the CLI prints it as one line and exits non-zero."""


class FlashcardsError(Exception):
    """A problem the user can fix; its message names what is wrong and where (file:line)."""

    exit_code = 1
