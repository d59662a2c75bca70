/* kubeconnector console: shared helpers. Every value from the API is put in the page with
   textContent or attributes, never parsed as HTML. */
"use strict";

const KC = (() => {
  const TOKEN_KEY = "kubeconnector.token";
  // Which roles may use which buttons (the API enforces the same; this only hides the noise).
  const CAN = {
    admin: ["admin", "operator", "approver"],
    operator: ["operator"],
    approver: ["approver"],
    viewer: [],
  };

  class ApiError extends Error {
    constructor(status, reason, message) {
      super(message);
      this.status = status;
      this.reason = reason;
    }
  }

  const token = () => sessionStorage.getItem(TOKEN_KEY);
  const setToken = (value) => sessionStorage.setItem(TOKEN_KEY, value);
  const clearToken = () => sessionStorage.removeItem(TOKEN_KEY);

  function toLogin() {
    const next = location.pathname + location.search;
    location.assign("/ui/login?next=" + encodeURIComponent(next));
  }

  /* Call the JSON API; throws ApiError with the API's reason and message. */
  async function api(method, path, body, bearer) {
    const headers = { Accept: "application/json" };
    const auth = bearer || token();
    if (auth) headers.Authorization = "Bearer " + auth;
    const init = { method, headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (response.status === 204) return null;
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (!response.ok) {
      const reason = (data && data.reason) || "HTTPError";
      const message = (data && data.message) || response.statusText || "request failed";
      if (response.status === 401 && !bearer) {
        clearToken();
        toLogin();
      }
      throw new ApiError(response.status, reason, message);
    }
    return data;
  }

  /* Build an element: el("td", {class: "x", dataset: {testid: "y"}}, "text", node, ...). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "dataset") Object.assign(node.dataset, value);
      else if (key === "text") node.textContent = String(value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function $(selector, root) {
    return (root || document).querySelector(selector);
  }

  function byTestId(id, root) {
    return $('[data-testid="' + id + '"]', root);
  }

  /* Replace a table body's rows; each row is an array of cells (text or nodes). */
  function fillRows(tbody, rows, rowAttrs) {
    tbody.replaceChildren(
      ...rows.map((cells, i) =>
        el("tr", rowAttrs ? rowAttrs(i) : {}, ...cells.map((cell) => el("td", {}, cell))),
      ),
    );
  }

  function showError(error) {
    const box = byTestId("error");
    const text = error instanceof ApiError ? error.reason + ": " + error.message : String(error);
    box.textContent = text;
    box.hidden = false;
  }

  function clearError() {
    const box = byTestId("error");
    box.textContent = "";
    box.hidden = true;
  }

  /* Run an async handler, reporting its failure in the page's alert box. */
  async function guard(fn) {
    clearError();
    try {
      return await fn();
    } catch (error) {
      showError(error);
      return undefined;
    }
  }

  function query(params) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined && value !== null && String(value).trim() !== "") {
        search.set(key, String(value).trim());
      }
    }
    const text = search.toString();
    return text ? "?" + text : "";
  }

  function formValues(form) {
    return Object.fromEntries(new FormData(form).entries());
  }

  function time(value) {
    if (!value) return "";
    const date = new Date(value);
    return isNaN(date) ? String(value) : date.toLocaleString();
  }

  function can(role, capability) {
    return (CAN[role] || []).includes(capability);
  }

  /* Show the elements marked data-role="capability" the user may use. */
  function applyRole(role, root) {
    for (const node of (root || document).querySelectorAll("[data-role]")) {
      node.hidden = !can(role, node.dataset.role);
    }
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /* Poll a job until it finishes, calling onUpdate with each state seen. */
  async function pollJob(id, onUpdate, intervalMs) {
    for (;;) {
      const job = await api("GET", "/jobs/" + encodeURIComponent(id));
      onUpdate(job);
      if (job.state === "succeeded" || job.state === "failed") return job;
      await sleep(intervalMs || 300);
    }
  }

  function facts(dl, pairs) {
    dl.replaceChildren(
      ...pairs.flatMap(([label, value]) => [el("dt", {}, label), el("dd", {}, value ?? "")]),
    );
  }

  function link(href, text, attrs) {
    return el("a", { href, ...(attrs || {}) }, text);
  }

  /* Start a page: require a token (except on login), show who is logged in, then run init. */
  function ready(init) {
    document.addEventListener("DOMContentLoaded", async () => {
      const page = document.body.dataset.page;
      if (page !== "login" && !token()) {
        toLogin();
        return;
      }
      let me = null;
      if (token()) {
        try {
          me = await api("GET", "/me");
          byTestId("whoami").textContent = me.name + " (" + me.role + ")";
          const logout = byTestId("logout");
          logout.hidden = false;
          logout.addEventListener("click", () => {
            clearToken();
            location.assign("/ui/login");
          });
          applyRole(me.role);
        } catch (error) {
          if (page !== "login") {
            showError(error);
            return;
          }
        }
      }
      await guard(() => init(me));
    });
  }

  return {
    ApiError, api, append, applyRole, byTestId, can, clearError, clearToken, el, facts,
    fillRows, formValues, guard, link, pollJob, query, ready, setToken, showError, sleep,
    time, token, $,
  };
})();
