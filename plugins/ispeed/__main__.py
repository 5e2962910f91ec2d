"""Command line: python -m ispeed <command> (run with plugins/ on PYTHONPATH, as the Makefile does)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from ispeed.months import MonthError, parse_month


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ispeed", description="i-Speed pipeline tools")
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write sample i-Speed exports for a month into the landing folder")
    gen.add_argument("--month", required=True, help="YYYY-MM")
    gen.add_argument("--rows", type=int, default=100_000)
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    gen.add_argument("--out", type=Path, help="folder (default: the month's landing folder)")

    gen_r = sub.add_parser("generate-returns", help="write a month of sample agency and operator returns")
    gen_r.add_argument("--month", required=True, help="YYYY-MM")
    gen_r.add_argument("--seed", type=int, default=7)

    hist = sub.add_parser(
        "history",
        help="write and load sample months before a month, small, so that its report has a trend (no Airflow, no mail)",
    )
    hist.add_argument("--before", required=True, help="YYYY-MM: the reported month (not written itself)")
    hist.add_argument("--months", type=int, default=11, help="how many months before it (default 11)")
    hist.add_argument("--rows", type=int, help="tests per month (default 30 000)")
    hist.add_argument("--seed", type=int, default=7)
    hist.add_argument(
        "--any-warehouse", action="store_true", help="write sample data into a warehouse other than the embedded one"
    )

    geo = sub.add_parser(
        "geography", help="regenerate include/reference/provinces.csv and areas.csv from vietnam-provinces"
    )
    geo.add_argument("--out", type=Path, help="folder (default: include/reference/)")

    wh = sub.add_parser("warehouse", help="warehouse housekeeping")
    wh.add_argument("action", choices=["migrate", "stop", "uri"])

    load = sub.add_parser("load", help="load a month's measurements without Airflow")
    load.add_argument("--month", required=True)
    load.add_argument("--reload", action="store_true")

    comp = sub.add_parser("compliance", help="compute a month's 4G compliance without Airflow")
    comp.add_argument("--month", required=True)

    st = sub.add_parser("status", help="what the warehouse holds for a month")
    st.add_argument("--month", required=True)
    st.add_argument("--json", action="store_true", help="the month's accounting as JSON, for scripts and monitoring")

    rep = sub.add_parser("report", help="render a month's report (PDF and annex) from the warehouse without Airflow")
    rep.add_argument("--month", required=True)

    dlv = sub.add_parser("deliver", help="email a month's latest rendered report, once (as the monthly DAG does)")
    dlv.add_argument("--month", required=True)
    dlv.add_argument("--dry-run", action="store_true", help="send and record nothing: print what would be mailed")
    dlv.add_argument("--resend", action="store_true", help="send again a month already delivered (a new Message-ID)")

    apr = sub.add_parser("approve", help="approve or reject a month's report waiting for approval (docs/approval.md)")
    apr.add_argument("--month", required=True, help="YYYY-MM")
    apr.add_argument("--by", required=True, help="who decides (an approver's name or Airflow user name)")
    apr.add_argument("--reject", action="store_true", help="reject the draft instead (with --reason)")
    apr.add_argument("--reason", help="what is wrong (required with --reject), or a comment")
    apr.add_argument("--api-url", help="answer through Airflow's REST API at this URL (default: the metadata DB)")
    apr.add_argument("--run-id", help="the DAG run to answer (default: the month's newest waiting request)")

    sgn = sub.add_parser("signing", help="the report's digital signature: a demo certificate, or verify a PDF")
    sgn.add_argument("action", choices=["demo-certificate", "verify"])
    sgn.add_argument("--out", type=Path, help="demo-certificate: the folder for the bundle and its password file")
    sgn.add_argument("--pdf", type=Path, help="verify: the signed PDF")

    pr = sub.add_parser(
        "pull-returns",
        help="pull the returns mailbox once: file every return, load the months touched, answer every sender",
    )
    pr.add_argument("--release", metavar="MESSAGE-ID", help="release a held message from the review folder first")

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "generate":
            from ispeed.devtools.generate import generate_month
            from ispeed.measurements.load import landing_folder

            month = parse_month(args.month)
            out = args.out or landing_folder(month)
            result = generate_month(month, args.rows, out, seed=args.seed, fmt=args.format)
            print(f"wrote {result.rows} measurements to {result.path} (bad rows by kind: {result.bad_rows})")
        elif args.command == "generate-returns":
            from ispeed.config import pipeline_config
            from ispeed.devtools.generate_returns import generate_month_returns

            result = generate_month_returns(parse_month(args.month), pipeline_config().landing, seed=args.seed)
            print(f"wrote sample returns for {args.month} into {pipeline_config().landing}: {result}")
        elif args.command == "history":
            from ispeed.devtools import history

            if args.months < 1 or (args.rows is not None and args.rows < 1):
                parser.error("history: --months and --rows must be at least 1")
            from ispeed.warehouse import connection as warehouse

            where = warehouse.target().describe()
            if not where.startswith("embedded") and not args.any_warehouse:
                print(
                    f"error: history writes sample data, and the warehouse is {where}, not the embedded "
                    "demo one; add --any-warehouse if that is really meant",
                    file=sys.stderr,
                )
                return 2
            history.write_history(
                parse_month(args.before), months=args.months, rows=args.rows or history.ROWS, seed=args.seed
            )
        elif args.command == "geography":
            from ispeed.devtools.geography import SNAPSHOTS, regenerate

            counts = regenerate(args.out)
            releases = ", ".join(f"{r} (from {d})" for r, d in SNAPSHOTS)
            print(
                f"wrote {counts['provinces']} provinces and {counts['areas']} areas from vietnam-provinces {releases}"
            )
        elif args.command == "warehouse":
            from ispeed import tasks
            from ispeed.warehouse import connection as warehouse

            if args.action == "migrate":
                print(tasks.prepare_warehouse())
            elif args.action == "stop":
                print(
                    "stopped the embedded PostgreSQL"
                    if warehouse.stop_embedded()
                    else "the embedded PostgreSQL was not running"
                )
            else:
                print(warehouse.target().describe())
        elif args.command == "load":
            return _load(parse_month(args.month), reload=args.reload)
        elif args.command == "compliance":
            from ispeed import tasks

            tasks.prepare_warehouse()
            tasks.compute_compliance(parse_month(args.month))
        elif args.command == "status":
            from ispeed.operations.status import format_status, month_status, status_json

            status = month_status(parse_month(args.month))
            print(status_json(status) if args.json else format_status(status))
        elif args.command == "report":
            from ispeed import tasks

            month = parse_month(args.month)
            tasks.prepare_warehouse()
            rendered = tasks.render_report(month)
            print(f"PDF:   {rendered['pdf_path']}")
            print(f"annex: {rendered['xlsx_path']}")
            for path in rendered["csv_paths"]:
                print(f"       {path}")
        elif args.command == "deliver":
            return _deliver(parse_month(args.month), dry_run=args.dry_run, resend=args.resend)
        elif args.command == "approve":
            return _approve(args)
        elif args.command == "signing":
            return _signing(args, parser)
        elif args.command == "pull-returns":
            return _pull_returns(args.release)
    except MonthError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _pull_returns(release: str | None) -> int:
    """``pull-returns``: one pull of the returns mailbox (ispeed.mailbox); exits 1 when the mailbox
    cannot be reached or the message to release is not held."""
    from ispeed import tasks
    from ispeed.mailbox.pull import MailboxUnreachable, ReleaseError

    try:
        result = tasks.pull_returns(release=release)
    except (MailboxUnreachable, ReleaseError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    from ispeed.mailbox.status import format_pull

    print(format_pull(result))
    return 0


def _approve(args) -> int:
    """``approve``: answer the month's waiting approval request (ispeed.approval.respond)."""
    from ispeed.approval import ApprovalError
    from ispeed.approval.respond import respond

    try:
        done = respond(
            parse_month(args.month),
            approve=not args.reject,
            by=args.by,
            reason=args.reason,
            api_url=args.api_url,
            run_id=args.run_id,
        )
    except ApprovalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{done['decision']} by {done['by']}: the report of {done['month']} (run {done['run_id']})")
    return 0


