"""One way a failed worker is reported: a notification on screen, never a crash, never silence;
and a way to start a read on a thread at once (`read_now`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

from . import safe


class ReportsWorkerErrors:
    """Mixin for screens and widgets that run workers (worker state changes do not bubble)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            report_worker_error(self, event.worker)  # type: ignore[arg-type]


def report_worker_error(node, worker: Worker) -> None:  # noqa: ANN001 - any DOMNode
    error = worker.error
    node.log.error(f"worker {worker.group}/{worker.name} failed", error)
    node.app.notify(
        safe.clean(f"{type(error).__name__}: {error}"),
        title=f"Could not load ({worker.group})",
        severity="error",
        markup=False,
    )


def read_now(node: DOMNode, group: str, read: Callable[[], None]) -> None:
    """Run `read` on a thread from this moment, watched by an exclusive worker of `group` on `node`.

    A thread worker's thread starts only when the event loop next gets to the worker's task, and a
    screen being shown handles all its queued messages (styles, layout, drawing) first: an open read
    its profile 50-150 ms after the key. Here the thread is asked for at once; the worker only awaits
    it, so a failed read is reported as any worker's, and a newer read of the group cancels the wait.
    `read` cannot see that cancellation: what it posts must say what it answers, for stale answers
    to be dropped.
    """
    future = asyncio.get_running_loop().run_in_executor(None, read)
    node.run_worker(_wait(future), group=group, exclusive=True, exit_on_error=False)


async def _wait(future: asyncio.Future[None]) -> None:
    await future
