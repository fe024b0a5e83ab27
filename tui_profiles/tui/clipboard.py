"""Whether the terminal is likely to take a copy sent as OSC 52 (Textual's `App.copy_to_clipboard`).

OSC 52 asks the terminal to set the clipboard, which works over SSH and through tmux, but a terminal
that does not know it drops it without a word. So where it is known not to arrive, the copy is also
written to a file and the notification names it. Known not to arrive:
- no terminal at all (the app runs headless: tests, a pipe);
- the Linux console (`TERM=linux`) and macOS Terminal (`TERM_PROGRAM=Apple_Terminal`), which ignore OSC 52;
- GNU screen (`STY` set), which does not pass it on;
- tmux (`TMUX` set) unless its `set-clipboard` option is `on` (`tmux show -gv set-clipboard`): with
  `external`, tmux's default, it ignores an application's OSC 52 (its own copies still reach the
  terminal), and with `off` it ignores them all; a tmux that cannot be asked counts as off.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping


def tmux_set_clipboard() -> str | None:
    """tmux's `set-clipboard` option, or None when tmux cannot be asked (blocks: run it in a worker)."""
    try:
        run = subprocess.run(["tmux", "show", "-gv", "set-clipboard"], capture_output=True, text=True, timeout=2)
    except (OSError, subprocess.SubprocessError):
        return None
    return run.stdout.strip() if run.returncode == 0 else None


def unreachable(
    *, headless: bool, env: Mapping[str, str] | None = None, tmux_option: Callable[[], str | None] = tmux_set_clipboard
) -> str | None:
    """Why an OSC 52 copy would probably not reach the clipboard, or None when it should."""
    env = os.environ if env is None else env
    if headless:
        return "no terminal"
    if env.get("TERM") == "linux":
        return "the Linux console has no clipboard"
    if env.get("TERM_PROGRAM") == "Apple_Terminal":
        return "macOS Terminal does not take OSC 52"
    if env.get("TMUX"):
        option = tmux_option()
        if option != "on":
            return f"tmux set-clipboard is {option or 'unknown'}, not on"
    elif env.get("STY"):
        return "GNU screen does not pass OSC 52 on"
    return None
