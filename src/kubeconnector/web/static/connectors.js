/* Connectors: the list, and the add form (admins). */
"use strict";

async function loadConnectors() {
  const found = await KC.api("GET", "/connectors");
  const tbody = KC.$('[data-testid="connectors-table"] tbody');
  KC.fillRows(
    tbody,
    found.map((c) => [
      KC.link("/ui/connectors/" + encodeURIComponent(c.id), c.name, {
        "data-testid": "connector-link-" + c.name,
      }),
      c.environment,
      c.context || "(current)",
      c.namespace || "(all)",
      c.server,
      (c.warnings || []).join(", "),
    ]),
  );
  KC.byTestId("connectors-empty").hidden = found.length > 0;
}

KC.ready(async () => {
  const form = document.getElementById("add-connector");
  // A chosen file is read in the browser into the text area; it leaves only with the form.
  document.getElementById("c-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (file) document.getElementById("c-kubeconfig").value = await file.text();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    KC.guard(async () => {
      const values = KC.formValues(form);
      const body = { name: values.name.trim(), kubeconfig: values.kubeconfig };
      for (const key of ["context", "namespace", "environment"]) {
        if (values[key] && values[key].trim()) body[key] = values[key].trim();
      }
      const created = await KC.api("POST", "/connectors", body);
      form.reset();
      location.assign("/ui/connectors/" + encodeURIComponent(created.id));
    });
  });
  await loadConnectors();
});
