"""The `run` table for people: outputs down, months across, fitted to the terminal's width.

Months go in blocks, each as wide as the terminal allows (80 columns unless COLUMNS or the terminal says more);
labels and text cells wrap at word boundaries, never mid-word; money rows that are zero in every month asked are
left out unless `show_all`, and a footer line says how many and that `--all` shows them.
"""

from __future__ import annotations

import shutil
import textwrap
from decimal import Decimal
from typing import Any

from ..core.dates import month_end, parse_month
from ..core.messages import _
from ..policy import PolicySet, Rule
from .records import PAYER_LABELS, PAYMENTS_ASSUMED, SHORT_REASON, YES, fmt_amount, output_rules

MIN_LABEL = 30  # narrower than this, a label becomes a column of single words
MAX_CELL = 18  # a text cell wider than this wraps (at its words), leaving room for the labels
GAP = "  "


def terminal_width() -> int:
    """COLUMNS, else the terminal's width, else 80; never below 40."""
    return max(shutil.get_terminal_size((80, 24)).columns, 40)


def _insured_cell(r: dict[str, Any], lang: str) -> str:
    why = SHORT_REASON[r["insured_reason"]][lang]
    return f"{YES[lang]} ({why})" if r["insured"] else why


def _month_end(r: dict[str, Any]) -> bool:
    """Whether the record's status was taken on its month's last day."""
    return bool(r["status_on"] == month_end(parse_month(r["month"])).isoformat())


def _zero(rule: Rule, recs: list[dict[str, Any]]) -> bool:
    """A money row some payer owes that is zero in every month shown: nothing to read in it for this person."""
    if rule.unit == "bool" or rule.payer is None:
        return False
    values = [r[rule.name]["total"] if isinstance(r[rule.name], dict) else r[rule.name] for r in recs]
    return all(isinstance(v, Decimal) and v == 0 for v in values)


def _rows(policy: PolicySet, rules: list[Rule], recs: list[dict[str, Any]], lang: str) -> list[tuple[str, list[str]]]:
    rows: list[tuple[str, list[str]]] = []
    for rule in rules:
        rows.append((rule.label[lang], [fmt_amount(r[rule.name]) for r in recs]))
        if rule.entity == "job":
            employers = sorted({e for r in recs for e in r[rule.name]["by_employer"]})
            if len(employers) > 1:
                rows.extend(
                    (f"  · {e}", [fmt_amount(r[rule.name]["by_employer"].get(e, "—")) for r in recs]) for e in employers
                )
    rows.append((_("Who pays", lang), [", ".join(PAYER_LABELS[p][lang] for p in r["payer"]) or "—" for r in recs]))
    if "insured" in recs[0]:
        # `--on DAY` asks one month's status on that day, not at its end: the label says which day was read.
        day = recs[0]["status_on"] if len(recs) == 1 and not _month_end(recs[0]) else None
        insured = _("Insured on {day}", lang, day=day) if day else _("Insured (at the month's end)", lang)
        rows.append((insured, [_insured_cell(r, lang) for r in recs]))
        rows.append((_("Insured until", lang), [r["insured_until"] or ("…" if r["insured"] else "—") for r in recs]))
        if any(r["grace_period_end"] for r in recs):
            rows.append((_("Grace period ends", lang), [r["grace_period_end"] or "—" for r in recs]))
        if any(r["debt_months"] for r in recs):
            rows.append((_("Months in debt", lang), [str(r["debt_months"]) for r in recs]))
        if any(r.get("overpaid") for r in recs):  # paid and credited to no month: a wrong kind, or too much
            rows.append(
                (
                    _("Overpaid (credited to no month)", lang),
                    [fmt_amount(sum((o["amount"] for o in r.get("overpaid", [])), Decimal(0))) for r in recs],
                )
            )
        if day and recs[0]["next_payment_due"]:
            rows.append((_("Next payment due", lang), [recs[0]["next_payment_due"]]))
    cats = [
        [policy.categories[c["id"]].label[lang] for c in r["categories"] if not c.get("not_in_force")] for r in recs
    ]
    rows.append((_("Preferential categories", lang), [", ".join(names) or "—" for names in cats]))
    return rows


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    """`text` in lines of at most `width`, broken between words (a single word longer than the line is split)."""
    return textwrap.wrap(text, width, subsequent_indent=indent, break_on_hyphens=False) or [""]


