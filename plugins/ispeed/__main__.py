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

    wh = sub.add_parser("warehouse", help="warehouse housekeeping")
    wh.add_argument("action", choices=["migrate", "stop", "uri"])

    load = sub.add_parser("load", help="load a month's measurements without Airflow")
    load.add_argument("--month", required=True)
    load.add_argument("--reload", action="store_true")

    comp = sub.add_parser("compliance", help="compute a month's 4G compliance without Airflow")
    comp.add_argument("--month", required=True)

    st = sub.add_parser("status", help="what the warehouse holds for a month")
    st.add_argument("--month", required=True)

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
            from ispeed import tasks

            month = parse_month(args.month)
            tasks.prepare_warehouse()
            print(tasks.load_measurements(month, reload=args.reload))
            print(tasks.load_agency_returns(month))
            print(tasks.load_operator_returns(month))
        elif args.command == "compliance":
            from ispeed import tasks

            tasks.prepare_warehouse()
            tasks.compute_compliance(parse_month(args.month))
        elif args.command == "status":
            from ispeed.operations.status import format_status, month_status

            print(format_status(month_status(parse_month(args.month))))
    except MonthError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
