"""Hold the app's drawing back until a screen's answer is in, so it is drawn once, complete."""

from __future__ import annotations

import asyncio

from textual.app import App

from . import textual_compat

# Opening a profile holds the screen's drawing back until its header and Overview are read (a few ms
# on an idle store), so it is laid out and drawn once, complete, not empty and then again; never longer.
HOLD_FOR_DATA_S = 0.15


def hold_updates(app: App, ready: asyncio.Event, timeout: float = HOLD_FOR_DATA_S) -> None:
    """Draw nothing until `ready` is set (or `timeout` passed); keys are still handled meanwhile."""
    held = app.batch_update()
    held.__enter__()

    async def release() -> None:
        try:
            await asyncio.wait_for(ready.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            held.__exit__(None, None, None)
            # Drawn as soon as the screen has handled what the answer changed (the messages already
            # queued to it), not at the next frame of its update timer (up to 1/60 s later).
            screen = app.screen
            screen.refresh()
            screen.call_later(textual_compat.paint_now, screen)
            # A screen shown under a modal one (the Timeline under `d`'s prompt) asked for its layout while
            # held and was told no; Textual prompts only the app when a hold ends, so that screen would wait,
            # not laid out, until some message of its own came (a timer's, seconds later).
            for under in app.screen_stack[:-1]:
                if under.is_current:
                    under.check_idle()

    app.run_worker(release(), group="hold-updates", exit_on_error=False)
