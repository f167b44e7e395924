"""Command line: thin click commands over the library (with cli_common.py, the only modules that
import click).

The scan and watch machinery (numpy, scipy, numba) is imported inside the commands that run it,
so ``--help``, ``--version`` and ``report`` start at once."""
from __future__ import annotations

import json
import sys

import click

from .cli_common import (EXIT_PARTLY, FIELD_OPTIONS, StageDisplay, check_output_file, config_option, debug_option,
                         emit, field_options, notifier, output_options, pick_format, read_options, resolve_options,
                         verifier_options)
from .config import FetchOptions, ScanOptions, WatchOptions
from .model import Report
from .report.output import check_output
from .stages.formats import decode_text, read_bytes
from .stages.read import read_article
from .report.text import render_diff_text, render_text
from .report.csv import render_csv
from .report.html import render_html
from .report.json import load_report, parse_report
from .report.jsonl import render_jsonl

REPORT_FORMATS = ("text", "json", "html", "csv", "jsonl")
DIFF_FORMATS = ("text", "json")
WATCH_FORMATS = ("text", "json")
RENDERERS = {"text": render_text, "json": Report.to_json, "html": render_html, "csv": render_csv,
             "jsonl": render_jsonl}
@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.version_option(package_name="newsdedupe", prog_name="dedupe")
def main(debug: bool) -> None:
    """Find copied, syndicated and rewritten news; name the original; mark what changed."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@output_options(REPORT_FORMATS, "json")
@click.option("--min-words", type=click.IntRange(1), default=ScanOptions.min_words, show_default=True,
              help="Texts with fewer words are skipped (and listed in the report).")
@click.option("-j", "--jobs", type=click.IntRange(1), default=ScanOptions.jobs, show_default=True,
              help="Processes to use (with --engine dask and no scheduler: local Dask workers). "
                   "The report does not depend on it.")
@click.option("--engine", type=click.Choice(("local", "dask")), default="local", show_default=True,
              help="Where the heavy stages run; dask needs the optional extra: pip install 'newsdedupe[dask]'.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask scheduler to use with --engine dask, e.g. tcp://10.0.0.5:8786 "
                   "(default: a local cluster of --jobs workers).")
@click.option("--store", type=click.Path(dir_okay=False),
              help="Also add the documents to this store (an SQLite file, created if missing) and report "
                   "the stories they belong to there, with the articles stored before (local engine only).")
@verifier_options
@click.option("--keep", "keep", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also write the corpus without its duplicates, copies and rewrites to FILE: the originals, "
                   "the texts in no story and the skipped ones, as the input records were, in the input's format "
                   "(or FILE's extension: .jsonl, .json, .csv, .tsv, .parquet, optionally .gz/.zst).")
@click.option("--keep-partial/--drop-partial", default=True, show_default=True,
              help="Whether --keep keeps partial reuses: by default it does, as they carry their own reporting.")
@field_options
@config_option
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@debug_option
def scan(paths, fmt, output, min_words, jobs, engine, scheduler, store, model, threshold, keep, keep_partial,
         config, quiet, **fields):
    """Scan articles for copies, rewrites and partial reuse.

    PATHS are files (.jsonl, .json, .csv, .tsv, .parquet, .txt, .md, .html; also .gz or .zst
    compressed), directories (read recursively), or - for JSONL on standard input.
    """
    if scheduler and engine != "dask" and not config:  # with --config, the file may set the engine
        raise click.UsageError("--scheduler needs --engine dask")
    if keep and "-" in paths:
        raise click.UsageError("--keep reads the inputs again: give files, not standard input")
    check_output_file(output)
    if keep:
        from .stages.keep import keep_format

        check_output(keep)
        keep_format(paths, keep)
    options = resolve_options(config, {
        "min_words": ("min_words", min_words), "jobs": ("jobs", jobs), "engine": ("engine", engine),
        "scheduler": ("scheduler", scheduler), "model": ("verify.model", model),
        "threshold": ("verify.threshold", threshold),
        **{name: (f"read.{name}", fields[name]) for _, name, _ in FIELD_OPTIONS}}).scan
    options.verify.verifier()  # a bad model stops here, before any reading
    if store:
        if options.engine != "local":
            raise click.UsageError("--store works with the local engine only")
        from .engines import incremental

        report = incremental.scan_into_store(list(paths), store, options, progress=notifier(quiet),
                                          stdin=sys.stdin.buffer)
    else:
        from . import pipeline

        report = pipeline.scan(list(paths), options, progress=StageDisplay(quiet), stdin=sys.stdin.buffer,
                               notify=notifier(False))
    kind = pick_format(fmt, output, REPORT_FORMATS, "json")
    emit(RENDERERS[kind](report), output)
    if keep:
        from .stages.keep import write_kept

        kept, total = write_kept(list(paths), report, keep, options.read, keep_partial)
        if not quiet:
            click.echo(f"dedupe: kept {kept} of {total} documents in {keep}", err=True)


@main.command()
@click.argument("labels", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--docs", "docs", multiple=True, required=True, metavar="[NAME=]PATH",
              help="The articles the labels' ids belong to (any input 'scan' reads). Repeat with NAME=PATH "
                   "for labels of several corpora; a label's 'corpus' field names its NAME.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Where to write the model (JSON).")
@click.option("--kind", type=click.Choice(("gbm", "logistic")), default="gbm", show_default=True,
              help="Gradient-boosted trees or a logistic regression.")
@click.option("--precision", type=click.FloatRange(0.5, 1), default=0.95, show_default=True,
              help="The threshold is the lowest whose cross-validated links reach this precision.")
@click.option("--precision-on", metavar="NAME", multiple=True,
              help="Reach --precision on the pairs of this corpus or label file (its file name); repeat "
                   "for several (default: on all pairs).")
@click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True,
              help="Cross-validation folds, split by story.")
@click.option("--seed", type=int, default=0, show_default=True)
@field_options
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@debug_option
def train(labels, docs, output, kind, precision, precision_on, folds, seed, quiet, **fields):
    """Train the verifier from pairs labelled by reading (LABELS: JSON Lines files).

    Each line: {"a": ID, "b": ID, "label": "derived"|"same_event"|"template"|"different",
    "corpus": NAME}. Use the model with 'dedupe scan --model FILE'.
    """
    from .stages.read import read_documents
    from .train import read_labels, train_verifier

    check_output_file(output)
    read = read_options(fields)
    corpora = {}
    for spec in docs:
        name, sep, path = spec.partition("=")
        name, path = (name, path) if sep else ("", spec)
        if name in corpora:
            raise click.UsageError(f"--docs {name or spec}: given twice")
        corpora[name] = read_documents([path], options=read, notify=notifier(False))
    model = train_verifier(read_labels(labels), corpora, kind, precision, folds, seed, precision_on or None)
    emit(model.to_json(), output)
    if not quiet:
        cv = model.about["cross_validation"]
        click.echo(f"dedupe: {model.about['pairs']} pairs; threshold {model.threshold:.4f}", err=True)
        measured = ", ".join(cv["precision_on"]) if isinstance(cv["precision_on"], list) else "all pairs"
        for name, f in [*cv["corpora"].items(), (f"--precision-on ({measured})", cv["measured"])]:
            click.echo(f"dedupe:   {name or 'docs'}: {f['pairs']} pairs, {f['derived']} derived, {f['linked']} linked; "
                       f"cross-validated precision {f['precision']}, recall {f['recall']}", err=True)


@main.command(name="report")
@click.argument("saved", metavar="[REPORT.json]", required=False)
@click.option("--store", type=click.Path(dir_okay=False),
              help="Render every story in this store (made by watch or scan --store) instead.")
@output_options(REPORT_FORMATS, "text")
@debug_option
def report_command(saved, store, fmt, output):
    """Render a saved JSON report again, or a whole store, as text, HTML, CSV or JSON.

    REPORT.json is the output of `dedupe scan --format json` (or - for standard input).
    The report is checked first; a damaged file stops with the place of the problem.
    With --store PATH the report is built from the store instead.
    """
    if (saved is None) == (store is None):
        raise click.UsageError("give either REPORT.json or --store PATH (one of them)")
    check_output_file(output)
    if store is not None:
        from .engines import incremental

        report = incremental.store_report(store)
    elif saved == "-":
        report = parse_report(sys.stdin.buffer.read(), "<stdin>")
    else:
        report = load_report(saved)
    emit(RENDERERS[pick_format(fmt, output, REPORT_FORMATS, "text")](report), output)


@main.command()
@click.argument("original", type=click.Path(dir_okay=False))
@click.argument("copy", type=click.Path(dir_okay=False))
@output_options(DIFF_FORMATS, "json")
@click.option("--color/--no-color", default=None, help="Colour the marks (default: on a terminal).")
@debug_option
def diff(original, copy, fmt, output, color):
    """Show what COPY kept, reworded and added, and what it removed from ORIGINAL.

    Files are read as scan reads them: an HTML page is reduced to its article text (its headline
    is not compared), Markdown front matter is left out; other files are plain text.
    """
    check_output_file(output)
    texts = [read_article(path).text for path in (original, copy)]
    from . import pipeline

    result = pipeline.diff(texts[0], texts[1])
    kind = pick_format(fmt, output, DIFF_FORMATS, "json")
    if kind == "json":
        content = json.dumps({"schema": "dedupe/diff-v1", "original": original, "copy": copy,
                              **result.to_dict()}, indent=2) + "\n"
    else:
        colour = color if color is not None else (output is None and sys.stdout.isatty())
        content = render_diff_text(texts[0], texts[1], result, colour=colour)
        emit(content, output, color=colour)
        return
    emit(content, output)


def _read_feed_list(path: str) -> list[str]:
    text = decode_text(read_bytes(path, path, limit=10_000_000), path)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@main.command()
@click.argument("feeds", nargs=-1)
@click.option("--feeds", "feed_list", type=click.Path(dir_okay=False),
              help="Read feeds from FILE too: one URL or path a line; blank lines and # comments are ignored.")
@click.option("--store", required=True, type=click.Path(dir_okay=False),
              help="The store: an SQLite file kept between runs (created if missing).")
@output_options(WATCH_FORMATS, "json")
@click.option("--no-fetch", is_flag=True,
              help="Never fetch article pages: an entry with only a summary is stored with its summary.")
@click.option("--wait", type=click.FloatRange(0, 86400), default=WatchOptions.wait, show_default=True,
              help="Seconds to wait for another run that holds the store; then give up with exit code 75.")
@click.option("--keep-days", type=click.IntRange(1), default=None,
              help="Drop articles older than N days (and their index entries); older entries are not stored.")
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=FetchOptions.timeout, show_default=True,
              help="Seconds allowed for each feed or page response.")
@click.option("--delay", type=click.FloatRange(0, 60), default=FetchOptions.delay, show_default=True,
              help="Seconds to pause between two requests to the same host.")
@click.option("--allow-private", is_flag=True,
              help="Also fetch article pages (and follow redirects) to loopback and private addresses; by default "
                   "only the feeds named here may be on such addresses.")
@click.option("--min-words", type=click.IntRange(1), default=ScanOptions.min_words, show_default=True,
              help="Texts with fewer words are stored but not compared (and listed as skipped).")
@verifier_options
@config_option
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr (feed failures are still shown).")
@debug_option
def watch(feeds, feed_list, store, fmt, output, no_fetch, wait, keep_days, timeout, delay, allow_private,
          min_words, model, threshold, config, quiet):
    """Read RSS/Atom feeds into a store and report what is new: new stories, new copies of known
    stories (with relation, original and marks) and articles edited since they were stored.

    FEEDS are URLs or local files. Exit codes: 0 every feed read, 3 some feeds or entries could
    not be read (one line each on stderr; the rest was stored), 75 the store is busy, 1 error.
    """
    sources = list(feeds) + (_read_feed_list(feed_list) if feed_list else [])
    if not sources:
        raise click.UsageError("give at least one FEED or --feeds FILE")
    check_output_file(output)
    from .feeds import watch as watching
    from .report.text import render_watch_text

    options = resolve_options(config, {
        "min_words": ("min_words", min_words), "no_fetch": ("fetch_pages", not no_fetch), "wait": ("wait", wait),
        "keep_days": ("keep_days", keep_days), "timeout": ("fetch.timeout", timeout),
        "delay": ("fetch.delay", delay), "allow_private": ("fetch.allow_private", allow_private),
        "model": ("verify.model", model), "threshold": ("verify.threshold", threshold)})
    options.scan.verify.verifier()  # a bad model stops here, before the store is touched
    kind = pick_format(fmt, output, WATCH_FORMATS, "json")

    def deliver(result) -> None:  # while the run holds the store: it counts as reported only once written
        emit(result.to_json() if kind == "json" else render_watch_text(result), output)

    result = watching.watch_feeds(sources, store, options, progress=notifier(quiet, stamped=True), deliver=deliver)
    failed = notifier(False, stamped=True)
    for status in result.feeds:
        if not status.ok:
            failed(f"{status.feed}: {status.problem}")
    if not result.ok:
        click.get_current_context().exit(EXIT_PARTLY)


@main.group(name="store")
def store_group() -> None:
    """Check or repair a store made by watch or scan --store."""


@store_group.command(name="check")
@click.argument("path", type=click.Path(dir_okay=False))
@debug_option
def store_check(path):
    """Check a store: SQLite's full integrity check, then the store's own invariants.

    Prints "PATH: ok", or one line per problem and exits 1.  Read-only: it never waits
    for a running watch and never changes the file.
    """
    from .store import check_store

    problems = check_store(path)
    if not problems:
        click.echo(f"{path}: ok")
        return
    for problem in problems:
        click.echo(f"{path}: {' '.join(str(problem).split())}")
    click.get_current_context().exit(1)


@store_group.command(name="repair")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--wait", type=click.FloatRange(0, 86400), default=WatchOptions.wait, show_default=True,
              help="Seconds to wait for a run that holds the store; then give up with exit code 75.")
@debug_option
def store_repair(path, wait):
    """Rebuild a store: copy every readable row into a new file, build the candidate index again
    from the stored articles and recompute the stories from the links.

    The old file is kept beside it as PATH.damaged-TIME; a repair that fails changes nothing.
    """
    from .engines import incremental

    done = incremental.repair_store(path, wait=wait)
    lost = ", ".join(f"{table} {'some' if n < 0 else n}" for table, n in sorted(done.lost.items()))
    click.echo(f"{path}: rebuilt: {done.copied.get('articles', 0)} article versions kept, {done.indexed} indexed"
               + (f"; rows lost: {lost}" if lost else "; nothing lost") + f"; the old file is {done.backup}")


if __name__ == "__main__":  # pragma: no cover
    main()
