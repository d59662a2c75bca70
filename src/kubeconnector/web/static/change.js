/* One change request: plan (diff, impact, checks), risk, approvals and state, with the
   buttons the user's role allows in that state; live status while a job runs. */
"use strict";

const CHANGE_ID = document.body.dataset.changeId;
const PATH = "/change-requests/" + encodeURIComponent(CHANGE_ID);
const RUNNING = ["executing", "verifying"];
let ME = null;
let jobRunning = false;

function allowed(record) {
  const role = ME ? ME.role : "viewer";
  const operator = KC.can(role, "operator");
  const approver = KC.can(role, "approver");
  const reversible = record.has_snapshot && !record.rollback_of && !record.rollback_id;
  return {
    approve: approver && record.state === "planned",
    reject: approver && record.state === "planned",
    execute: operator && record.state === "approved",
    rollback: operator && reversible && ["completed", "failed"].includes(record.state),
    resume: operator && !jobRunning && RUNNING.includes(record.state),
  };
}

function renderButtons(record) {
  const ok = allowed(record);
  let any = false;
  for (const [op, show] of Object.entries(ok)) {
    const button = KC.byTestId("btn-" + op);
    button.hidden = !show || jobRunning;
    any = any || !button.hidden;
  }
  KC.byTestId("no-actions").hidden = any;
  const comment = document.getElementById("comment");
  comment.hidden = !(ok.approve || ok.reject);
  comment.labels[0].hidden = comment.hidden;
}

function renderPlan(plan) {
  const diff = plan ? plan.diff : [];
  KC.fillRows(KC.$('[data-testid="change-diff"] tbody'),
    diff.map((d) => [d.path, d.op, d.old ?? "", d.new ?? ""]),
    () => ({ "data-testid": "diff-row" }));
  const impact = plan ? plan.impact : [];
  KC.fillRows(KC.$('[data-testid="change-impact"] tbody'),
    impact.map((i) => [i.subject, i.effect]), () => ({ "data-testid": "impact-row" }));
  const checks = plan ? [...plan.preflight, ...(plan.dry_run ? [plan.dry_run] : [])] : [];
  const warnings = plan ? plan.warnings : [];
  KC.byTestId("change-checks").replaceChildren(
    KC.el("h3", {}, "Checks"),
    KC.el("ul", {}, checks.map((c) => KC.el("li", { class: c.ok ? "ok" : "bad" },
      (c.ok ? "✓ " : "✗ ") + c.name + (c.message ? ": " + c.message : "")))),
    warnings.length ? KC.el("ul", { class: "warn" }, warnings.map((w) => KC.el("li", {}, w))) : "",
    plan && plan.blast_radius
      ? KC.el("p", {}, "Blast radius: " + plan.blast_radius.workloads + " workload(s), " +
        plan.blast_radius.pods + " pod(s). Rollback: " +
        (plan.rollback_available ? "available" : "not available") +
        (plan.rollback_note ? " (" + plan.rollback_note + ")" : ""))
      : "",
  );
}

function relatedLink(record) {
  if (record.rollback_id) {
    return KC.link("/ui/changes/" + encodeURIComponent(record.rollback_id), "the rollback",
      { "data-testid": "rollback-link" });
  }
  if (record.rollback_of) {
    return KC.link("/ui/changes/" + encodeURIComponent(record.rollback_of), "the change it reverses",
      { "data-testid": "original-link" });
  }
  return "";
}

function render(record) {
  KC.byTestId("change-title").textContent = record.action + " · " + (record.plan ? record.plan.target : "");
  const state = KC.byTestId("change-state");
  state.textContent = record.state;
  state.dataset.state = record.state;
  state.className = "state state-" + record.state;
  KC.facts(KC.byTestId("change-facts"), [
    ["Id", record.id],
    ["Connector", record.connector_name],
    ["Requester", record.requester],
    ["Parameters", Object.entries(record.params || {})
      .map(([k, v]) => k + "=" + (typeof v === "string" ? v : JSON.stringify(v))).join(", ")],
    ["Created", KC.time(record.created_at)],
    ["Updated", KC.time(record.updated_at)],
    ["Related", relatedLink(record)],
    ["Error", record.error || ""],
  ].filter(([, value]) => value !== ""));
  const risk = record.risk;
  KC.byTestId("change-risk").replaceChildren(
    risk ? KC.el("p", { class: "risk risk-" + risk.level, "data-testid": "risk-level" },
      risk.level + " (" + risk.score + "/10)") : KC.el("p", {}, "not assessed"),
    risk ? KC.el("ul", {}, risk.reasons.map((r) => KC.el("li", {}, r))) : "",
  );
  renderPlan(record.plan);
  KC.byTestId("change-approvals").replaceChildren(
    KC.el("li", {}, record.approvals.length + " of " + record.required_approvals + " required"),
    ...record.approvals.map((a) => KC.el("li", { "data-testid": "approval" },
      a.approver + " at " + KC.time(a.at) + (a.comment ? ": " + a.comment : ""))),
  );
  KC.fillRows(KC.$('[data-testid="change-steps"] tbody'),
    (record.steps || []).map((s) => [KC.time(s.at), s.name, s.phase]));
  renderButtons(record);
}

async function refresh() {
  const record = await KC.api("GET", PATH);
  render(record);
  return record;
}

async function runJob(op, body) {
  const job = await KC.api("POST", PATH + "/" + op, body);
  jobRunning = true;
  const status = KC.byTestId("change-job");
  try {
    const done = await KC.pollJob(job.id, (j) => {
      status.textContent = op + " job: " + j.state + (j.progress && j.progress.stage ? " · " + j.progress.stage : "");
      status.dataset.state = j.state;
      refresh().catch(() => undefined); // live status; a missed refresh is made up next poll
    }, 400);
    if (done.state === "failed" && done.error) {
      KC.showError(new KC.ApiError(0, done.error.reason, done.error.message));
    }
  } finally {
    jobRunning = false;
    await refresh();
  }
}

async function operate(op) {
  const comment = document.getElementById("comment").value.trim();
  if (op === "approve" || op === "reject") {
    render(await KC.api("POST", PATH + "/" + op, comment ? { comment } : {}));
  } else if (op === "rollback") {
    await runJob(op, {});
  } else {
    await runJob(op, undefined);
  }
}

KC.ready(async (me) => {
  ME = me;
  for (const button of document.querySelectorAll("[data-op]")) {
    button.addEventListener("click", () => KC.guard(async () => {
      button.disabled = true;
      try {
        await operate(button.dataset.op);
      } finally {
        button.disabled = false;
      }
    }));
  }
  let record = await refresh();
  // Someone else's execution in progress: follow it until it settles.
  while (RUNNING.includes(record.state) && !jobRunning) {
    await KC.sleep(1000);
    record = await refresh();
  }
});
