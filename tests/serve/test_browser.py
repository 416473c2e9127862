"""The calculator page in a real headless Chromium: fill the form, submit, read the answer, switch language."""

from __future__ import annotations

import pytest

from osms.policy import bundled_policies, load_policies
from osms.serve.i18n import PAGE

LANGS = ("ru", "kk", "en")


def _by():
    from selenium.webdriver.common.by import By

    return By


def wait_for(driver, css: str, timeout: float = 15):
    from selenium.webdriver.support.ui import WebDriverWait

    By = _by()
    WebDriverWait(driver, timeout).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, css) or d.find_elements(By.CSS_SELECTOR, ".result .error")
    )
    errors = driver.find_elements(By.CSS_SELECTOR, ".result .error")
    assert not errors, errors[0].find_element(By.XPATH, "..").text
    return driver.find_element(By.CSS_SELECTOR, css)


def fill(driver, element_id: str, text: str) -> None:
    el = driver.find_element(_by().ID, element_id)
    el.clear()
    el.send_keys(text)


def choose(driver, element_id: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(_by().ID, element_id)).select_by_value(value)


def text_of(el) -> str:
    return el.text.replace("\u00a0", " ")


def situation(driver, payer_type: str, since: str, income: str | None = None) -> None:
    """Who the person is: the payer type, the income where asked, and the month the situation began."""
    choose(driver, "payer_type", payer_type)
    if income is not None:
        fill(driver, "income", income)
    fill(driver, "since", since)


def submit(driver, button: str, result: str):
    """Press a form's button and wait for its answer (failing on an error shown instead)."""
    driver.find_element(_by().ID, button).click()
    return wait_for(driver, result)


def amount_of(driver, output: str) -> str:
    """The amount shown for one output, exactly as displayed."""
    return text_of(driver.find_element(_by().CSS_SELECTOR, f"[data-output={output}] .value"))


@pytest.mark.parametrize("lang", LANGS)
def test_high_earner_2026_is_computed_and_explained(browser, server, policy, lang) -> None:
    By = _by()
    browser.get(f"{server.url}/?lang={lang}")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    situation(browser, "employee", "2026-01", "5 000 000")
    fill(browser, "calc-month", "2026-03")
    submit(browser, "calc-submit", "#calc-amounts")
    employer = text_of(browser.find_element(By.CSS_SELECTOR, "[data-output=employer_deduction]"))
    employee = text_of(browser.find_element(By.CSS_SELECTOR, "[data-output=employee_contribution]"))
    # MZP 2026 = 85 000 (policies/parameters/general/mzp.yaml: budget law 2026–2028, № 239-VIII).
    # Employer: 3 % × min(5 000 000, 40 × 85 000 = 3 400 000) = 102 000
    assert policy.rules["employer_deduction"].label[lang] in employer
    assert amount_of(browser, "employer_deduction") == "102 000 ₸"
    label = {n: policy.parameters[n].label[lang] for n in policy.parameters}
    for shown in (
        f"{label['employer_deduction_cap']} = 40 — ",
        f"{label['employer_deduction_rate']} = 3 % — ",
        f"{label['mzp']} = 85 000 ₸ — ",
    ):
        assert shown in employer
    # Employee: 2 % × min(5 000 000, 20 × 85 000 = 1 700 000) = 34 000
    assert policy.rules["employee_contribution"].label[lang] in employee
    assert amount_of(browser, "employee_contribution") == "34 000 ₸"
    for shown in (f"{label['employee_contribution_cap']} = 20 — ", f"{label['employee_contribution_rate']} = 2 % — "):
        assert shown in employee
    # The acts behind the amounts: the 2026 caps come from Law № 206-VIII, the MZP from the budget law.
    assert "№ 206-VIII" in employer and "№ 239-VIII" in employer and "ст. 27 п. 2-2" in employer
    assert "ст. 28 п. 5-2" in employee
    assert text_of(browser.find_element(By.CSS_SELECTOR, "#calc-total .value")) == "136 000 ₸"  # 102 000 + 34 000


@pytest.mark.parametrize("lang", LANGS)
def test_self_payer_status_month_by_month(browser, server, lang) -> None:
    By = _by()
    browser.get(f"{server.url}/?lang={lang}")
    choose(browser, "payer_type", "self_payer")
    assert not browser.find_element(By.ID, "income").is_displayed()  # a self-payer's income is not asked
    fill(browser, "since", "2025-01")
    browser.find_element(By.ID, "add-12").click()
    rows = browser.find_elements(By.CSS_SELECTOR, "#payments .payment")
    assert len(rows) == 12
    for row in rows:
        row.find_element(By.NAME, "amount").send_keys("4250")  # 5 % × 1 MZP (85 000) = 4 250
    fill(browser, "status-on", "2026-05-15")
    submit(browser, "status-submit", "#status-months")
    # 12 separate payments on 2025-01-10 for 2025-01…12 give status at once (ст. 5 п. 3, from 2022-09-05); after
    # the last paid month, 2025-12, 3 grace months (ст. 5 п. 2) run to 2026-03-31; on 2026-05-15 she is not insured.
    reasons = load_policies(bundled_policies()).outcomes["status"]  # the wording the page shows
    verdict = text_of(browser.find_element(By.ID, "status-verdict"))
    assert verdict == f"2026-05-15: {PAGE['not_insured'][lang]}"
    assert text_of(browser.find_element(By.ID, "status-why")).endswith(reasons["none"][lang])
    cells = {
        r.get_attribute("data-month"): [text_of(td) for td in r.find_elements(By.TAG_NAME, "td")]
        for r in browser.find_elements(By.CSS_SELECTOR, "#status-months tbody tr")
    }
    assert list(cells) == [f"2025-{m:02d}" for m in range(1, 13)] + [f"2026-{m:02d}" for m in range(1, 6)]
    yes, no = PAGE["yes"][lang], PAGE["no"][lang]
    assert cells["2025-03"] == ["2025-03", yes, "2026-03-31", reasons["prospective"][lang]]
    assert cells["2026-02"] == ["2026-02", yes, "2026-03-31", reasons["grace"][lang]]
    assert cells["2026-04"] == ["2026-04", no, "—", reasons["none"][lang]]
    if lang != "en":
        return  # the editing below is the same in every language
    # Remove one payment (2025-06 unpaid): no longer 12 payments ahead, so not insured in 2025-03.
    rows[5].find_element(By.CSS_SELECTOR, "button.remove").click()
    fill(browser, "status-on", "2025-03-15")
    submit(browser, "status-submit", "#status-months")
    assert text_of(browser.find_element(By.ID, "status-verdict")) == f"2025-03-15: {PAGE['not_insured'][lang]}"


