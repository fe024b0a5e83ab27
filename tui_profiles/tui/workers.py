"""One way a failed worker is reported: a notification on screen, never a crash, never silence."""

from __future__ import annotations

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
