/* Asset search by connector, kind, namespace and name (the query string pre-fills the form). */
"use strict";

async function search(form) {
  const values = KC.formValues(form);
  history.replaceState(null, "", "/ui/assets" + KC.query(values));
  const found = await KC.api("GET", "/assets" + KC.query(values));
  KC.fillRows(
    KC.$('[data-testid="assets-table"] tbody'),
    found.map((a) => [
      a.kind,
      a.namespace || "",
      KC.link("/ui/assets/" + encodeURIComponent(a.id), a.name, {
        "data-testid": "asset-link-" + a.kind + "-" + (a.namespace || "") + "-" + a.name,
      }),
      KC.time(a.last_seen) + (a.deleted ? " (deleted)" : ""),
    ]),
  );
  KC.byTestId("assets-empty").hidden = found.length > 0;
}

KC.ready(async () => {
  const form = document.getElementById("asset-search");
  const select = document.getElementById("a-connector");
  for (const c of await KC.api("GET", "/connectors")) {
    select.append(KC.el("option", { value: c.id }, c.name));
  }
  const given = new URLSearchParams(location.search);
  for (const name of ["connector", "kind", "namespace", "name"]) {
    if (given.has(name)) form.elements[name].value = given.get(name);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    KC.guard(() => search(form));
  });
  if ([...given.keys()].length) await search(form);
});
