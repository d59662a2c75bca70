/* Change requests: the list, and the plan form whose fields come from each action's
   params_schema (GET /actions). Parameters are sent as the API's flat {name: text} map:
   booleans as "true", lists comma-separated, maps as "<prefix>.KEY" entries. */
"use strict";

let ACTIONS = [];

function fieldType(prop) {
  if (prop.type) return prop.type;
  const options = (prop.anyOf || []).filter((p) => p.type !== "null");
  return options.length ? options[0].type : "string";
}

// A map field's entries are sent as "<singular>.KEY" (values → value.KEY, env → env.KEY).
const mapPrefix = (name) => name.replace(/s$/, "") + ".";

function inputFor(name, prop, required) {
  const id = "param-" + name;
  const type = fieldType(prop);
  const common = { id, name, "data-testid": id };
  if (type === "boolean") {
    return KC.el("input", { ...common, type: "checkbox", value: "true", checked: prop.default === true });
  }
  if (prop.enum) {
    const select = KC.el("select", common);
    for (const option of prop.enum) select.append(KC.el("option", { value: option }, option));
    if (prop.default !== undefined) select.value = prop.default;
    return select;
  }
  const attrs = { ...common, required, type: type === "integer" ? "number" : "text" };
  if (type === "array") attrs.placeholder = "comma-separated";
  return KC.el("input", attrs);
}

function mapRow(name, prop, box) {
  const inner = prop.additionalProperties || {};
  const secret = inner.format === "password";
  const prefix = mapPrefix(name);
  const n = box.querySelectorAll(".maprow").length;
  const keyId = "param-" + name + "-key-" + n;
  const valueId = "param-" + name + "-value-" + n;
  return KC.el(
    "div", { class: "maprow", "data-map": name, "data-prefix": prefix },
    KC.el("label", { for: keyId }, "key"),
    KC.el("input", { id: keyId, class: "map-key", "data-testid": keyId }),
    KC.el("label", { for: valueId }, secret ? "value (secret)" : "value"),
    KC.el("input", {
      id: valueId, class: "map-value", "data-testid": valueId, autocomplete: "off",
      type: secret ? "password" : inner.type === "integer" ? "number" : "text",
    }),
  );
}

function mapField(name, prop) {
  const box = KC.el("div", { class: "map", role: "group", "aria-label": prop.title || name });
  box.append(mapRow(name, prop, box));
  const add = KC.el("button", {
    type: "button", class: "link", "data-testid": "param-" + name + "-add",
    onclick: () => box.insertBefore(mapRow(name, prop, box), add),
  }, "add another");
  box.append(add);
  return box;
}

function renderParams(action) {
  const fieldset = document.getElementById("p-params");
  const schema = action.params_schema || {};
  const required = new Set(schema.required || []);
  const fields = Object.entries(schema.properties || {}).map(([name, prop]) => {
    const title = (prop.title || name) + (required.has(name) ? " *" : "");
    if (fieldType(prop) === "object") {
      return KC.el("div", { class: "field" }, KC.el("span", { class: "label" }, title), mapField(name, prop));
    }
    const input = inputFor(name, prop, required.has(name));
    return KC.el("div", { class: "field" }, KC.el("label", { for: input.id }, title), input);
  });
  const notes = [action.title + " · base risk " + action.base_risk,
    action.has_rollback ? "can be rolled back" : "cannot be rolled back"].join(" · ");
  fieldset.replaceChildren(KC.el("legend", {}, "Parameters"), KC.el("p", { class: "muted" }, notes), ...fields);
}

function collectParams() {
  const params = {};
  const fieldset = document.getElementById("p-params");
  for (const input of fieldset.querySelectorAll("input[name], select[name]")) {
    if (input.type === "checkbox") {
      if (input.checked) params[input.name] = "true";
    } else if (input.value.trim() !== "") {
      params[input.name] = input.value.trim();
    }
  }
  for (const row of fieldset.querySelectorAll(".maprow")) {
    const key = row.querySelector(".map-key").value.trim();
    if (key) params[row.dataset.prefix + key] = row.querySelector(".map-value").value;
  }
  return params;
}

async function loadList(state) {
  const found = await KC.api("GET", "/change-requests" + KC.query({ state }));
  KC.fillRows(
    KC.$('[data-testid="changes-table"] tbody'),
    found.map((c) => [
      KC.link("/ui/changes/" + encodeURIComponent(c.id), KC.time(c.created_at), {
        "data-testid": "change-link-" + c.id,
      }),
      c.action + (c.rollback_of ? " (rollback)" : ""),
      c.plan ? c.plan.target : "",
      c.connector_name,
      c.requester,
      c.risk ? c.risk.level + " (" + c.risk.score + ")" : "",
      KC.el("span", { class: "state state-" + c.state }, c.state),
    ]),
    (i) => ({ "data-testid": "change-row", "data-state": found[i].state }),
  );
  KC.byTestId("changes-empty").hidden = found.length > 0;
}

async function setUpForm(me) {
  if (!KC.can(me.role, "operator")) return;
  const [connectors, actions] = await Promise.all([
    KC.api("GET", "/connectors"), KC.api("GET", "/actions"),
  ]);
  ACTIONS = actions;
  const given = new URLSearchParams(location.search);
  const cSelect = document.getElementById("p-connector");
  for (const c of connectors) cSelect.append(KC.el("option", { value: c.name }, c.name));
  const aSelect = document.getElementById("p-action");
  for (const a of actions) aSelect.append(KC.el("option", { value: a.id }, a.title));
  // A link may name the connector by id or by name; the form sends its name.
  const wanted = connectors.find((c) => [c.id, c.name].includes(given.get("connector")));
  if (wanted) cSelect.value = wanted.name;
  if (given.get("action")) aSelect.value = given.get("action");
  const show = () => renderParams(ACTIONS.find((a) => a.id === aSelect.value));
  aSelect.addEventListener("change", show);
  show();
  for (const name of ["namespace", "name", "serviceaccount", "node"]) {
    const input = document.getElementById("param-" + name);
    if (input && given.get(name)) input.value = given.get(name);
  }
  const form = document.getElementById("plan-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    KC.guard(async () => {
      const body = { connector: cSelect.value, action: aSelect.value, params: collectParams() };
      const record = await KC.api("POST", "/change-requests", body);
      location.assign("/ui/changes/" + encodeURIComponent(record.id));
    });
  });
}

KC.ready(async (me) => {
  const filter = document.getElementById("change-filter");
  filter.addEventListener("submit", (event) => {
    event.preventDefault();
    KC.guard(() => loadList(filter.elements.state.value));
  });
  await Promise.all([loadList(""), setUpForm(me)]);
});
