"""The `pitchjudge` console command: set up the database, seed the demo, manage the password."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from pitchjudge import __version__
from pitchjudge.config import Settings, load_settings, masked_url
from pitchjudge.db import DatabaseUnavailable, make_engine, migrate, session_scope
from pitchjudge.errors import ConfigError, InvalidDeck


def _banner(password: str) -> str:
    line = "=" * 64
    return (
        f"{line}\n  Organiser password (generated, shown once): {password}\n"
        f"  Set PITCHJUDGE_ADMIN_PASSWORD to choose your own, or run\n"
        f"  `pitchjudge reset-admin-password` to generate a new one.\n{line}"
    )


def prepare_database(settings: Settings):
    """Migrate the database and make sure an organiser password exists; returns the engine."""
    from pitchjudge.services.auth import ensure_admin_password

    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        with session_scope(engine) as session:
            generated = ensure_admin_password(session=session, settings=settings)
    except (SQLAlchemyError, OSError) as error:
        engine.dispose()
        raise DatabaseUnavailable.from_error(error, settings.database_url) from error
    if generated:
        # stderr: the console sees it, while stdout stays clean for commands piped into files.
        print(_banner(generated), file=sys.stderr, flush=True)
    return engine


def _cmd_init(settings: Settings, _args: argparse.Namespace) -> int:
    prepare_database(settings)
    print(f"Database ready: {masked_url(settings.database_url)}")
    return 0


def _cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from pitchjudge.demo import database_is_empty, seed_demo, wipe
    from pitchjudge.services import applications

    engine = prepare_database(settings)
    if not database_is_empty(engine):
        if args.if_empty:
            print("The database already holds a contest: demo not seeded.")
            return 0
        if not args.force:
            print(
                "The database already holds a contest. Run `pitchjudge demo --force` to delete "
                "everything in it and seed the demo again.",
                file=sys.stderr,
            )
            return 1
        wipe(engine)
    result = seed_demo(engine=engine, settings=settings, progress=print)
    print(
        f"Demo contest seeded: {result.pitches} applications, {result.judges} judges.\n"
        "One applicant's private link: "
        + applications.private_link(settings.base_url, result.sample_token)
    )
    return 0


def _cmd_reset_password(settings: Settings, _args: argparse.Namespace) -> int:
    from pitchjudge.services.auth import clear_failures, reset_admin_password

    engine = prepare_database(settings)
    if settings.admin_password:
        with session_scope(engine) as session:
            cleared = clear_failures(session=session)
        print(
            f"PITCHJUDGE_ADMIN_PASSWORD is set: change it there instead (every organiser "
            f"session ends at the next start). {cleared} failed sign-in(s) forgotten: the "
            "password can be tried again at once.",
            file=sys.stderr,
        )
        return 1
    with session_scope(engine) as session:
        password = reset_admin_password(session=session)
    print(_banner(password), file=sys.stderr)
    return 0


def _cmd_hash_password(_settings: Settings, _args: argparse.Namespace) -> int:
    from pitchjudge.security import hash_password

    password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline()
    password = password.rstrip("\n")
    if len(password) < 8:
        print("The password must be at least 8 characters long.", file=sys.stderr)
        return 1
    print(hash_password(password))
    return 0


def _cmd_check_deck_store(settings: Settings, args: argparse.Namespace) -> int:
    from pitchjudge.deck_store import open_deck_store
    from pitchjudge.errors import DeckStoreUnavailable

    store = open_deck_store(settings)
    try:
        store.ping()
        swept = store.sweep(deep=True)
    except DeckStoreUnavailable as error:
        print(f"Deck store NOT usable: {error}", file=sys.stderr)
        return 1
    print(f"Deck store {store.url}: writable; {swept} interrupted upload(s) swept.")
    return 0


def _cmd_check_deck(settings: Settings, args: argparse.Namespace) -> int:
    from pitchjudge.decks import inspect_deck

    try:
        with open(args.file, "rb") as handle:
            facts = inspect_deck(handle.read(), settings.deck_limits)
    except InvalidDeck as error:
        print(f"{args.file}: refused: {error}", file=sys.stderr)
        return 1
    except FileNotFoundError:
        print(f"{args.file}: no such file.", file=sys.stderr)
        return 2
    except IsADirectoryError:
        print(f"{args.file}: is a folder; give the path of one PDF file.", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{args.file}: cannot be read ({error.strerror}).", file=sys.stderr)
        return 2
    print(f"{args.file}: {facts.page_count} pages, {facts.size_bytes} bytes, sha256 {facts.sha256}")
    return 0


def _cmd_links(settings: Settings, args: argparse.Namespace) -> int:
    import csv

    from pitchjudge.services import board, contests
    from pitchjudge.services.judges import judge_link, judge_token, list_judges

    base_url = (args.base_url or settings.base_url).rstrip("/")
    engine = prepare_database(settings)
    with session_scope(engine) as session:
        contest = contests.current_contest(session=session)
        if contest is None:
            print("No contest yet: nothing to print.", file=sys.stderr)
            return 1
        rows = []
        for judge in list_judges(session=session, contest_id=contest.id):
            token = judge_token(settings=settings, judge=judge)
            if judge.active and token:
                rows.append((judge.name, judge.email, judge_link(base_url, token)))
        token = board.display_token(session=session, settings=settings, contest_id=contest.id)
        rows.append(("Projector (leaderboard display)", "", board.display_link(base_url, token)))
        rows.append(("Stage screen (clock)", "", board.stage_screen_link(base_url, token)))
    writer = csv.writer(sys.stdout, delimiter="\t" if args.tsv else ",")
    writer.writerow(["name", "email", "link"])
    writer.writerows(rows)
    return 0


def _cmd_archive(settings: Settings, args: argparse.Namespace) -> int:
    from pitchjudge.archive import write_archive
    from pitchjudge.deck_store import open_deck_store

    engine = prepare_database(settings)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(args.out or f"pitchjudge-archive-{stamp}.zip")
    what = write_archive(engine=engine, store=open_deck_store(settings), path=path)
    print(f"Archived into {path} ({path.stat().st_size / 1_000_000:.1f} MB):\n{what.describe()}")
    return 0


def _cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from pitchjudge.backup import BackupError, backup

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    path = Path(args.file)
    engine = make_engine(settings.database_url)
    try:
        manifest = backup(engine=engine, settings=settings, path=path, progress=say)
    except BackupError as error:
        print(f"Backup failed: {error}", file=sys.stderr)
        return error.exit_code
    except SQLAlchemyError as error:
        raise DatabaseUnavailable.from_error(error, settings.database_url) from error
    finally:
        engine.dispose()
    print(
        f"Backed up into {path} ({path.stat().st_size / 1_000_000:.1f} MB, "
        f"{manifest.database}, schema {manifest.alembic_revision}):\n{manifest.describe()}"
    )
    return 0


def _cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    from pitchjudge.backup import BackupError, restore, verify

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    if args.check_only:
        try:
            manifest = verify(Path(args.file), progress=say)
        except BackupError as error:
            print(f"Refused: {error}", file=sys.stderr)
            return error.exit_code
        print(
            f"{args.file}: every checksum matches ({manifest.created_at}):\n{manifest.describe()}"
        )
        return 0
    engine = make_engine(settings.database_url)
    try:
        restored = restore(engine=engine, settings=settings, path=Path(args.file), progress=say)
    except BackupError as error:
        print(
            f"{'Refused' if error.exit_code == 1 else 'Restore failed'}: {error}", file=sys.stderr
        )
        return error.exit_code
    except SQLAlchemyError as error:
        raise DatabaseUnavailable.from_error(error, settings.database_url) from error
    finally:
        engine.dispose()
    manifest = restored.manifest
    print(
        f"Restored the backup of {manifest.created_at} into {masked_url(settings.database_url)} "
        f"and {restored.store_url} (schema {restored.revision}); counts and every deck "
        f"re-checked:\n{manifest.describe()}\n"
        "The organiser password is the backup's (unless PITCHJUDGE_ADMIN_PASSWORD is set)."
    )
    if not restored.same_link_key:
        print(
            "Warning: the judges' and projectors' links of the backup do not open here: this "
            "installation has another link key (or none yet). Copy secret.key from the old "
            "data folder (or set the same PITCHJUDGE_SECRET_KEY) and restart, or hand out new "
            "links (`pitchjudge links`).",
            file=sys.stderr,
        )
    return 0


def _cmd_reset(settings: Settings, args: argparse.Namespace) -> int:
    from pitchjudge.archive import contents, reset
    from pitchjudge.deck_store import open_deck_store

    engine = prepare_database(settings)
    what = contents(engine=engine, store=open_deck_store(settings))
    if what.empty:
        print("The database holds no contest: nothing to delete.")
        return 0
    print(
        f"This deletes, from {settings.database_url} and {settings.deck_store_url}:\n"
        f"{what.describe()}\n"
        "The organiser password and the link key stay. It cannot be undone: run "
        "`pitchjudge archive` first to keep a copy."
    )
    if not args.yes:
        if not sys.stdin.isatty() and not args.confirm_from_stdin:
            print("Refused: confirm on a terminal, or pass --yes.", file=sys.stderr)
            return 1
        answer = input('Type "delete" to delete all of it: ').strip().lower()
        if answer != "delete":
            print("Nothing deleted.")
            return 1
    reset(engine=engine, store=open_deck_store(settings))
    print("Deleted. Start the next contest on the page Contest (or `pitchjudge demo`).")
    return 0


def _cmd_import_marks(settings: Settings, args: argparse.Namespace) -> int:
    from pitchjudge.errors import PitchJudgeError
    from pitchjudge.services.contests import current_contest
    from pitchjudge.services.imports import import_marks_csv

    engine = prepare_database(settings)
    try:
        with session_scope(engine) as session:
            contest = args.contest or getattr(current_contest(session=session), "id", None)
            if contest is None:
                print("No contest yet: create one first.", file=sys.stderr)
                return 1
            report = import_marks_csv(
                session=session,
                contest_id=contest,
                round_name=args.round,
                path_or_buffer=args.file,
                criteria=args.criteria,
                adjustments=args.adjustments,
                replace=args.replace,
            )
    except PitchJudgeError as error:
        print(f"Refused: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    for warning in report.warnings:
        print(f"Warning: {warning}")
    return 0


def _cmd_send_mail(settings: Settings, args: argparse.Namespace) -> int:
    import signal
    import threading

    from pitchjudge.services import mail_sender
    from pitchjudge.services.mail import waiting_count

    engine = prepare_database(settings)
    if settings.smtp is None:
        with session_scope(engine, read_only=True) as session:
            waiting = waiting_count(session=session)
        print(
            f"E-mail is not configured (PITCHJUDGE_SMTP_URL): {waiting} messages waiting in "
            "the outbox.",
            file=sys.stderr,
        )
        if not args.loop:
            return 1
    if not args.loop:
        report = mail_sender.deliver_due(
            engine,
            settings,
            holder=mail_sender.holder_name(),
            lease_ttl_s=args.lease_seconds,
            backoff_first_s=args.backoff_seconds,
        )
        mail_sender.release_lease(engine, holder=mail_sender.holder_name())
        print(f"sent {report.sent}, to retry {report.retried}, failed {report.failed}")
        return 0
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    def say(report: mail_sender.Report) -> None:
        if report.attempted:
            print(
                f"sent {report.sent}, to retry {report.retried}, failed {report.failed}",
                flush=True,
            )

    print("Mail sender running (Ctrl+C stops it).", flush=True)
    mail_sender.run(
        engine,
        settings,
        stop=stop,
        poll_s=args.poll_seconds,
        lease_ttl_s=args.lease_seconds,
        backoff_first_s=args.backoff_seconds,
        on_pass=say,
    )
    return 0


def _cmd_cluster(settings: Settings, args: argparse.Namespace) -> int:
    import os

    from dotenv import dotenv_values

    from pitchjudge import cluster

    # Every process gets the same settings, `.env`'s included (read here, where it was found).
    found = dotenv_values(".env") if Path(".env").is_file() else {}
    env = {k: v for k, v in found.items() if k.startswith("PITCHJUDGE_") and v is not None}
    env.update({k: v for k, v in os.environ.items() if k.startswith("PITCHJUDGE_")})
    if settings.database_url.startswith("sqlite"):
        print(
            "Note: the replicas share a SQLite file; set PITCHJUDGE_DATABASE_URL to PostgreSQL "
            "for a real deployment.",
            file=sys.stderr,
        )
    config = cluster.ClusterConfig(
        env=env,
        run_dir=Path(args.run_dir or Path(settings.data_dir) / "cluster").resolve(),
        replicas=args.replicas,
        port=args.port,
        host=args.host,
        health_path=args.health_path or cluster.HEALTH_PATH,
        mail_sender=not args.no_mail,
    )
    return cluster.run_foreground(config, start_pg=args.start_postgres)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pitchjudge",
        description="PitchJudge: pitch-contest judging. Settings come from the environment "
        "and .env (see the README).",
    )
    parser.add_argument("--version", action="version", version=f"pitchjudge {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "init", help="create or upgrade the database and make sure an organiser password exists"
    ).set_defaults(run=_cmd_init)
    demo = commands.add_parser("demo", help="seed the demo contest into the configured database")
    group = demo.add_mutually_exclusive_group()
    group.add_argument(
        "--force", action="store_true", help="delete everything in a non-empty database first"
    )
    group.add_argument(
        "--if-empty",
        action="store_true",
        help="seed only if the database holds no contest (exit 0 otherwise)",
    )
    demo.set_defaults(run=_cmd_demo)
    commands.add_parser(
        "reset-admin-password", help="generate a new organiser password (when none is configured)"
    ).set_defaults(run=_cmd_reset_password)
    commands.add_parser(
        "hash-password", help="print an argon2 hash to put in PITCHJUDGE_ADMIN_PASSWORD"
    ).set_defaults(run=_cmd_hash_password)
    links = commands.add_parser(
        "links", help="print every active judge's name, email and personal link (CSV)"
    )
    links.add_argument("--tsv", action="store_true", help="tab-separated instead of CSV")
    links.add_argument(
        "--base-url",
        help="the app's address (default: PITCHJUDGE_BASE_URL, else http://localhost:8501)",
    )
    links.set_defaults(run=_cmd_links)
    marks = commands.add_parser(
        "import-marks", help="load a round's marks (and criteria, adjustments) from CSV"
    )
    marks.add_argument(
        "file", help="marks CSV: pitch, judge, criterion, value [, weight, min, max, step]"
    )
    marks.add_argument("--round", required=True, help="round name (created if new)")
    marks.add_argument("--contest", type=int, help="contest id (default: the newest contest)")
    marks.add_argument("--criteria", help="criteria CSV: criterion, weight, min, max, step")
    marks.add_argument("--adjustments", help="adjustments CSV: pitch, name, points [, reason]")
    marks.add_argument(
        "--replace", action="store_true", help="replace the marks the round already holds"
    )
    marks.set_defaults(run=_cmd_import_marks)
    send = commands.add_parser(
        "send-mail", help="deliver the outbox over SMTP (once, or --loop until stopped)"
    )
    send.add_argument("--loop", action="store_true", help="keep sending until stopped")
    send.add_argument(
        "--poll-seconds", type=float, default=1.0, help="pause when nothing is due (default 1)"
    )
    send.add_argument(
        "--lease-seconds",
        type=float,
        default=30.0,
        help="how long a silent sender keeps the database lease (default 30)",
    )
    send.add_argument(
        "--backoff-seconds",
        type=float,
        default=30.0,
        help="first retry delay after a 4xx or connection error, doubled each time (default 30)",
    )
    send.set_defaults(run=_cmd_send_mail)
    archive = commands.add_parser(
        "archive", help="write every table and deck into one ZIP (keep it before a reset)"
    )
    archive.add_argument("--out", help="the ZIP to write (default: pitchjudge-archive-<time>.zip)")
    archive.set_defaults(run=_cmd_archive)
    backup = commands.add_parser(
        "backup",
        help="write the database and every deck into one archive with checksums (safe while "
        "judges are scoring)",
    )
    backup.add_argument("file", help="the archive to write, e.g. pitchjudge-backup.tar")
    backup.set_defaults(run=_cmd_backup)
    restore = commands.add_parser(
        "restore",
        help="check a backup's checksums, then restore it into an empty database and deck store",
    )
    restore.add_argument("file", help="the archive written by `pitchjudge backup`")
    restore.add_argument(
        "--check-only", action="store_true", help="verify the archive and change nothing"
    )
    restore.set_defaults(run=_cmd_restore)
    reset = commands.add_parser(
        "reset",
        help="delete every contest, application, judge, mark and deck (says what, in numbers, "
        "and asks first)",
    )
    reset.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    reset.add_argument(
        "--confirm-from-stdin", action="store_true", help="read the confirmation from stdin"
    )
    reset.set_defaults(run=_cmd_reset)
    group_cluster = commands.add_parser(
        "cluster",
        help="serve the app from several replicas behind HAProxy, with one mail sender "
        "(Ctrl+C stops everything)",
    )
    group_cluster.add_argument(
        "--replicas", type=int, default=2, help="number of app processes (default 2)"
    )
    group_cluster.add_argument(
        "--port", type=int, default=8500, help="HAProxy's port, where browsers go (default 8500)"
    )
    group_cluster.add_argument(
        "--host", default="0.0.0.0", help="HAProxy's address (default 0.0.0.0)"
    )
    group_cluster.add_argument(
        "--health-path",
        default=None,
        help="what HAProxy's health checks ask each replica (default /_stcore/health)",
    )
    group_cluster.add_argument(
        "--run-dir", help="where the logs and haproxy.cfg go (default DATA_DIR/cluster)"
    )
    group_cluster.add_argument(
        "--start-postgres",
        action="store_true",
        help="start Debian's PostgreSQL 15 cluster first (pg_ctlcluster 15 main start)",
    )
    group_cluster.add_argument("--no-mail", action="store_true", help="start no mail sender")
    group_cluster.set_defaults(run=_cmd_cluster)
    check = commands.add_parser("check-deck", help="check a PDF deck as the Apply page would")
    check.add_argument("file")
    check.set_defaults(run=_cmd_check_deck)
    store = commands.add_parser(
        "check-deck-store",
        help="check that the deck store can be written; sweep what interrupted uploads left",
    )
    store.set_defaults(run=_cmd_check_deck_store)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    try:
        return args.run(settings, args)
    except DatabaseUnavailable as error:
        print(f"Database error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
