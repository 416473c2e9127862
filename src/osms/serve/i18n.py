"""Languages: choosing one for a request (`?lang=`, then Accept-Language, then ru) and the page's own words."""

from __future__ import annotations

from ..core.messages import Msg
from ..policy.facts import RESIDENCY_FACT

LANGS = ("ru", "kk", "en")
DEFAULT = "ru"


def negotiate(query: str | None, accept_language: str | None) -> str:
    """`query` if given (already checked), else the best of Accept-Language we have, else ru."""
    if query:
        return query
    best: tuple[float, str] | None = None
    for n, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        if primary in LANGS and q > 0 and (best is None or q > best[0]):
            best = (q - n * 1e-6, primary)  # equal weights: the earlier tag wins
    return best[1] if best else DEFAULT


TITLES = {
    "invalid": Msg("Invalid input"),
    "too_large": Msg("Request too large"),
    "timeout": Msg("Request body not received in time"),
    "not_found": Msg("Not found"),
    "method": Msg("Method not allowed"),
    "media": Msg("Unsupported media type"),
    "internal": Msg("Internal server error"),
    "http": Msg("Request error"),
}
INTERNAL_DETAIL = Msg("A fault in the program, not in your input; please report it with the time of the request.")

# The page's words. Labels of outputs, parameters and reasons come from the policies and the engine.
PAGE: dict[str, Msg] = {
    "title": Msg("ОСМС calculator"),
    "intro": Msg(
        "Contributions and deductions to the mandatory social health insurance fund, and insured status — "
        "under the Law of Kazakhstan on mandatory social health insurance."
    ),
    "language": Msg("Language"),
    "person": Msg("Who you are"),
    "birth_date": Msg("Date of birth"),
    "residency": Msg("Residency"),
    "payer_type": Msg("Payer type"),
    "employee": Msg("Employee (labour contract)"),
    "entrepreneur": Msg("Individual entrepreneur (ИП)"),
    "self_payer": Msg("Self-payer"),
    "self_employed": Msg("Self-employed (special regime, from 2026)"),
    "civil": Msg("Civil contract (ГПХ)"),
    "income": Msg("Monthly income, tenge"),
    "income_hint": Msg("Wage before deductions; not needed for an entrepreneur or a self-payer."),
    "since": Msg("Since month"),
    "calculator": Msg("How much to pay"),
    "month": Msg("Month"),
    "calculate": Msg("Calculate"),
    "status": Msg("Am I insured"),
    "payments": Msg("Payments made"),
    "paid_on": Msg("Paid on"),
    "for_month": Msg("For month"),
    "amount": Msg("Amount, tenge"),
    "kind": Msg("Payment kind"),
    "add_row": Msg("Add a payment"),
    "add_12": Msg("Add 12 monthly"),
    "remove": Msg("Remove"),
    "on_day": Msg("On the day"),
    "check": Msg("Check status"),
    "result": Msg("Result"),
    "total": Msg("Total"),
    "rule": Msg("Rule"),
    "formula": Msg("formula"),
    "basis": Msg("legal basis"),
    "nothing": Msg("Nothing to pay this month."),
    "insured": Msg("insured"),
    "not_insured": Msg("not insured"),
    "until": Msg("until"),
    "until_col": Msg("Insured until"),
    "why": Msg("Why"),
    "by_month": Msg("Month by month (at the month's end)"),
    "assumed": Msg(
        "No payments entered: every contribution is taken as paid on time. Enter your payments to check your "
        "real status."
    ),
    "yes": Msg("yes"),
    "no": Msg("no"),
    "error": Msg("Error"),
    "working": Msg("Working…"),
    "policy": Msg("Policy set"),
    "api": Msg("API description"),
    "citizen": Msg("citizen"),
    "kandas": Msg("kandas"),
    "refugee": Msg("refugee"),
    "permanent_resident": Msg("permanent resident"),
    "temporary_resident": Msg("temporary resident"),
    "asylum_seeker": Msg("asylum seeker"),
    "eaeu_worker": Msg("EAEU worker"),
    "employer_name": Msg("Employer"),
    "customer_name": Msg("Customer"),
}
RESIDENCIES = tuple(RESIDENCY_FACT)  # the scenario format's residency ids, in their order
PAYER_TYPES = ("employee", "entrepreneur", "self_payer", "self_employed", "civil")


def words(lang: str) -> dict[str, str]:
    return {k: v[lang] for k, v in PAGE.items()}
