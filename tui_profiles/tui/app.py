"""The App: global bindings, screen routing, the inbox watcher's thread, the store follower's thread and their announcements."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine
from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Tree

from ..config import Settings
from ..domain.clock import Clock
from ..domain.periods import DEFAULT_PERIOD, PERIODS
from ..reader import StoreReader
from ..store.changes import Changes
from . import safe, textual_compat
from .broadcasts import Broadcasts
from .commands import UserJumpProvider
from .company_commands import CompanyJumpProvider
from .held_drawing import hold_updates
from .messages import OpenAudit, OpenCohorts, OpenCompanies, OpenCompany, OpenEvent, OpenProfile, OpenSession, StoreChanged, StoreConnection
from .screens.audit import AuditScreen
from .screens.cohorts import CohortsScreen
from .screens.companies import CompaniesScreen
from .screens.company import CompanyScreen
from .screens.event import EventScreen
from .screens.help import HelpScreen, Section
from .screens.profile import ProfileScreen
from .screens.session import SessionScreen
from .screens.users import UsersScreen
from .widgets.notes import NoteRows
from .widgets.property_tree import PropertyTree
from .widgets.search_bar import QueryInput
from .widgets.virtual_list import VirtualList
from .workers import ReportsWorkerErrors

# The engine for the watcher's writes, given the store URL (a separate, writing engine).
WriterFactory = Callable[[str], Engine]

# CPython collects its youngest objects every 700 net allocations. Textual makes tens of thousands for
# each screen it composes and paints: opening a profile ran ~100 collections, one of them most times a
# full pass over every object the app holds, together ~40 % of the time to open it. At 5,000 an open runs
# ~12, and a full pass comes once in about a dozen opens; the garbage waits a little longer to be freed.
GC_THRESHOLDS = (5_000, 10, 10)

# How long a thread may hold the GIL while another waits for it (Python's default is 5 ms). A worker
# reading the store takes and releases the GIL around every SQLite call; while the event loop is busy
# drawing, each of those waited up to 5 ms (a 2 ms profile read took 40 ms), and the loop waited as
# long behind the ingest thread's parsing. At 1 ms both wait a fifth as long, for a few more switches.
SWITCH_INTERVAL_S = 0.001



class ProfilesApp(ReportsWorkerErrors, App[int]):
    """Look up any visitor and read their journey; the store is only read here, in thread workers."""

    CSS_PATH = "app.tcss"
    TITLE = "tui-profiles"
    COMMANDS = App.COMMANDS | {UserJumpProvider, CompanyJumpProvider}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        Binding("p", "cycle_period", "Period", id="period"),
        Binding("C", "open_companies", "Companies", id="companies"),
        Binding("R", "open_cohorts", "Cohorts", id="cohorts"),
        Binding("M", "toggle_mask", "Mask personal data", show=False, id="mask",
                tooltip="Mask personal data on every screen (emails, names, phones, IPs) for screen sharing; again to show it"),
        Binding("ctrl+p", "command_palette", "Jump to user", key_display="ctrl+p", show=False, priority=True, id="palette"),
    ]

    period: reactive[str] = reactive(DEFAULT_PERIOD)
    masked: reactive[bool] = reactive(False, init=False)  # personal data masked on every screen (`M`, `--mask`)

    def __init__(
        self,
        reader: StoreReader,
        *,
        inbox: Path | None = None,
        writer_engine: WriterFactory | None = None,
        after_prepare: Callable[[], object] | None = None,
        follow: bool = True,
        follow_from: int | None = None,
        mask: bool = False,
    ) -> None:
        """`after_prepare` runs once the profile and session screens are built: `run_app` freezes the
        collector's view of the heap there (`gc.freeze`); tests leave the process as it was.

        `follow`: hear of what other processes store (a separate `watch`, an `ingest`, another agent's
        exclude or erase) through the store's change log, from entry `follow_from` (read before the
        app's first read; None: when the follower starts).

        `mask`: start with personal data masked (`tui-profiles --mask`)."""
        super().__init__()
        self.reader = reader
        self.inbox = inbox
        self.writer_engine = writer_engine
        self.stop_watching = threading.Event()  # stops the watcher's and the follower's threads
        self.watcher_done = threading.Event()  # set when the watcher has returned (its last batch committed)
        self.follow = follow
        self.follow_from = follow_from
        self.follower_done = threading.Event()
        self._profile_screen: ProfileScreen | None = None  # reused by every open (see `open_profile`)
        self._session_screen: SessionScreen | None = None  # likewise
        self.after_prepare = after_prepare
        self.broadcasts = Broadcasts(self)  # the period and store changes, to the screens in the stack
        self.set_reactive(ProfilesApp.masked, mask)
        safe.set_masking(mask)  # before any screen draws (workers build rows in threads: the state is safe's)

    def on_mount(self) -> None:
        # No animations: the tabs' underline glided for 0.3 s, 18 repaints of the screen, over the next keys.
        self.animation_level = "none"
        if self.follow:
            # A thread, not a worker: it lasts as long as the app, and whoever waits for the workers to finish
            # (tests, the benchmark's driver) would wait for ever.
            threading.Thread(target=self._follow_store, name="store-follower", daemon=True).start()
        self.push_screen(UsersScreen(self.reader))
        self.prepare_screens()
        if self.inbox is not None:
            self.watch_inbox(self.inbox)

    def on_unmount(self) -> None:
        self.stop_watching.set()
        safe.set_masking(False)  # the process may open another app (tests do)

    async def action_quit(self) -> None:
        self.stop_watching.set()  # the watcher's thread must not keep the process alive
        self.exit(0)

    # -- routing ------------------------------------------------------------------
    @work(exclusive=True, group="prepare-screens", exit_on_error=False)
    async def prepare_screens(self) -> None:
        """Build the profile and session screens, unseen, before anyone opens one."""
        if self._profile_screen is None:
            profile = self._profile_screen = ProfileScreen(self.reader, None)
            self.install_screen(profile, "profile")
            await textual_compat.mount_unseen(self, profile)
            await profile.prepare()
        if self._session_screen is None:
            session = self._session_screen = SessionScreen(self.reader, None)
            self.install_screen(session, "session")
            await textual_compat.mount_unseen(self, session)
            textual_compat.lay_out_unseen(session, self.size)
            session.styled()
        if self.after_prepare is not None:
            self.after_prepare()

    def open_profile(self, profile_id: int) -> None:
        # One profile screen serves every open: composing, styling and laying out a new one was most of
        # the time an open took. It is installed, so closing it keeps it for the next. Only a profile
        # opened while that screen is in the stack (profile -> company -> member) gets a screen of its own.
        screen = self._profile_screen
        if screen is None:
            screen = self._profile_screen = ProfileScreen(self.reader, profile_id)
            self.install_screen(screen, "profile")
        elif screen in self.screen_stack:
            screen = ProfileScreen(self.reader, profile_id)
        else:
            screen.show(profile_id)  # also before it is mounted: it reads its profile once it is
            hold_updates(self, screen.shown)
        self.push_screen(screen)

    def open_session(self, profile_id: int, start: int) -> None:
        # One session screen for every open, as for profiles (see `open_profile`).
        screen = self._session_screen
        if screen is None:
            screen = self._session_screen = SessionScreen(self.reader, profile_id, start)
            self.install_screen(screen, "session")
        elif screen in self.screen_stack:
            screen = SessionScreen(self.reader, profile_id, start)
        else:
            screen.show(profile_id, start)
            hold_updates(self, screen.shown)
        self.push_screen(screen)

    def open_event(self, event_id: int) -> None:
        self.push_screen(EventScreen(self.reader, event_id))

    def open_company(self, company_id: str) -> None:
        self.push_screen(CompanyScreen(self.reader, company_id))

    def open_companies(self) -> None:
        if not isinstance(self.screen, CompaniesScreen):
            self.push_screen(CompaniesScreen(self.reader))

    def open_cohorts(self) -> None:
        if not isinstance(self.screen, CohortsScreen):
            self.push_screen(CohortsScreen(self.reader))

    def open_audit(self) -> None:
        if not isinstance(self.screen, AuditScreen):
            self.push_screen(AuditScreen(self.reader))

    # Screens ask with a message (tui/messages.py); the methods above do the opening (tests call them too).
    @on(OpenProfile)
    def _profile_asked(self, message: OpenProfile) -> None:
        self.open_profile(message.profile_id)

    @on(OpenSession)
    def _session_asked(self, message: OpenSession) -> None:
        self.open_session(message.profile_id, message.start)

    @on(OpenEvent)
    def _event_asked(self, message: OpenEvent) -> None:
        self.open_event(message.event_id)

    @on(OpenCompany)
    def _company_asked(self, message: OpenCompany) -> None:
        self.open_company(message.company_id)

    @on(OpenCompanies)
    def _companies_asked(self) -> None:
        self.open_companies()

    @on(OpenCohorts)
    def _cohorts_asked(self) -> None:
        self.open_cohorts()

    @on(OpenAudit)
    def _audit_asked(self) -> None:
        self.open_audit()

    def action_open_companies(self) -> None:
        self.open_companies()

    def action_open_cohorts(self) -> None:
        self.open_cohorts()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cycle_period":
            # The period applies to the user list, a profile's overview and a company's figures only.
            return isinstance(self.screen, (UsersScreen, ProfileScreen, CompanyScreen))
        if action in ("open_companies", "open_cohorts", "toggle_mask"):
            return not isinstance(self.screen, ModalScreen)  # not from above the help or a confirmation
        return True

    def action_cycle_period(self) -> None:
        names = list(PERIODS)
        self.period = names[(names.index(self.period) + 1) % len(names)]

    def watch_period(self, period: str) -> None:
        # Heard by the screens in the stack, as store changes are (tui/broadcasts.py). Not a watcher each
        # screen registers on the app (`self.watch(self.app, "period", ...)`): that is only dropped when
        # the period next changes, and until then it keeps every closed screen in memory.
        self.broadcasts.period.publish(period)

    def action_toggle_mask(self) -> None:
        self.masked = not self.masked

    def watch_masked(self, masked: bool) -> None:
        # Not from above a dialog (check_action): a dialog is drawn once, masked or not as it opens.
        safe.set_masking(masked)
        self.broadcasts.mask.publish(masked)  # each screen in the stack draws what it shows again
        self.notify("Personal data masked (M shows it)" if masked else "Personal data shown (M masks it)", markup=False)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(help_sections()))

    # -- live ---------------------------------------------------------------------
    def announce(self, result: object) -> None:
        """The watcher stored a batch (`BatchResult`). Safe to call from any thread.

        The follower skips the batch's entry in the change log (written by this process), so it refreshes once.
        """
        touched = frozenset(getattr(result, "touched_profiles", ()) or ())
        removed = frozenset(getattr(result, "removed_profiles", ()) or ())
        if touched or removed:
            self.post_message(StoreChanged(touched, removed))

    def on_store_changed(self, message: StoreChanged) -> None:
        self.broadcasts.store.publish(message)

    def _follow_store(self) -> None:
        """The follower's thread: hears every write to the store until the app stops it (`stop_watching`)."""
        try:
            follower = self.reader.follower(self._heard, on_status=self._connection, start=self.follow_from)
            follower.run(self.stop_watching)
        except Exception as error:  # noqa: BLE001 - this is no worker: said here, as a worker's failure would be
            if not self.stop_watching.is_set():
                self.post_message(StoreConnection(False))
                self.call_from_thread(self.notify, f"Stopped following the store: {type(error).__name__}: {error}",
                                      severity="error", markup=False)  # fmt: skip
        finally:
            self.follower_done.set()

    def _heard(self, changes: Changes) -> None:
        """The follower read new entries of the change log (another process's writes). Any thread."""
        self.post_message(StoreChanged(changes.touched, changes.removed, everything=changes.everything))

    def _connection(self, connected: bool) -> None:
        self.post_message(StoreConnection(connected))

    def on_store_connection(self, message: StoreConnection) -> None:
        note = "" if message.connected else "disconnected from the store, retrying…"
        if note != self.broadcasts.connection_note:
            self.broadcasts.connection_note = note
            self.broadcasts.connection.publish(note)
            if message.connected:
                self.notify("Connected to the store again; caught up.", markup=False)

    @work(thread=True, exclusive=True, group="watcher", exit_on_error=False)
    def watch_inbox(self, folder: Path) -> None:
        """Run the inbox watcher in this thread until the app stops it (`stop_watching`)."""
        try:
            from ..ingest.watcher import InboxWatcher
            from ..store.engine import make_engine

            factory = self.writer_engine or (lambda url: make_engine(url, writer=True))
            engine = factory(self.reader.settings.db_url)
            try:
                InboxWatcher(engine, self.reader.settings, folder, on_batch=self.announce).run(self.stop_watching)
            finally:
                engine.dispose()
        finally:
            self.watcher_done.set()