def test_status_without_payments_says_they_are_assumed(browser, server) -> None:
    """An employee who enters no payment: the answer rests on payments taken as made, and the page says so; with a
    payment entered, the note is gone."""
    By = _by()
    browser.get(f"{server.url}/?lang=ru")
    situation(browser, "employee", "2024-01", "300000")
    fill(browser, "status-on", "2025-03-15")
    submit(browser, "status-submit", "#status-months")
    # Employed since 2024-01, every month taken as paid by the 25th: 12 paid months, insured.
    assert text_of(browser.find_element(By.ID, "status-verdict")).startswith(f"2025-03-15: {PAGE['insured']['ru']}")
    assert text_of(browser.find_element(By.ID, "status-assumed")) == PAGE["assumed"]["ru"]
    browser.find_element(By.ID, "add-row").click()
    row = browser.find_element(By.CSS_SELECTOR, "#payments .payment")
    row.find_element(By.NAME, "paid_on").send_keys("2024-02-20")
    row.find_element(By.NAME, "for_month").send_keys("2024-01")
    row.find_element(By.NAME, "amount").send_keys("9000")  # 3 % × 300 000 = 9 000 for January 2024
    submit(browser, "status-submit", "#status-months")
    assert not browser.find_elements(By.ID, "status-assumed")  # the payments entered are the ones read
    # One month's deduction of the 14 due: the rest unpaid, not insured.
    assert text_of(browser.find_element(By.ID, "status-verdict")) == f"2025-03-15: {PAGE['not_insured']['ru']}"


def test_language_switch_and_keyboard(browser, server) -> None:
    from selenium.webdriver.common.keys import Keys

    By = _by()
    browser.get(f"{server.url}/")  # Chromium's Accept-Language is en-US: the page follows it
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    browser.find_element(By.LINK_TEXT, "Қазақша").click()
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "kk"
    assert browser.find_element(By.TAG_NAME, "h1").text == PAGE["title"]["kk"]
    assert browser.find_element(By.CSS_SELECTOR, "label[for=income]").text == PAGE["income"]["kk"]
    # Every control has a real label.
    for control in browser.find_elements(By.CSS_SELECTOR, "input, select"):
        cid = control.get_attribute("id")
        assert browser.find_elements(By.CSS_SELECTOR, f"label[for='{cid}']"), cid
    # Keyboard only: type into the month field and press Enter.
    situation(browser, "entrepreneur", "2025-01")
    month = browser.find_element(By.ID, "calc-month")
    month.clear()
    month.send_keys("2025-06", Keys.ENTER)
    # ИП: 5 % × 1.4 × 85 000 (MZP 2025) = 5 950
    wait_for(browser, "[data-output=entrepreneur_contribution]")
    assert amount_of(browser, "entrepreneur_contribution") == "5 950 ₸"
    # An input error shows the API's message, in the page's language: the title and the message itself.
    fill(browser, "calc-month", "2019-12")
    browser.find_element(By.ID, "calc-submit").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#calc-result .error"))
    shown = browser.find_element(By.ID, "calc-result").text
    assert "Енгізілген деректер қате" in shown
    assert "month: 2019-12 ережелер жиынтығы қамтитын айлардан тыс (2020-01 – 2026-12)" in shown


def test_a_link_carries_a_calculation(browser, server) -> None:
    By = _by()
    browser.get(f"{server.url}/?lang=en&payer_type=self_employed&income=200000&since=2026-01&month=2026-02")
    # Self-employed (2026 special regime): 1 % × 200 000 = 2 000
    wait_for(browser, "[data-output=self_employed_contribution]")
    assert amount_of(browser, "self_employed_contribution") == "2 000 ₸"
    assert browser.find_element(By.ID, "income").get_attribute("value") == "200000"
    # ГПХ: 2 % × min(150 000, 20 × 85 000) = 3 000 (civil-contract contribution, 2026)
    browser.get(f"{server.url}/?lang=ru&payer_type=civil&income=150 000&since=2026-01&month=2026-03")
    wait_for(browser, "[data-output=civil_contribution]")
    assert amount_of(browser, "civil_contribution") == "3 000 ₸"
