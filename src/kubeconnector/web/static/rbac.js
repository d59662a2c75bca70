/* RBAC: "who can" questions and the findings list. */
"use strict";

function subjectText(s) {
  return s.kind + " " + (s.namespace ? s.namespace + "/" : "") + s.name;
}

function grantText(g) {
  return g.binding.kind + " " + g.binding.name + " → " + g.role.kind + " " + g.role.name +
    " (" + g.scope + ")";
}

async function whoCan(form) {
  const values = KC.formValues(form);
  const ref = values.connector;
  delete values.connector;
  const answer = await KC.api(
    "GET", "/connectors/" + encodeURIComponent(ref) + "/rbac/who-can" + KC.query(values));
  const out = KC.byTestId("who-can-result");
  const rows = (answer.subjects || []).map((entry) => KC.el(
    "li", { "data-testid": "who-can-subject" },
    KC.el("strong", {}, subjectText(entry.subject)),
    " via ", (entry.grants || []).map(grantText).join("; "),
  ));
  const caveats = (answer.caveats || []).map((c) => KC.el("li", { class: "muted" }, c.message));
  out.replaceChildren(
    KC.el("p", {}, rows.length + " subject(s) can " + answer.verb + " " + answer.resource +
      (answer.incomplete ? " (the answer may be incomplete)" : "")),
    KC.el("ul", {}, rows),
    caveats.length ? KC.el("ul", {}, caveats) : "",
  );
}

async function findings(connector) {
  const answer = await KC.api("GET", "/rbac/findings" + KC.query({ connector }));
  const list = Array.isArray(answer) ? answer : answer.findings || [];
  KC.fillRows(
    KC.$('[data-testid="findings-table"] tbody'),
    list.map((f) => [
      KC.el("span", { class: "sev sev-" + f.severity }, f.severity),
      KC.el("span", { title: f.why || "" }, f.title),
      subjectText(f.subject),
      f.scope,
      f.binding.kind + " " + f.binding.name + " → " + f.role.kind + " " + f.role.name,
      f.recommendation || "",
    ]),
    () => ({ "data-testid": "finding-row" }),
  );
}

KC.ready(async () => {
  const select = document.getElementById("w-connector");
  for (const c of await KC.api("GET", "/connectors")) {
    select.append(KC.el("option", { value: c.id }, c.name));
  }
  const form = document.getElementById("who-can");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    KC.guard(() => whoCan(form));
  });
  document.getElementById("load-findings").addEventListener(
    "click", () => KC.guard(() => findings(select.value)));
});
