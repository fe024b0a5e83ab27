"""What staff do from a profile, one key each: open its company, export it, exclude or include it, erase it.

A mixin for the profile screen (which has `reader`, `profile_id` and `detail`). Every store
call runs in a thread worker; results come back as messages. Erasure asks first
(screens/confirm.py) and, once done, leaves the profile for the list it came from, which
refreshes as after a batch of new events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding
from textual.message import Message
from textual.worker import get_current_worker

from ...store.actions import ErasurePlan, ErasureReport
from ...store.companies import CompanyRow
from .. import formatting, safe
from ..messages import OpenCompany, StoreChanged
from .company_picker import CompanyPicker
from .confirm import EraseConfirm
from .export_dialog import ExportDialog, ExportRequest

if TYPE_CHECKING:
    from ...reader import StoreReader
    from ...store.queries import ProfileDetail

ACTION_BINDINGS = [
    Binding("c", "open_company", "Company", id="profile.company"),
    Binding("e", "export", "Export", id="profile.export"),
    Binding("x", "toggle_excluded", "Exclude", tooltip="Exclude or include again", id="profile.exclude"),
    Binding("D", "erase", "Delete", id="profile.delete"),
]


class ProfileActions:
    reader: StoreReader
    profile_id: int
    detail: ProfileDetail | None

    class CompaniesFound(Message, bubble=False):
        def __init__(self, companies: list[CompanyRow]) -> None:
            super().__init__()
            self.companies = companies

    class Exported(Message, bubble=False):
        def __init__(self, request: ExportRequest, events: int | None, error: str | None) -> None:
            super().__init__()
            self.request, self.events, self.error = request, events, error

    class ExclusionSet(Message, bubble=False):
        def __init__(self, excluded: bool, found: int) -> None:
            super().__init__()
            self.excluded, self.found = excluded, found

    class PlanReady(Message, bubble=False):
        def __init__(self, plan: ErasurePlan | None) -> None:
            super().__init__()
            self.plan = plan

    class Erased(Message, bubble=False):
        def __init__(self, report: ErasureReport | None) -> None:
            super().__init__()
            self.report = report

    def _who(self) -> str:
        """Who this is, as the screen shows them (masked while masking is on)."""
        if self.detail is None:
            return str(self.profile_id)
        return safe.person_name(self.detail.user.display_name, is_name=bool(self.detail.user.name))

    def _loaded(self) -> bool:
        if self.detail is None:
            self.notify("The profile is still loading (or no longer exists).", severity="warning", markup=False)  # type: ignore[attr-defined]
            return False
        return True

    # -- company --------------------------------------------------------------------
    def action_open_company(self) -> None:
        self._find_companies()

    @work(thread=True, exclusive=True, group="profile-companies", exit_on_error=False)
    def _find_companies(self) -> None:
        found = self.reader.companies_of(self.profile_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.CompaniesFound(found))  # type: ignore[attr-defined]

    def on_profile_actions_companies_found(self, message: CompaniesFound) -> None:
        app = self.app  # type: ignore[attr-defined]
        if not message.companies:
            app.notify("This profile is in no company (companies come from group calls).", markup=False)
        elif len(message.companies) == 1:
            app.post_message(OpenCompany(message.companies[0].id))
        else:
            app.push_screen(CompanyPicker(message.companies), lambda chosen: chosen and app.post_message(OpenCompany(chosen)))

    # -- export -----------------------------------------------------------------------
    def action_export(self) -> None:
        if not self._loaded():
            return
        assert self.detail is not None
        # The file's default name holds the id: masked too if it is an email (`safe.clean`).
        dialog = ExportDialog(safe.clean(self.detail.user.id), self._who())
        self.app.push_screen(dialog, self._export_chosen)  # type: ignore[attr-defined]

    def _export_chosen(self, request: ExportRequest | None) -> None:
        if request is not None:
            self._export(request)

    @work(thread=True, exclusive=True, group="profile-export", exit_on_error=False)
    def _export(self, request: ExportRequest) -> None:
        events, error = None, None
        try:
            # Masked as the screen is, while masking is on: a shared screen may show the file next.
            events = self.reader.export_profile(self.profile_id, request.path, request.fmt, mask=safe.masking())
        except OSError as exc:  # a missing folder, no permission: the file system's answer, shown to the person who asked
            error = f"cannot write {request.path}: {exc.strerror or exc}"
        self.post_message(self.Exported(request, events, error))  # type: ignore[attr-defined]

    def on_profile_actions_exported(self, message: Exported) -> None:
        app = self.app  # type: ignore[attr-defined]
        if message.error:
            app.notify(safe.clean(message.error), title="Export failed", severity="error", markup=False)
        elif message.events is None:
            app.notify("The profile no longer exists: nothing was written.", severity="warning", markup=False)
        else:
            app.notify(
                f"{formatting.count(message.events)} events ({message.request.fmt}) written to {safe.clean(str(message.request.path))}",
                title="Exported", markup=False,
            )  # fmt: skip

    # -- exclude / include ------------------------------------------------------------
    def action_toggle_excluded(self) -> None:
        if self._loaded():
            assert self.detail is not None
            self._set_excluded(not self.detail.user.excluded)

    @work(thread=True, exclusive=True, group="profile-exclude", exit_on_error=False)
    def _set_excluded(self, excluded: bool) -> None:
        found = self.reader.set_excluded(self.profile_id, excluded)
        self.post_message(self.ExclusionSet(excluded, found))  # type: ignore[attr-defined]

    def on_profile_actions_exclusion_set(self, message: ExclusionSet) -> None:
        app = self.app  # type: ignore[attr-defined]
        if not message.found:
            app.notify("The profile no longer exists.", severity="warning", markup=False)
            return
        state = "excluded: left out of every count (x includes it again)" if message.excluded else "included: counted again"
        n = message.found - 1
        mine = f" (with {n} anonymous profile{'s' if n > 1 else ''} of their own)" if n > 0 else ""
        app.notify(f"{self._who()} {state}{mine}", markup=False)
        app.post_message(StoreChanged(frozenset({self.profile_id})))  # every open view re-reads, this one too

    # -- erase --------------------------------------------------------------------------
    def action_erase(self) -> None:
        self._plan_erasure()

    @work(thread=True, exclusive=True, group="profile-erase", exit_on_error=False)
    def _plan_erasure(self) -> None:
        plan = self.reader.erasure_plan(self.profile_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.PlanReady(plan))  # type: ignore[attr-defined]

    def on_profile_actions_plan_ready(self, message: PlanReady) -> None:
        app = self.app  # type: ignore[attr-defined]
        if message.plan is None:
            app.notify("The profile no longer exists.", severity="warning", markup=False)
            return
        app.push_screen(EraseConfirm(message.plan, self._who()), self._erase_confirmed)

    def _erase_confirmed(self, confirmed: bool | None) -> None:
        if confirmed:
            self._erase()
        else:
            self.app.notify("Nothing was erased.", markup=False)  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, group="profile-erase", exit_on_error=False)
    def _erase(self) -> None:
        # Not cancellable in effect: once started, the transaction runs to its end, and its result is reported.
        self.post_message(self.Erased(self.reader.erase_profile(self.profile_id)))  # type: ignore[attr-defined]

    def on_profile_actions_erased(self, message: Erased) -> None:
        app = self.app  # type: ignore[attr-defined]
        report = message.report
        if report is None:
            app.notify("The profile was already gone.", severity="warning", markup=False)
            return
        plan = report.plan
        app.notify(
            f"Erased {safe.clean(plan.external_id)}: {formatting.count(plan.events)} events, "
            f"{formatting.count(report.profiles_removed)} profiles; its ids are suppressed.",
            title="Erased", markup=False,
        )  # fmt: skip
        # Back to where the profile was opened from, which then refreshes as after a batch.
        while self in app.screen_stack:
            app.pop_screen()
        app.post_message(StoreChanged(report.touched_profiles, report.removed_profiles | {self.profile_id}))