def _cell_width(cells: list[str]) -> int:
    natural = max(len(c) for c in cells)
    longest_word = max(len(w) for c in cells for w in c.split(" "))
    return max(min(natural, MAX_CELL), longest_word)


def _blocks(widths: list[int], width: int) -> list[range]:
    """Consecutive month columns, as many in each block as fit beside a MIN_LABEL label (at least one)."""
    blocks, start, used = [], 0, MIN_LABEL
    for c, w in enumerate(widths):
        if c > start and used + len(GAP) + w > width:
            blocks.append(range(start, c))
            start, used = c, MIN_LABEL
        used += len(GAP) + w
    blocks.append(range(start, len(widths)))
    return blocks


def _grid(head: str, months: list[str], rows: list[tuple[str, list[str]]], width: int) -> list[str]:
    widths = [_cell_width([m, *(cells[c] for _, cells in rows)]) for c, m in enumerate(months)]
    out: list[str] = []
    for block in _blocks(widths, width):
        cols = [widths[c] for c in block]
        values = sum(len(GAP) + w for w in cols)
        label_w = max(min(max(len(head), *(len(label) for label, _ in rows)), width - values), MIN_LABEL)
        if out:
            out.append("")
        lines = _line(_wrap(head, label_w), [[months[c]] for c in block], cols, label_w)
        out.extend(lines)
        out.append("─" * (label_w + values))
        for label, cells in rows:
            indent = " " * (len(label) - len(label.lstrip()) + 2) if label.startswith(" ") else "  "
            out.extend(_line(_wrap(label, label_w, indent), [_wrap(cells[c], widths[c]) for c in block], cols, label_w))
    return out


def _line(label: list[str], cells: list[list[str]], cols: list[int], label_w: int) -> list[str]:
    """One row: the label's lines beside each cell's lines (numbers and text right-aligned to the column)."""
    height = max(len(label), *(len(c) for c in cells))
    lines = []
    for k in range(height):
        text = (label[k] if k < len(label) else "").ljust(label_w)
        text += "".join(GAP + (c[k] if k < len(c) else "").rjust(w) for c, w in zip(cells, cols))
        lines.append(text.rstrip())
    return lines


def table(
    policy: PolicySet, records: list[dict[str, Any]], lang: str, width: int | None = None, show_all: bool = False
) -> str:
    """Each scenario as a grid: outputs down, months across in blocks that fit `width` (default: the terminal)."""
    width = width or terminal_width()
    stamp = _(
        "Policy set: {id} {version} ({fingerprint}…), as of {day}",
        lang,
        id=policy.id,
        version=policy.version,
        fingerprint=policy.fingerprint[:19],
        day=policy.as_of,
    )
    lines = _wrap(stamp, width, "  ")
    by_scenario: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        by_scenario.setdefault(rec["scenario"], []).append(rec)
    rules = output_rules(policy)
    for sid, recs in by_scenario.items():
        shown = rules if show_all else [r for r in rules if not _zero(r, recs)]
        lines.append("")
        lines.extend(
            _grid(_("Scenario {id}", lang, id=sid), [r["month"] for r in recs], _rows(policy, shown, recs, lang), width)
        )
        if any(r.get("payments_assumed") and "insured" in r for r in recs):
            # The status row reads payments nobody listed: say so, or "yes (12 payments)" reads as checked.
            lines.extend(_wrap(PAYMENTS_ASSUMED[lang], width))
        hidden = len(rules) - len(shown)
        if hidden:
            lines.extend(
                _wrap(
                    _(
                        "{count} rows are zero in every month shown and are hidden; --all shows them.",
                        lang,
                        count=hidden,
                    ),
                    width,
                )
            )
    return "\n".join(lines) + "\n"
