"""Command line: a thin layer over the library. Errors become one line on stderr and exit 1."""
from __future__ import annotations

import argparse
import logging
import sys

from pipeline.core.config import data_paths
from pipeline.core.errors import PipelineError

log = logging.getLogger("pipeline")


def cmd_add(args: argparse.Namespace) -> int:
    from pipeline.core.errors import ConfigError
    from pipeline.ingest.add import accept_damaged_media, add_recording, reimport_page

    paths = data_paths(args.data)
    warnings: list[str] = []  # printed after the result line, only when the add succeeded
    if args.media is None and args.page is None and args.accept_damaged:
        rec = accept_damaged_media(paths, args.slug)
        print(f"{rec.slug}: damaged media will be kept as far as it decodes (and flagged); run 'make all'")
    elif args.media is None:  # no media: re-import the page of an existing recording
        if args.captions:
            raise ConfigError("--captions needs --media: a page re-import keeps the recording's media and captions")
        update = reimport_page(paths, args.slug, args.page, title=args.title, language=args.language,
                               date=args.date, on_warning=warnings.append)
        print(f"updated {args.slug}: {update.describe()} -> {paths.recording_dir(args.slug) / 'recording.yaml'}")
    else:
        rec = add_recording(paths, args.slug, args.media, page=args.page, language=args.language,
                            captions=args.captions, title=args.title, date=args.date,
                            accept_damaged=args.accept_damaged, on_warning=warnings.append)
        folder = paths.recording_dir(rec.slug)
        print(f"added {rec.slug}: {len(rec.chapters)} chapters, {len(rec.speakers)} speakers, "
              f"language {rec.language} -> {folder / 'recording.yaml'}")
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from pipeline.runner.run import run_batch
    from pipeline.stages import select_stages

    paths = data_paths(args.data)
    stages = select_stages(args.stages)
    slugs = args.slugs or paths.slugs()
    on_note = lambda line: print(f"warning: {line}", file=sys.stderr)
    if (args.workers or args.scheduler) and slugs:  # on Dask: recordings on workers, index here at the end
        from pipeline.runner.distributed import run_distributed

        report = run_distributed(paths, slugs, stages, workers=args.workers, scheduler=args.scheduler,
                                 force=args.force, on_event=_report, on_note=on_note,
                                 on_progress=lambda line: print(line, file=sys.stderr, flush=True))
    else:
        report = run_batch(paths, slugs, stages, force=args.force, on_event=_report, on_note=on_note)
    if not slugs:
        print(f"no recordings in {paths.recordings}; add one with 'pipeline add'")
        return 0
    print(f"outputs in {paths.work}")
    if report.failed and len(slugs) > 1:  # one recording: its error line says it all
        print(f"{len(report.failed)} of {len(slugs)} recording(s) failed: {', '.join(report.failed)} "
              "(see 'pipeline status')", file=sys.stderr)
    return 1 if report.failed else 0


def _report(result) -> None:
    if result.status == "failed":
        where = f"{result.stage}: " if result.stage else ""
        print(f"error: {result.slug}: {where}{result.error}", file=sys.stderr)
    elif result.status == "ran":
        where = ", ".join(result.outputs[:3]) + (" ..." if len(result.outputs) > 3 else "")
        print(f"[{result.slug}] {result.stage}: done in {result.seconds:.1f} s -> {where}")
    else:
        print(f"[{result.slug}] {result.stage}: up to date")


