"""Languages: choosing one for a request (`?lang=`, then Accept-Language, then ru) and the page's own words."""

from __future__ import annotations

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
    "invalid": {"ru": "Неверные входные данные", "kk": "Енгізілген деректер қате", "en": "Invalid input"},
    "too_large": {"ru": "Запрос слишком велик", "kk": "Сұраныс тым үлкен", "en": "Request too large"},
    "timeout": {"ru": "Тело запроса не получено вовремя", "kk": "Сұраныс денесі уақытында алынбады",
                "en": "Request body not received in time"},
    "not_found": {"ru": "Не найдено", "kk": "Табылмады", "en": "Not found"},
    "method": {"ru": "Метод не поддерживается", "kk": "Әдіс қолданылмайды", "en": "Method not allowed"},
    "media": {"ru": "Неподдерживаемый тип содержимого", "kk": "Мазмұн түрі қолданылмайды",
              "en": "Unsupported media type"},
    "internal": {"ru": "Внутренняя ошибка сервера", "kk": "Сервердің ішкі қатесі", "en": "Internal server error"},
    "http": {"ru": "Ошибка запроса", "kk": "Сұраныс қатесі", "en": "Request error"},
}
INTERNAL_DETAIL = {
    "ru": "Сбой в работе программы, а не в ваших данных; сообщите о нём, указав время запроса.",
    "kk": "Қате деректеріңізде емес, бағдарламада; сұраныс уақытын көрсетіп, хабарлаңыз.",
    "en": "A fault in the program, not in your input; please report it with the time of the request.",
}

