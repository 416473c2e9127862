"""The facts a formula can read about a person in a month, built into the scenario format.

Policies may declare more facts (section `facts:`), which scenarios state under `facts:`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .expressions import JOB, PERSON


@dataclass(frozen=True)
class FactDef:
    name: str
    type: str  # bool | number | choice
    label: Mapping[str, str]
    unit: str | None = None
    entity: str = PERSON
    derived: str | None = None  # how the engine derives it from the person's records, if it does
    # A choice fact (e.g. region): choice id → labels. In the arrays a person's choice is its index in this
    # order, NaN where not stated.
    choices: Mapping[str, Mapping[str, str]] | None = None

    def code(self, choice: str) -> int:
        assert self.choices is not None
        return list(self.choices).index(choice)


def _f(name: str, type_: str, ru: str, kk: str, en: str, unit: str | None = None, entity: str = PERSON) -> FactDef:
    return FactDef(name, type_, {"ru": ru, "kk": kk, "en": en}, unit, entity)


BUILTIN_FACTS: dict[str, FactDef] = {
    f.name: f
    for f in [
        _f(
            "wage",
            "number",
            "Заработная плата у работодателя за месяц",
            "Жұмыс берушідегі айлық жалақы",
            "Monthly wage from the employer",
            "tenge",
            JOB,
        ),
        _f(
            "employed",
            "bool",
            "Работает у работодателя в этом месяце",
            "Осы айда жұмыс берушіде жұмыс істейді",
            "Employed by the employer this month",
            "bool",
            JOB,
        ),
        _f(
            "civil_income",
            "number",
            "Доход по договорам ГПХ за месяц",
            "Азаматтық-құқықтық шарттар бойынша айлық табыс",
            "Civil-law (ГПХ) contract income this month",
            "tenge",
        ),
        _f(
            "entrepreneur",
            "bool",
            "Зарегистрирован как ИП, частная практика или КХ",
            "ЖК, жеке практика немесе ШҚ ретінде тіркелген",
            "Registered as an individual entrepreneur, private practice or peasant farm",
            "bool",
        ),
        _f("self_payer", "bool", "Самостоятельный плательщик", "Дербес төлеуші", "Self-payer", "bool"),
        _f(
            "self_employed",
            "bool",
            "Применяет специальный налоговый режим для самозанятых",
            "Өзін-өзі жұмыспен қамтығандарға арналған арнаулы салық режимін қолданады",
            "Uses the special tax regime for the self-employed",
            "bool",
        ),
        _f(
            "self_employed_income",
            "number",
            "Доход самозанятого за месяц",
            "Өзін-өзі жұмыспен қамтығанның айлық табысы",
            "Self-employed income this month",
            "tenge",
        ),
        _f(
            "esp_payer",
            "bool",
            "Плательщик единого совокупного платежа (ЕСП)",
            "Бірыңғай жиынтық төлем (БЖТ) төлеушісі",
            "Payer of the single aggregate payment (ЕСП)",
            "bool",
        ),
        _f(
            "esp_city",
            "bool",
            "ЕСП в городе республиканского или областного значения",
            "БЖТ республикалық немесе облыстық маңызы бар қалада",
            "ЕСП paid in a city of republican or oblast significance",
            "bool",
        ),
        _f(
            "age",
            "number",
            "Полных лет на первое число месяца",
            "Айдың бірінші күніне толық жасы",
            "Age in whole years on the first day of the month",
            "years",
        ),
        _f(
            "working",
            "bool",
            "Работает (трудовой договор, ГПХ, ИП, самозанятость или ЕСП)",
            "Жұмыс істейді (еңбек шарты, азаматтық-құқықтық шарт, ЖК, өзін-өзі жұмыспен қамту немесе БЖТ)",
            "Working (employment, civil contract, entrepreneur, self-employed or ЕСП)",
            "bool",
        ),
        _f("resident_citizen", "bool", "Гражданин РК", "ҚР азаматы", "Citizen of Kazakhstan", "bool"),
        _f("resident_kandas", "bool", "Кандас", "Қандас", "Kandas (ethnic Kazakh repatriate)", "bool"),
        _f("resident_refugee", "bool", "Беженец", "Босқын", "Refugee", "bool"),
        _f(
            "resident_permanent",
            "bool",
            "Иностранец или лицо без гражданства, постоянно проживающее в РК",
            "ҚР-да тұрақты тұратын шетелдік немесе азаматтығы жоқ адам",
            "Foreigner or stateless person with permanent residence",
            "bool",
        ),
        _f(
            "resident_temporary",
            "bool",
            "Иностранец или лицо без гражданства, временно пребывающее в РК",
            "ҚР-да уақытша жүрген шетелдік немесе азаматтығы жоқ адам",
            "Foreigner or stateless person staying temporarily",
            "bool",
        ),
        _f("resident_asylum_seeker", "bool", "Лицо, ищущее убежище", "Пана іздеген адам", "Asylum seeker", "bool"),
        _f(
            "resident_eaeu_worker",
            "bool",
            "Трудящийся из государства ЕАЭС или член его семьи",
            "ЕАЭО мемлекетінен келген еңбекші немесе оның отбасы мүшесі",
            "Worker from an EAEU state or a family member",
            "bool",
        ),
    ]
}

RESIDENCY_FACT = {
    "citizen": "resident_citizen",
    "kandas": "resident_kandas",
    "refugee": "resident_refugee",
    "permanent_resident": "resident_permanent",
    "temporary_resident": "resident_temporary",
    "asylum_seeker": "resident_asylum_seeker",
    "eaeu_worker": "resident_eaeu_worker",
}
