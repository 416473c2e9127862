"""What `osms-eval batch` says as it runs and when done: the progress bar, the closing summary on standard output,
and the errors file's header, in the language of --lang."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from ..core.messages import translate


# The summary on stdout and the errors file's header, in the language of --lang (through the message catalogs).
def batch_texts(lang: str) -> dict[str, Any]:
    return {
        "done": translate(
            "{rows} rows × {months} month(s) in {secs} s ({rate} person-months/s); {errors} error rows → {path}", lang
        ),
        "insured": translate("insured", lang, context="count"),
        "not_computed": translate("insured: not computed", lang),
        "categories": translate("categories", lang),
        "tenge": translate("tenge", lang),
        "header": (
            translate("file", lang, context="column"),
            translate("row", lang, context="column"),
            "id",
            translate("reason", lang, context="column"),
        ),
    }


class Progress:
    """rows, rows/s and ETA on a terminal; silent in CI and when output is not a terminal."""

    def __init__(self, total: int | None, enabled: bool) -> None:
        self.total, self.enabled, self.start, self.done, self.last = total, enabled, time.perf_counter(), 0, 0.0

    def advance(self, rows: int) -> None:
        self.done += rows
        now = time.perf_counter()
        if not self.enabled or now - self.last < 0.2:
            return
        self.last = now
        rate = self.done / max(now - self.start, 1e-9)
        if self.total:
            frac = min(self.done / self.total, 1.0)
            bar = "█" * int(frac * 30) + "·" * (30 - int(frac * 30))
            eta = (self.total - self.done) / rate if rate else 0
            msg = "\r" + translate(
                "{bar} {done}/{total} rows  {rate} rows/s  ETA {eta} s ",
                bar=bar,
                done=f"{self.done:,}",
                total=f"{self.total:,}",
                rate=f"{rate:,.0f}",
                eta=f"{eta:,.0f}",
            )
        else:
            msg = "\r" + translate("{done} rows  {rate} rows/s ", done=f"{self.done:,}", rate=f"{rate:,.0f}")
        sys.stderr.write(msg)
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def report(
    summary: dict[str, Any],
    error_count: int,
    offset: int,
    n_months: int,
    elapsed: float,
    errors_path: Path,
    text: dict[str, Any],
) -> None:
    rate = offset * n_months / elapsed if elapsed else 0
    click.echo(
        text["done"].format(
            rows=f"{offset:,}",
            months=n_months,
            secs=f"{elapsed:.1f}",
            rate=f"{rate:,.0f}",
            errors=f"{error_count:,}",
            path=errors_path,
        )
    )
    click.echo(f"{text['insured']}: {summary['insured']:,}" if "insured" in summary else text["not_computed"])
    for payer, amount in sorted(summary.get("payers", {}).items()):
        click.echo(f"  {payer:14} {amount:>20,.2f} {text['tenge']}")
    cats = {c: v for c, v in summary.get("categories", {}).items() if v}
    if cats:
        click.echo(f"  {text['categories']}: " + ", ".join(f"{c} {v:,}" for c, v in sorted(cats.items())))
