/* One asset: its facts, relations, a Secret's consumers and the relation graph. */
"use strict";

const ASSET_ID = document.body.dataset.assetId;
const GRAPH_KINDS = ["Secret", "ServiceAccount"];

// Actions a page of this kind offers to plan, with the parameters the link pre-fills.
const PLANS = {
  Secret: (a) => ({ action: "rotate-secret", namespace: a.namespace, name: a.name }),
  ServiceAccount: (a) => ({ action: "rotate-sa-token", namespace: a.namespace, serviceaccount: a.name }),
  Deployment: (a) => ({ action: "scale-deployment", namespace: a.namespace, name: a.name }),
  Node: (a) => ({ action: "cordon-node", node: a.name }),
};

function planLink(a) {
  const plan = PLANS[a.kind];
  if (!plan) return "";
  const params = { connector: a.connector_id, ...plan(a) };
  return KC.link("/ui/changes" + KC.query(params), "Plan " + params.action + "…",
    { "data-testid": "plan-link", "data-role": "operator" });
}

function describe(key) {
  return key.kind + " " + (key.namespace ? key.namespace + "/" : "") + key.name;
}

function searchLink(key, connectorId) {
  const q = KC.query({
    connector: connectorId, kind: key.kind, namespace: key.namespace, name: key.name,
  });
  return KC.link("/ui/assets" + q, describe(key));
}

function attributes(attrs) {
  return Object.entries(attrs || {}).map(([k, v]) => k + "=" + (typeof v === "string" ? v : JSON.stringify(v))).join(", ");
}

function renderRelations(data) {
  const cid = data.asset.connector_id;
  const rows = [
    ...(data.incoming || []).map((r) => ["from", r.relation_type, searchLink(r.source, cid), attributes(r.attributes)]),
    ...(data.outgoing || []).map((r) => ["to", r.relation_type, searchLink(r.target, cid), attributes(r.attributes)]),
  ];
  KC.fillRows(KC.$('[data-testid="relations-table"] tbody'), rows);
}

function renderConsumers(data) {
  const consumers = (data.incoming || []).filter((r) => r.relation_type === "consumes-secret");
  KC.byTestId("consumers-section").hidden = data.asset.kind !== "Secret";
  KC.fillRows(
    KC.$('[data-testid="consumers-table"] tbody'),
    consumers.map((r) => {
      const a = r.attributes || {};
      const how = [a.via, a.container && "container " + a.container, a.key && "key " + a.key,
        a.volume && "volume " + a.volume].filter(Boolean).join(", ");
      return [searchLink(r.source, data.asset.connector_id), how, a.refresh || ""];
    }),
    () => ({ "data-testid": "consumer-row" }),
  );
}

KC.ready(async (me) => {
  const data = await KC.api("GET", "/assets/" + encodeURIComponent(ASSET_ID) + "/relations");
  const a = data.asset;
  KC.byTestId("asset-title").textContent = describe(a);
  document.title = describe(a) + " · kubeconnector";
  const details = a.details || {};
  KC.facts(KC.byTestId("asset-facts"), [
    ["Kind", a.kind + (a.api_version ? " (" + a.api_version + ")" : "")],
    ["Namespace", a.namespace || "(cluster)"],
    ["Name", a.name],
    ["UID", a.uid],
    ["Resource version", a.resource_version],
    ["Labels", attributes(a.labels)],
    ["Managed by", (a.managers || []).map((m) => m.name || m.manager || JSON.stringify(m)).join(", ")],
    ["Details", attributes(details)],
    ["Last seen", KC.time(a.last_seen) + (a.deleted ? " (deleted)" : "")],
    ["Change", planLink(a)],
  ]);
  KC.applyRole(me ? me.role : "viewer", KC.byTestId("asset-facts"));
  renderRelations(data);
  renderConsumers(data);
  if (GRAPH_KINDS.includes(a.kind)) {
    KC.byTestId("graph-section").hidden = false;
    KCGraph.draw(KC.byTestId("relation-graph"), data);
  }
});