def _signing(args, parser) -> int:
    """``signing demo-certificate --out DIR`` / ``signing verify --pdf FILE``."""
    from ispeed import signing

    if args.action == "demo-certificate":
        if not args.out:
            parser.error("signing demo-certificate needs --out FOLDER")
        from ispeed.report.settings import report_config

        cfg = report_config()
        p12, password = signing.make_demo_certificate(
            args.out, common_name=cfg.signatory.name, organization=cfg.issuer.full_name
        )
        print(f"export {signing.signing_settings().p12_env}={p12}")
        print(f"export {signing.signing_settings().password_file_env}={password}")
        return 0
    if not args.pdf:
        parser.error("signing verify needs --pdf FILE")
    result = signing.verify_pdf(args.pdf, trust=None)
    print(result.message)
    return 0 if result.intact and result.valid else 1


def _load(month, *, reload: bool) -> int:
    """``load``: the month's measurements, then its returns, as the monthly DAG's loads do. A
    rejected export (an expected outcome: its message says what to fix) is printed without a
    traceback and makes the exit status 1, after the returns are loaded all the same."""
    from ispeed import tasks
    from ispeed.measurements.load import RejectedFilesError

    tasks.prepare_warehouse()
    rejected = None
    try:
        print(tasks.load_measurements(month, reload=reload))
    except RejectedFilesError as exc:
        rejected = exc
    print(tasks.load_agency_returns(month))
    print(tasks.load_operator_returns(month))
    if rejected is not None:
        print(f"error: {rejected}", file=sys.stderr)
        return 1
    return 0


