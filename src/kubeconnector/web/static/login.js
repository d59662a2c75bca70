/* Login: check the pasted token with GET /me, keep it in sessionStorage, go on. */
"use strict";

KC.ready(async (me) => {
  const form = document.getElementById("login-form");
  const result = KC.byTestId("login-result");
  if (me) result.textContent = "You are logged in as " + me.name + " (" + me.role + ").";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    KC.guard(async () => {
      const value = document.getElementById("token").value.trim();
      const me = await KC.api("GET", "/me", undefined, value);
      KC.setToken(value);
      form.reset();
      result.textContent = "Logged in as " + me.name + " (" + me.role + ").";
      const next = new URLSearchParams(location.search).get("next");
      // Only follow a same-site console path, never an absolute URL.
      const target = next && next.startsWith("/ui/") ? next : "/ui/connectors";
      location.assign(target);
    });
  });
});
