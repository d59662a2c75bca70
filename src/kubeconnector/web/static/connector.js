/* One connector: the connection test (permission report) and discovery with live progress. */
"use strict";

const REF = document.body.dataset.ref;
const base = "/connectors/" + encodeURIComponent(REF);

function yesNo(ok, yes, no) {
  return KC.el("span", { class: ok ? "ok" : "bad" }, ok ? yes : no);
}

function permissionTable(permissions) {
  const head = KC.el(
    "thead", {},
    KC.el("tr", {}, ["Permission", "Status", "Scope", "Needed by", "Why"].map(
      (h) => KC.el("th", { scope: "col" }, h))),
  );
  const body = KC.el("tbody");
  KC.fillRows(
    body,
    permissions.map((p) => [
      (p.group ? p.group + "/" : "") + p.resource + " " + p.verb + (p.optional ? " (optional)" : ""),
      yesNo(p.ok, "allowed", "missing"),
      p.status === "allowed-in-namespace" ? "in " + (p.namespaces || []).join(", ")
        : p.status === "allowed-cluster-wide" ? "cluster-wide" : "",
      (p.usedBy || []).join(", "),
      p.why || "",
    ]),
    (i) => ({ "data-testid": "perm-row", "data-ok": String(permissions[i].ok) }),
  );
  return KC.el("table", { "data-testid": "perm-table" }, head, body);
}

function actionTable(actions) {
  const head = KC.el(
    "thead", {},
    KC.el("tr", {}, ["Action", "Can run", "Missing", "Degraded"].map(
      (h) => KC.el("th", { scope: "col" }, h))),
  );
  const body = KC.el("tbody");
  KC.fillRows(
    body,
    actions.map((a) => [
      a.action,
      yesNo(a.canRun, "yes", "no"),
      (a.missing || []).join(", "),
      (a.degraded || []).join(", "),
    ]),
    (i) => ({ "data-testid": "action-row", "data-can-run": String(actions[i].canRun) }),
  );
  return KC.el("table", { "data-testid": "action-table" }, head, body);
}

function renderReport(report) {
  const out = KC.byTestId("test-report");
  const parts = [];
  const identity = report.identity ? report.identity.username || JSON.stringify(report.identity) : "";
  const version = report.version ? report.version.gitVersion || JSON.stringify(report.version) : "";
  const dl = KC.el("dl", { class: "facts" });
  KC.facts(dl, [
    ["Connected", yesNo(report.connected, "yes", "no")],
    ["Server", report.server],
    ["Version", version],
    ["Identity", identity],
    ["Warnings", (report.warnings || []).join(", ")],
  ]);
  parts.push(dl);
  if (report.problem) {
    parts.push(KC.el("p", { class: "bad", "data-testid": "test-problem" },
      report.problem.message + " " + (report.problem.hint || "")));
  }
  if (report.permissions) {
    parts.push(KC.el("h3", {}, "Permissions"), permissionTable(report.permissions.permissions));
    parts.push(KC.el("h3", {}, "Actions"), actionTable(report.permissions.actions));
  }
  if (report.fixYaml) {
    parts.push(
      KC.el("h3", {}, "Fix: apply this YAML to grant what is missing"),
      KC.el("pre", { "data-testid": "fix-yaml" }, report.fixYaml),
    );
  }
  out.replaceChildren(...parts);
}

function showJob(job) {
  const box = KC.byTestId("discover-job");
  const bar = KC.byTestId("discover-progress");
  const status = KC.byTestId("discover-status");
  box.hidden = false;
  const p = job.progress || {};
  status.textContent =
    job.state + (p.stage ? " · " + p.stage : "") + (p.kind ? " · " + p.kind : "") +
    " · " + (p.items || 0) + " items, " + (p.pages || 0) + " pages";
  status.dataset.state = job.state;
  if (job.state === "succeeded" || job.state === "failed") {
    bar.max = 1;
    bar.value = 1;
  } else {
    bar.removeAttribute("value"); // indeterminate: the total is not known in advance
  }
}

function showDiscoveryResult(job) {
  const out = KC.byTestId("discover-result");
  if (job.state === "failed") {
    const e = job.error || {};
    out.replaceChildren(KC.el("p", { class: "bad" }, (e.reason || "failed") + ": " + (e.message || "")));
    return;
  }
  const r = job.result || {};
  const counts = r.counts || {};
  const list = KC.el("ul", { "data-testid": "discover-counts" },
    Object.entries(counts).map(([kind, n]) => KC.el("li", {}, kind + ": " + n)));
  out.replaceChildren(
    KC.el("p", { "data-testid": "discover-summary" },
      "Run " + ((r.run && r.run.status) || job.state) + ": " + Object.values(counts).reduce((a, b) => a + b, 0) +
      " assets, " + (r.relations ?? 0) + " relations" +
      ((r.forbiddenKinds || []).length ? "; not allowed to list " + r.forbiddenKinds.join(", ") : "")),
    list,
    KC.link("/ui/assets?connector=" + encodeURIComponent(REF), "Browse the assets"),
  );
}

KC.ready(async () => {
  const connector = await KC.api("GET", base);
  KC.byTestId("connector-name").textContent = connector.name;
  document.title = connector.name + " · kubeconnector";
  KC.facts(KC.byTestId("connector-facts"), [
    ["Environment", connector.environment],
    ["Context", connector.context || "(current)"],
    ["Namespace", connector.namespace || "(all)"],
    ["Server", connector.server],
    ["Registered", KC.time(connector.created_at)],
  ]);
  const testButton = document.getElementById("run-test");
  testButton.addEventListener("click", () => KC.guard(async () => {
    testButton.disabled = true;
    KC.byTestId("test-report").textContent = "Testing…";
    try {
      renderReport(await KC.api("POST", base + "/test"));
    } finally {
      testButton.disabled = false;
    }
  }));
  const discoverButton = document.getElementById("run-discover");
  discoverButton.addEventListener("click", () => KC.guard(async () => {
    discoverButton.disabled = true;
    KC.byTestId("discover-result").replaceChildren();
    try {
      const job = await KC.api("POST", base + "/discover");
      showJob(job);
      showDiscoveryResult(await KC.pollJob(job.id, showJob));
    } finally {
      discoverButton.disabled = false;
    }
  }));
});