def _deliver(month, *, dry_run: bool, resend: bool) -> int:
    """``deliver``: the month's latest rendered report (ispeed.meta_report), by the monthly DAG's
    own deliver_report; or, with ``dry_run``, the plan it would follow, printed."""
    from ispeed import delivery, tasks
    from ispeed.approval import ApprovalError

    try:
        if dry_run:
            print(_format_plan(delivery.preview_delivery(month, force=resend)))
            return 0
        tasks.prepare_warehouse()
        rendered = delivery.latest_report(month)
        result = tasks.deliver_report(month, rendered.as_dict(), force=resend)
    except (delivery.DeliveryError, ApprovalError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Message-ID: {result.get('message_id')}")
    if result["status"] == "already_delivered":
        print(f"already delivered on {result['delivered_at']}: not sent again (--resend to send it again)")
    return 0


def _format_plan(plan) -> str:
    """The dry run's answer: what would be mailed to whom, and whether it would go at all."""
    from ispeed import mail
    from ispeed.months import month_label
    from ispeed.report.settings import report_config

    em = report_config(plan.rendered.month).email
    connection = mail.smtp_connection(em.smtp_conn_id)
    if connection is not None:
        via = f"the Airflow connection {em.smtp_conn_id!r} ({connection.host}:{connection.port})"
    elif em.outbox_when_no_connection:
        via = f"no Airflow connection {em.smtp_conn_id!r}: written to {em.outbox / month_label(plan.rendered.month)}/"
    else:
        via = f"no Airflow connection {em.smtp_conn_id!r}: an error (report.yaml forbids the outbox)"
    lines = [
        f"Dry run: nothing sent, nothing recorded. The report of {month_label(plan.rendered.month)}:",
        f"From:        {plan.sender}",
        f"To:          {', '.join(plan.to)}",
        f"Cc:          {', '.join(plan.cc) or '-'}",
        f"Subject:     {plan.subject}",
        f"Message-ID:  {plan.message_id} (sending {plan.sequence}, attempt {plan.attempt})",
        "Attachments: " + "; ".join(f"{name} ({size:,} bytes)" for name, size in plan.attachments()),
        f"Via:         {via}",
    ]
    if plan.delivered:
        d = plan.delivered
        lines.append(f"Already delivered on {d['delivered_at']:%Y-%m-%d %H:%M} (Message-ID {d['message_id']}): ")
        lines[-1] += "this mail would go (--resend)." if plan.sends else "nothing would be sent without --resend."
    else:
        lines.append("Not delivered yet: this mail would go.")
    if plan.unknown:
        same = plan.unknown["message_id"] == plan.message_id
        lines.append(
            f"An earlier attempt (delivery {plan.unknown['delivery_id']}) may have reached the server: it would be "
            + ("sent again under the same Message-ID." if same else "sent again (the PDF changed since).")
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
