"""What every command of cli.py shares: the error boundary (one line, ``--debug`` for the
traceback), the options spelled once (-o/--format, the record field names, --model/--threshold,
--config), choosing the output format and writing it, the run's options from defaults, settings
file and flags, and progress on stderr."""
from __future__ import annotations

import functools
import sys
import traceback
from datetime import datetime

import click

from .config import ReadOptions, WatchOptions
from .errors import DedupeError, StoreBusyError
from .report.output import check_output, write_output
from .settings import apply_settings, read_config
from .stages.read import FIELD_ALIASES


EXTENSIONS = {"json": "json", "html": "html", "htm": "html", "csv": "csv", "txt": "text", "text": "text",
              "jsonl": "jsonl", "ndjson": "jsonl"}


EXIT_PARTLY = 3  # watch: some feeds or entries could not be read; the rest was stored
EXIT_BUSY = 75  # EX_TEMPFAIL: another run holds the store; try again later


class _StoreBusy(click.ClickException):
    exit_code = EXIT_BUSY


def debug_option(func):
    """--debug on every command: show the traceback instead of one line."""
    @click.option("--debug", is_flag=True, help="Show the full traceback on errors.")
    @functools.wraps(func)
    def wrapper(*args, debug: bool = False, **kwargs):
        ctx = click.get_current_context()
        debug = debug or bool(ctx.find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.Abort, click.exceptions.Exit):
            raise
        except DedupeError as exc:
            if debug:
                traceback.print_exc()
            if isinstance(exc, StoreBusyError):
                raise _StoreBusy(str(exc)) from None
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            raise click.Abort() from None
        except Exception as exc:  # a bug: still one line unless --debug
            if debug:
                raise
            raise click.ClickException(f"internal error: {type(exc).__name__}: {exc} "
                                       "(run with --debug for the traceback)") from None
    return wrapper


def output_options(formats: tuple[str, ...], default: str):
    """-o/--output and --format, spelled the same on every command."""
    def decorate(func):
        func = click.option("-o", "--output", type=click.Path(dir_okay=False),
                            help="Write the report to FILE instead of standard output (checked before the work "
                                 "starts; written to a temporary file beside it, then renamed).")(func)
        otherwise = "text" if default == "text" else f"text on a terminal and {default} otherwise"
        func = click.option("--format", "fmt", type=click.Choice(formats),
                            help=f"Output format (default: from the -o file's extension, else {otherwise}).")(func)
        return func
    return decorate


FIELD_OPTIONS = (("--id-field", "id_field", "id"), ("--text-field", "text_field", "text"),
                 ("--date-field", "date_field", "published"), ("--source-field", "source_field", "source"),
                 ("--title-field", "title_field", "title"), ("--url-field", "url_field", "url"))


def field_options(func):
    """--text-field and the others: which field of a JSON/CSV/Parquet record holds what."""
    for flag, name, field in reversed(FIELD_OPTIONS):
        func = click.option(flag, name, metavar="NAME",
                            help=f"The records' {field} field (default: the first present of "
                                 f"{', '.join(FIELD_ALIASES[field])}).")(func)
    return func


def read_options(params: dict) -> ReadOptions:
    return ReadOptions(**{name: params.pop(name) for _, name, _ in FIELD_OPTIONS})


def verifier_options(func):
    """--model and --threshold, the verifier's settings users tune (scan and watch)."""
    func = click.option("--threshold", type=click.FloatRange(0, 1), default=None,
                        help="Link a pair when the verifier's probability is at least this (default: the model's "
                             "own, chosen for a precision of 0.95). Higher: fewer, surer links.")(func)
    return click.option("--model", type=click.Path(dir_okay=False), default=None,
                        help="Verifier model written by 'dedupe train' (default: the one shipped in the "
                             "package).")(func)


def pick_format(fmt: str | None, output: str | None, formats: tuple[str, ...], default: str) -> str:
    if fmt:
        return fmt
    if output:
        suffix = output.rsplit(".", 1)[-1].lower() if "." in output else ""
        kind = EXTENSIONS.get(suffix, "text")
        return kind if kind in formats else "text"
    return "text" if sys.stdout.isatty() else default


def emit(content: str, output: str | None, color: bool | None = None) -> None:
    """The one way every command writes its report: atomically to -o FILE, else to stdout."""
    if output:
        write_output(output, content)
    else:
        click.echo(content, nl=False, color=color)


def check_output_file(output: str | None) -> None:
    if output:
        check_output(output)


def config_option(func):
    return click.option("--config", "config", type=click.Path(dir_okay=False), metavar="FILE",
                        help="Read settings from this TOML file (every option of the README's settings table); "
                             "flags given here win over it.")(func)


def resolve_options(config: str | None, flags: dict[str, tuple[str, object]]) -> WatchOptions:
    """The options of a run: the defaults, then the --config file's settings, then the flags
    given on the command line. `flags` maps a click parameter to (settings key, value)."""
    ctx = click.get_current_context()
    options = WatchOptions()
    if config:
        options = apply_settings(options, read_config(config), config)
    given = {key: value for param, (key, value) in flags.items()
             if ctx.get_parameter_source(param) not in (click.core.ParameterSource.DEFAULT,
                                                       click.core.ParameterSource.DEFAULT_MAP)}
    return apply_settings(options, given, "command line")


class StageDisplay:
    """scan's progress on stderr: on a terminal a bar per stage with counts and an ETA (click's);
    otherwise one line per stage that took a second or more; nothing with -q."""

    def __init__(self, quiet: bool) -> None:
        from .pipeline import StageClock

        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.bar = None
        self.clock = StageClock(self._ended)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet:
            return
        from .pipeline import COMPILE_STAGE

        if stage == COMPILE_STAGE and done == 0:
            click.echo("dedupe: first run: numba is compiling the numeric kernels (cached for the next runs)",
                       err=True)
        if self.tty:
            if done == 0:
                self._close()
                self.bar = click.progressbar(length=max(total, 1), label=f"dedupe: {stage:<20}", file=sys.stderr,
                                             show_eta=total > 1, show_pos=total > 1, show_percent=False, width=30)
                self.bar.__enter__()
            elif self.bar is not None:
                self.bar.update(done - self.bar.pos)
        self.clock(stage, done, total)

    def _ended(self, stage: str, seconds: float) -> None:
        if self.tty:
            if self.bar is not None:
                self.bar.label = f"dedupe: {f'{stage} {seconds:.1f}s':<20}"
                self.bar.update(self.bar.length - self.bar.pos)
                self._close()
        elif seconds >= 1.0 or stage == "read":
            click.echo(f"dedupe: {stage} done in {seconds:.1f}s", err=True)

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.render_progress()
            self.bar.__exit__(None, None, None)
            self.bar = None


def notifier(quiet: bool, stamped: bool = False):
    """Progress messages on stderr; `stamped`: each line starts with the local time (watch's log)."""
    def notify(message: str) -> None:
        if not quiet:
            stamp = f"{datetime.now().astimezone().isoformat(timespec='seconds')} " if stamped else ""
            click.echo(f"{stamp}dedupe: {message}", err=True)
    return notify
