"use strict";
// The calculator page: builds a scenario from the form, asks the API, and shows the engine's answer and reasons.
(function () {
  const data = JSON.parse(document.getElementById("osms-data").textContent);
  const W = data.words;
  const lang = data.lang;
  const $ = (id) => document.getElementById(id);
  const MONEY_FREE = ["entrepreneur", "self_payer"];

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else e.setAttribute(k, v);
    }
    for (const k of kids) e.append(k);
    return e;
  }

  // Amounts as the law states them: grouped by thousands, tiyn only when there are some.
  function money(v) {
    const n = Number(v);
    const [whole, frac] = Math.abs(n).toFixed(2).split(".");
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
    return (n < 0 ? "-" : "") + grouped + (frac === "00" ? "" : "," + frac);
  }
  function shown(node) {
    if (typeof node.value === "boolean") return node.value ? W.yes : W.no;
    if (node.value !== null && typeof node.value === "object") return Object.values(node.value).map(money).join(", ");
    if (node.unit === "rate") return parseFloat((node.value * 100).toPrecision(12)) + "\u00a0%";
    if (node.unit === "tenge") return money(node.value) + "\u00a0₸";
    return String(node.value);
  }
  // Amounts typed the way people write them: "5 000 000" or "4250,50" → "5000000", "4250.50" (sent as text,
  // read by the server as an exact decimal).
  const amountText = (s) => s.replace(/[\s\u00a0]/g, "").replace(",", ".");

  function scenario(month) {
    const type = $("payer_type").value;
    const since = $("since").value.trim();
    const income = amountText($("income").value);
    const sc = { person: { birth_date: $("birth_date").value.trim(), residency: $("residency").value } };
    if (type === "employee") sc.jobs = [{ employer: W.employer_name, from: since, wage: income }];
    if (type === "entrepreneur") sc.entrepreneur = [{ from: since, kind: "ip" }];
    if (type === "self_payer") sc.self_payer = [{ from: since }];
    if (type === "self_employed") sc.self_employed = [{ from: since, monthly_income: income }];
    if (type === "civil") sc.civil_contracts = [{ customer: W.customer_name, income: { [month]: income } }];
    const pays = payments();
    if (pays.length) sc.payments = pays;
    return sc;
  }

  async function post(path, body) {
    const r = await fetch(path + "?lang=" + lang, {
      method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body),
    });
    const doc = await r.json();
    if (!r.ok) throw doc;
    return doc;
  }

  function problem(target, doc) {
    target.replaceChildren(el("p", { class: "error", role: "alert" }, W.error + ": " + (doc.title || doc)));
    const list = el("ul", { class: "error" });
    for (const e of doc.errors || []) list.append(el("li", {}, e.field + ": " + e.message));
    if (!(doc.errors || []).length && doc.detail) list.append(el("li", {}, doc.detail));
    target.append(list);
  }

  // ---- how much to pay -------------------------------------------------------------------------------------
  function showIncomeField() {
    const free = MONEY_FREE.includes($("payer_type").value);
    $("income-field").hidden = free;
    $("income").disabled = free;
  }
  $("payer_type").addEventListener("change", showIncomeField);
  showIncomeField();

  $("calc-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = $("calc-result");
    out.replaceChildren(el("p", {}, W.working));
    const month = $("calc-month").value.trim();
    try {
      const doc = await post("/explain", { scenario: scenario(month), month: month });
      const tree = doc.results[0];
      const box = el("div", { id: "calc-amounts" });
      let total = null;
      // Who pays, employer first (the order of the CLI's table).
      const rank = (o) => data.order.indexOf(o.name);
      for (const o of [...tree.outputs].sort((a, b) => rank(a) - rank(b))) {
        if (o.unit !== "tenge") continue;
        if (o.name === data.total) { total = o; continue; }
        if (!Number(o.value)) continue;
        const params = el("ul", {});
        for (const c of o.children || []) {
          if (c.kind !== "parameter") continue;
          params.append(el("li", {}, `${c.label} = ${shown(c)} — ${c.citation}`));
        }
        box.append(el("div", { class: "amount", "data-output": o.name },
          el("div", { class: "head" }, el("span", {}, o.label), el("span", { class: "value" }, shown(o))),
          el("div", { class: "how" }, `${W.formula}: ${o.formula}`),
          el("div", { class: "basis" }, `${W.basis}: ${o.citation}`), params));
      }
      if (!box.children.length) box.append(el("p", {}, W.nothing));
      out.replaceChildren(el("h3", {}, `${W.result} · ${tree.month}`), box);
      if (total && Number(total.value)) {
        out.append(el("div", { class: "total", id: "calc-total" }, el("span", {}, total.label),
                      el("span", { class: "value" }, shown(total))));
      }
    } catch (doc) {
      problem(out, doc);
    }
  });

  // ---- am I insured ----------------------------------------------------------------------------------------
  let rows = 0;
  function addRow(p) {
    const n = rows++;
    const id = (f) => `pay-${n}-${f}`;
    const input = (f, value, extra) => el("input", { id: id(f), name: f, value: value || "", ...extra });
    const kind = el("select", { id: id("kind"), name: "kind" });
    // The payment kind preselected: the first paid by the payer type chosen above.
    const usual = (data.kinds.find((k) => k[2] === $("payer_type").value) || data.kinds[0])[0];
    for (const [v, label] of data.kinds) kind.append(new Option(label, v, false, v === (p.kind || usual)));
    const cell = (f, control) => el("div", { class: "field" }, el("label", { for: id(f), class: "sr-only" }, W[f]),
                                    control);
    const remove = el("button", { type: "button", class: "remove", "aria-label": `${W.remove} ${n + 1}` }, "×");
    const row = el("div", { class: "payment", "data-row": String(n) },
      cell("paid_on", input("paid_on", p.paid_on, { placeholder: "YYYY-MM-DD", inputmode: "numeric" })),
      cell("for_month", input("for_month", p.for_month, { placeholder: "YYYY-MM", inputmode: "numeric" })),
      cell("amount", input("amount", p.amount, { inputmode: "decimal" })), cell("kind", kind), remove);
    remove.addEventListener("click", () => { row.remove(); $("add-row").focus(); });
    $("payments").append(row);
    return row;
  }
  function payments() {
    return [...document.querySelectorAll("#payments .payment")].map((r) => ({
      paid_on: r.querySelector("[name=paid_on]").value.trim(),
      for_month: r.querySelector("[name=for_month]").value.trim(),
      amount: amountText(r.querySelector("[name=amount]").value),
      kind: r.querySelector("[name=kind]").value,
    }));
  }
  const nextMonth = (m) => {
    const [y, mo] = m.split("-").map(Number);
    return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, "0")}`;
  };
  $("add-row").addEventListener("click", () => addRow({}).querySelector("input").focus());
  // Twelve rows for the twelve months from "since", paid on the first day — the prospective route a self-payer
  // can take; each row stays editable.
  $("add-12").addEventListener("click", () => {
    let m = $("since").value.trim();
    const paid = m + "-10";
    for (let i = 0; i < 12; i++) { addRow({ paid_on: paid, for_month: m }); m = nextMonth(m); }
  });

  // A link can carry a calculation: /?lang=en&payer_type=employee&income=5000000&since=2026-01&month=2026-03
  // fills the form and runs it (so a result can be shared or bookmarked).
  const query = new URLSearchParams(location.search);
  for (const [key, id] of [["birth_date", "birth_date"], ["residency", "residency"], ["payer_type", "payer_type"],
                           ["income", "income"], ["since", "since"], ["month", "calc-month"]]) {
    if (query.has(key)) $(id).value = query.get(key);
  }
  showIncomeField();
  if (query.has("month")) $("calc-form").requestSubmit();

  $("status-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = $("status-result");
    out.replaceChildren(el("p", {}, W.working));
    const on = $("status-on").value.trim();
    const last = on.slice(0, 7);
    const first = [$("since").value.trim(), ...payments().map((p) => p.for_month), last].filter(Boolean).sort()[0];
    try {
      const sc = scenario(last);
      const today = (await post("/calculate", { scenario: sc, on: on })).results[0];
      const months = (await post("/calculate", { scenario: sc, from: first, to: last })).results;
      const verdict = today.insured ? W.insured : W.not_insured;
      const until = today.insured && today.insured_until ? ` (${W.until} ${today.insured_until})` : "";
      const table = el("table", { id: "status-months", "aria-labelledby": "status-months-h" },
        el("thead", {}, el("tr", {}, ...[W.month, W.insured, W.until_col, W.why].map((h) => el("th", { scope: "col" }, h)))));
      const body = el("tbody", {});
      for (const r of months) {
        body.append(el("tr", { "data-month": r.month }, el("td", { class: "nowrap" }, r.month), el("td", {}, r.insured ? W.yes : W.no),
          el("td", { class: "nowrap" }, r.insured_until || "—"), el("td", {}, data.reasons[r.insured_reason])));
      }
      table.append(body);
      out.replaceChildren(
        el("p", { class: "verdict " + (today.insured ? "yes" : "no"), id: "status-verdict" }, `${on}: ${verdict}${until}`),
        el("p", { id: "status-why" }, `${W.why}: ${data.reasons[today.insured_reason]}`),
        // With no payment entered the answer rests on payments taken as made: say so beside the verdict.
        ...(today.payments_assumed ? [el("p", { id: "status-assumed", class: "note" }, W.assumed)] : []),
        el("h3", { id: "status-months-h" }, W.by_month), table);
    } catch (doc) {
      problem(out, doc);
    }
  });
})();