def cmd_status(args: argparse.Namespace) -> int:
    from pipeline.runner.run import health_notes, status_table
    from pipeline.stages import all_stages

    paths = data_paths(args.data)
    stages = all_stages()
    for line in health_notes(paths, stages):  # shared files (index, review database) first
        print(f"warning: {line}", file=sys.stderr)
    rows = status_table(paths, stages)
    if not rows:
        print(f"no recordings in {paths.recordings}")
        return 0
    columns = ["recording"] + [s.name for s in stages]
    widths = {c: max(len(c), *(len(r.get(c, "").split(":")[0]) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(row.get(c, "").split(":")[0].ljust(widths[c]) for c in columns))
    for row in rows:
        for c in columns[1:]:
            if row.get(c, "").startswith("failed:"):
                print(f"  {row['recording']} {c}: {row[c][len('failed: '):]}")
        if "error" in row:
            print(f"  {row['recording']}: {row['error']}")
        for warning in row.get("warnings", "").splitlines():
            print(f"  {row['recording']} warning: {warning}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    import sqlite3

    from pipeline.index.api import SearchFilters, format_hits, search

    filters = SearchFilters(recording=tuple(args.recording or ()), speaker=args.speaker or "",
                            language=args.language or "", since=args.since or "", until=args.until or "",
                            chapter=args.chapter or "", limit=args.limit)
    try:
        hits = search(data_paths(args.data), args.query, filters)
    except sqlite3.Error as exc:  # the backend names damage itself; anything else still gets one line
        print(f"error: cannot read the search index ({exc}); 'make all' rebuilds it", file=sys.stderr)
        return 1
    if hits.note:
        print(f"note: {hits.note}", file=sys.stderr)
    print(format_hits(hits, "json" if args.json else "csv" if args.csv else "text"), end="")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    from pipeline.review.app import serve

    serve(data_paths(args.data), host=args.host, port=args.port, token=args.token)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from pipeline.publish.export import EmptySectionsError, empty_sections, export

    paths = data_paths(args.data)
    try:
        path = export(paths, args.slug, args.format, args.out, allow_empty=args.allow_empty,
                      allow_gaps=args.allow_gaps)
    except EmptySectionsError as exc:
        for section in exc.sections:
            print(f"warning: {args.slug}: nothing approved in {section}", file=sys.stderr)
        print("nothing written: approve items in `pipeline review`, or pass --allow-empty", file=sys.stderr)
        return 1
    if args.format in ("md", "html"):
        for section in empty_sections(paths, args.slug):  # --allow-empty: still say what is missing
            print(f"warning: {args.slug}: nothing approved in {section}", file=sys.stderr)
    print(f"exported {args.slug} ({args.format}) -> {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pipeline", description=__doc__)
    parser.add_argument("--data", help="data folder (default: $PIPELINE_DATA or ./data)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("add", help="add a recording: copy its media, import its page "
                                   "(without --media: re-import the page of an existing recording)")
    p.add_argument("slug", help="short folder name, e.g. open-college-2024-06")
    p.add_argument("--media", help="video or audio file (required for a new recording)")
    p.add_argument("--page", help="page text in the seed's format (title, date, chapters, speakers)")
    p.add_argument("--language", help="spoken language (nl, en); default from the page or nl")
    p.add_argument("--captions", help="human captions (SRT/WebVTT) to use instead of Whisper")
    p.add_argument("--title", help="title (default from the page or the slug)")
    p.add_argument("--date", help="date of the recording, YYYY-MM-DD (default from the page)")
    p.add_argument("--accept-damaged", action="store_true",
                   help="keep what decodes of damaged media (flagged for editors) instead of refusing it")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("run", help="run every out-of-date stage for the recordings")
    p.add_argument("slugs", nargs="*", help="recordings (default: all)")
    p.add_argument("--stages", nargs="+", help="only these stages")
    p.add_argument("--force", action="store_true", help="re-run even if up to date")
    dist = p.add_mutually_exclusive_group()
    dist.add_argument("--workers", type=int, metavar="N",
                      help="run recordings on N local Dask worker processes (needs the 'dask' extra)")
    dist.add_argument("--scheduler", metavar="ADDRESS",
                      help="run recordings on a running Dask cluster, e.g. tcp://host:8786 (workers must see "
                           "the same data folder)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("status", help="table of recordings x stages")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("review", help="open the editor review app in the browser")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.add_argument("--token", help="access token, required for a --host other than this machine "
                                   "(default $REVIEW_TOKEN)")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("export", help="export the reviewed page (md, html) or corrected subtitles (srt, vtt)")
    p.add_argument("slug", help="recording")
    p.add_argument("--format", required=True, choices=["md", "html", "srt", "vtt"], help="output format")
    p.add_argument("--out", help="output file (default data/work/<slug>/export/page.<fmt> or transcript.<fmt>)")
    p.add_argument("--allow-gaps", action="store_true",
                   help="export even when a chapter has speech not transcribed that no editor has checked")
    p.add_argument("--allow-empty", action="store_true",
                   help="write the page even when a section has nothing approved (warnings are still printed)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("search", help="search all transcripts: words (any form), \"exact phrases\", prefix*, "
                                      "AND / OR / NOT")
    p.add_argument("query", help='e.g. samenwerking, "human capital", wegbeheer*, data NOT privacy')
    p.add_argument("--recording", action="append", help="only this recording (slug; repeatable)")
    p.add_argument("--speaker", help="only sentences of speakers whose name contains this")
    p.add_argument("--language", help="only recordings in this language (nl, en)")
    p.add_argument("--since", help="only recordings on or after this date (YYYY-MM-DD)")
    p.add_argument("--until", help="only recordings on or before this date (YYYY-MM-DD)")
    p.add_argument("--chapter", help="only this chapter: a number (from 1, as in status and results) "
                                      "or words of its title")
    p.add_argument("--limit", type=int, default=20, help="number of results (default 20)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON (a list of results)")
    fmt.add_argument("--csv", action="store_true", help="print CSV (one row per result)")
    p.set_defaults(func=cmd_search)
    return parser


_PROGRESS_STARTED: dict[str, float] = {}


def _progress_bar(task: str, done: float, total: float) -> None:
    """One self-overwriting line on a terminal: seconds of audio done / total and speed."""
    import time

    now = time.monotonic()
    start = _PROGRESS_STARTED.setdefault(task, now)
    speed = done / (now - start) if now > start else 0.0
    pct = 100 * done / total if total else 100
    end = "\n" if done >= total else ""
    sys.stderr.write(f"\r  {task}: {done:7.1f} / {total:.1f} s audio ({pct:3.0f}%), {speed:5.1f}x real time{end}")
    sys.stderr.flush()
    if done >= total:
        _PROGRESS_STARTED.pop(task, None)


def main(argv: list[str] | None = None) -> int:
    import os

    from pipeline.core import progress

    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("faster_whisper", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if sys.stderr.isatty() and not os.environ.get("CI"):
        progress.set_reporter(_progress_bar)
    try:
        return args.func(args)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; earlier outputs are intact", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
