/* The audit log: filters, and the hash chain verification. */
"use strict";

function isoOrEmpty(local) {
  // datetime-local has no zone: read it as the browser's local time, send UTC.
  return local ? new Date(local).toISOString() : "";
}

function payloadText(payload) {
  return Object.entries(payload || {})
    .map(([k, v]) => k + "=" + (typeof v === "string" ? v : JSON.stringify(v)))
    .join(", ");
}

async function load(form) {
  const v = KC.formValues(form);
  const q = { change: v.change, actor: v.actor, since: isoOrEmpty(v.since), until: isoOrEmpty(v.until) };
  const events = await KC.api("GET", "/audit" + KC.query(q));
  KC.fillRows(
    KC.$('[data-testid="audit-table"] tbody'),
    events.map((e) => [
      String(e.seq), KC.time(e.ts), e.actor, e.event_type,
      e.resource_type === "change"
        ? KC.link("/ui/changes/" + encodeURIComponent(e.resource_id), "change " + e.resource_id.slice(0, 8))
        : e.resource_type + " " + e.resource_id.slice(0, 8),
      payloadText(e.payload),
    ]),
    (i) => ({ "data-testid": "audit-row", "data-event": events[i].event_type }),
  );
}

async function verify() {
  const report = await KC.api("GET", "/audit/verify");
  const out = KC.byTestId("verify-result");
  out.textContent = report.ok
    ? "Intact: " + report.count + " events, head #" + report.head_seq
    : "Broken: " + report.problems.length + " problem(s) in " + report.count + " events";
  out.className = report.ok ? "ok" : "bad";
  out.dataset.ok = String(report.ok);
  KC.byTestId("verify-problems").replaceChildren(
    ...(report.problems || []).map((p) => KC.el("li", {}, p.kind + " at #" + p.seq + ": " + p.message)));
}

KC.ready(async () => {
  const form = document.getElementById("audit-filter");
  const given = new URLSearchParams(location.search);
  for (const name of ["change", "actor"]) {
    if (given.has(name)) form.elements[name].value = given.get(name);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    KC.guard(() => load(form));
  });
  document.getElementById("verify").addEventListener("click", () => KC.guard(verify));
  await load(form);
});