# The page's words. Labels of outputs, parameters and reasons come from the policies and the engine.
PAGE: dict[str, dict[str, str]] = {
    "title": {"ru": "Калькулятор ОСМС", "kk": "МӘМС калькуляторы", "en": "ОСМС calculator"},
    "intro": {
        "ru": "Взносы и отчисления в фонд обязательного социального медицинского страхования и статус "
              "застрахованности — по Закону РК «Об обязательном социальном медицинском страховании».",
        "kk": "Міндетті әлеуметтік медициналық сақтандыру қорына жарналар мен аударымдар және сақтандырылу "
              "мәртебесі — ҚР «Міндетті әлеуметтік медициналық сақтандыру туралы» Заңы бойынша.",
        "en": "Contributions and deductions to the mandatory social health insurance fund, and insured status — "
              "under the Law of Kazakhstan on mandatory social health insurance."},
    "language": {"ru": "Язык", "kk": "Тіл", "en": "Language"},
    "person": {"ru": "Кто вы", "kk": "Сіз кімсіз", "en": "Who you are"},
    "birth_date": {"ru": "Дата рождения", "kk": "Туған күні", "en": "Date of birth"},
    "residency": {"ru": "Статус проживания", "kk": "Тұру мәртебесі", "en": "Residency"},
    "payer_type": {"ru": "Кто платит", "kk": "Кім төлейді", "en": "Payer type"},
    "employee": {"ru": "Работник по трудовому договору", "kk": "Еңбек шарты бойынша жұмыскер",
                 "en": "Employee (labour contract)"},
    "entrepreneur": {"ru": "Индивидуальный предприниматель (ИП)", "kk": "Жеке кәсіпкер (ЖК)",
                     "en": "Individual entrepreneur (ИП)"},
    "self_payer": {"ru": "Самостоятельный плательщик", "kk": "Дербес төлеуші", "en": "Self-payer"},
    "self_employed": {"ru": "Самозанятый (спецрежим, с 2026)", "kk": "Өзін-өзі жұмыспен қамтыған (2026 жылдан бастап)",
                      "en": "Self-employed (special regime, from 2026)"},
    "civil": {"ru": "Договор ГПХ", "kk": "АҚҚ шарты", "en": "Civil contract (ГПХ)"},
    "income": {"ru": "Доход в месяц, тенге", "kk": "Айлық табыс, теңге", "en": "Monthly income, tenge"},
    "income_hint": {"ru": "Зарплата до вычетов; для ИП и самостоятельного плательщика доход не нужен.",
                    "kk": "Ұсталымдарға дейінгі жалақы; ЖК мен дербес төлеушіге табыс қажет емес.",
                    "en": "Wage before deductions; not needed for an entrepreneur or a self-payer."},
    "since": {"ru": "С какого месяца", "kk": "Қай айдан бастап", "en": "Since month"},
    "calculator": {"ru": "Сколько платить", "kk": "Қанша төлеу керек", "en": "How much to pay"},
    "month": {"ru": "Месяц", "kk": "Ай", "en": "Month"},
    "calculate": {"ru": "Рассчитать", "kk": "Есептеу", "en": "Calculate"},
    "status": {"ru": "Застрахован ли я", "kk": "Мен сақтандырылғанмын ба", "en": "Am I insured"},
    "payments": {"ru": "Сделанные платежи", "kk": "Жасалған төлемдер", "en": "Payments made"},
    "paid_on": {"ru": "Дата оплаты", "kk": "Төлем күні", "en": "Paid on"},
    "for_month": {"ru": "За месяц", "kk": "Қай ай үшін", "en": "For month"},
    "amount": {"ru": "Сумма, тенге", "kk": "Сомасы, теңге", "en": "Amount, tenge"},
    "kind": {"ru": "Вид платежа", "kk": "Төлем түрі", "en": "Payment kind"},
    "add_row": {"ru": "Добавить платёж", "kk": "Төлем қосу", "en": "Add a payment"},
    "add_12": {"ru": "Добавить 12 ежемесячных", "kk": "12 айлық төлем қосу", "en": "Add 12 monthly"},
    "remove": {"ru": "Удалить", "kk": "Жою", "en": "Remove"},
    "on_day": {"ru": "На дату", "kk": "Күні", "en": "On the day"},
    "check": {"ru": "Проверить статус", "kk": "Мәртебені тексеру", "en": "Check status"},
    "result": {"ru": "Результат", "kk": "Нәтиже", "en": "Result"},
    "total": {"ru": "Всего", "kk": "Барлығы", "en": "Total"},
    "rule": {"ru": "Правило", "kk": "Ереже", "en": "Rule"},
    "formula": {"ru": "формула", "kk": "формула", "en": "formula"},
    "basis": {"ru": "основание", "kk": "негіз", "en": "legal basis"},
    "nothing": {"ru": "В этом месяце платить нечего.", "kk": "Бұл айда төлейтін ештеңе жоқ.",
                "en": "Nothing to pay this month."},
    "insured": {"ru": "застрахован", "kk": "сақтандырылған", "en": "insured"},
    "not_insured": {"ru": "не застрахован", "kk": "сақтандырылмаған", "en": "not insured"},
    "until": {"ru": "до", "kk": "дейін", "en": "until"},
    "until_col": {"ru": "Статус действует до", "kk": "Мәртебе мерзімі", "en": "Insured until"},
    "why": {"ru": "Почему", "kk": "Неге", "en": "Why"},
    "by_month": {"ru": "По месяцам (на конец месяца)", "kk": "Айлар бойынша (ай соңында)",
                 "en": "Month by month (at the month's end)"},
    "yes": {"ru": "да", "kk": "иә", "en": "yes"},
    "no": {"ru": "нет", "kk": "жоқ", "en": "no"},
    "error": {"ru": "Ошибка", "kk": "Қате", "en": "Error"},
    "working": {"ru": "Считаем…", "kk": "Есептеп жатырмыз…", "en": "Working…"},
    "policy": {"ru": "Набор правил", "kk": "Ережелер жиынтығы", "en": "Policy set"},
    "api": {"ru": "Описание API", "kk": "API сипаттамасы", "en": "API description"},
    "citizen": {"ru": "гражданин РК", "kk": "ҚР азаматы", "en": "citizen"},
    "kandas": {"ru": "кандас", "kk": "қандас", "en": "kandas"},
    "refugee": {"ru": "беженец", "kk": "босқын", "en": "refugee"},
    "permanent_resident": {"ru": "постоянно проживающий", "kk": "тұрақты тұратын", "en": "permanent resident"},
    "temporary_resident": {"ru": "временно пребывающий", "kk": "уақытша жүрген", "en": "temporary resident"},
    "asylum_seeker": {"ru": "ищущий убежища", "kk": "пана іздеуші", "en": "asylum seeker"},
    "eaeu_worker": {"ru": "трудящийся ЕАЭС", "kk": "ЕАЭО еңбекшісі", "en": "EAEU worker"},
    "employer_name": {"ru": "Работодатель", "kk": "Жұмыс беруші", "en": "Employer"},
    "customer_name": {"ru": "Заказчик", "kk": "Тапсырыс беруші", "en": "Customer"},
}
RESIDENCIES = ("citizen", "kandas", "refugee", "permanent_resident", "temporary_resident", "asylum_seeker",
               "eaeu_worker")
PAYER_TYPES = ("employee", "entrepreneur", "self_payer", "self_employed", "civil")


def words(lang: str) -> dict[str, str]:
    return {k: v[lang] for k, v in PAGE.items()}