def help_sections() -> list[Section]:
    return [
        ("Everywhere", ProfilesApp),
        ("Lists", VirtualList),
        ("Users", UsersScreen),
        ("Suggestions", QueryInput),
        ("Profile", ProfileScreen),
        ("Notes", NoteRows),
        ("Session", SessionScreen),
        ("Event", EventScreen),
        ("Event tree", PropertyTree),
        ("Event tree", Tree),
        ("Companies", CompaniesScreen),
        ("Company", CompanyScreen),
        ("Cohorts", CohortsScreen),
        ("Help", HelpScreen),
    ]


def tune_process() -> None:
    """Tune the interpreter for the app: rarer collections of young objects, quicker GIL hand-overs.

    Process-wide and never undone: for a process that runs the app (`run_app`, the benchmarks), not
    for the tests. Pass `after_prepare=freeze_heap` to the app as well.
    """
    gc.set_threshold(*GC_THRESHOLDS)
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def freeze_heap() -> None:
    """What exists now (the app, its screens, Textual's and the modules' objects) lives as long as the
    app: a full collection need not walk it again. It took 50-140 ms a time, about once per profile
    opened, by then over ~300,000 objects. Run once the screens are prepared (`after_prepare`)."""
    gc.freeze()


def run_app(settings: Settings, inbox: Path | None = None, *, mask: bool = False) -> int:
    """Open the app on the store in `settings`, watching `inbox` if given, personal data masked if `mask`; the exit code."""
    from ..domain.clock import now_ms  # honours TUI_PROFILES_NOW, the pinned time of demos
    from ..store.engine import make_engine

    reader = StoreReader(make_engine(settings.db_url), settings, Clock(now=now_ms))
    tune_process()
    # Read before the first screen reads the store: a change committed after it is heard.
    app = ProfilesApp(reader, inbox=inbox, after_prepare=freeze_heap, follow_from=reader.change_position(), mask=mask)
    try:
        result = app.run()
    finally:
        # However the app ended, the watcher's thread must end too (an executor thread is joined at exit).
        app.stop_watching.set()
    if inbox is not None:
        app.watcher_done.wait(10)  # let it commit what it has read
    app.follower_done.wait(2)  # it may be reading the store: let it finish before the engine goes
    reader.engine.dispose()
    return int(result or app.return_code or 0)

