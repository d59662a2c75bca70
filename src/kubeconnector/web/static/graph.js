/* The relation graph of one asset as inline SVG: a layered layout with the asset in the
   centre column, the sources of its incoming relations on the left, the targets of its
   outgoing relations on the right and, for bindings, the roles they grant further left. */
"use strict";

const KCGraph = (() => {
  const SVG = "http://www.w3.org/2000/svg";
  const NODE_W = 200;
  const NODE_H = 44;
  const COL_GAP = 180;
  const ROW_GAP = 22;
  const PAD = 16;

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text; // text only: values are never markup
    return node;
  }

  const keyId = (k) => [k.kind, k.namespace || "", k.name].join("/");

  function clip(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  /* Nodes by column and labelled edges from {asset, incoming, outgoing}. */
  function layout(data) {
    const asset = data.asset;
    const centre = { kind: asset.kind, namespace: asset.namespace, name: asset.name };
    const nodes = new Map([[keyId(centre), { key: centre, col: 0 }]]);
    const edges = new Map();
    const addNode = (key, col) => {
      const id = keyId(key);
      if (!nodes.has(id)) nodes.set(id, { key, col });
      return id;
    };
    const addEdge = (from, to, label) => {
      const id = from + "→" + to;
      const edge = edges.get(id) || { from, to, labels: new Set() };
      edge.labels.add(label);
      edges.set(id, edge);
    };
    const label = (r) => {
      const via = r.attributes && r.attributes.via;
      return via ? r.relation_type + " (" + via + ")" : r.relation_type;
    };
    for (const r of data.incoming || []) {
      const source = addNode(r.source, -1);
      addEdge(source, keyId(centre), label(r));
      const role = r.relation_type === "binds" && r.attributes && r.attributes.role;
      if (role) {
        const [kind, name] = String(role).split("/");
        const namespace = kind === "Role" ? r.source.namespace : "";
        const roleId = addNode({ kind, namespace, name }, -2);
        addEdge(source, roleId, "grants");
      }
    }
    for (const r of data.outgoing || []) addEdge(keyId(centre), addNode(r.target, 1), label(r));
    return { nodes, edges: [...edges.values()] };
  }

  function place(nodes) {
    const cols = [...new Set([...nodes.values()].map((n) => n.col))].sort((a, b) => a - b);
    const rows = new Map(cols.map((c) => [c, [...nodes.values()].filter((n) => n.col === c)]));
    const tallest = Math.max(...[...rows.values()].map((r) => r.length));
    const height = PAD * 2 + tallest * NODE_H + (tallest - 1) * ROW_GAP;
    cols.forEach((col, index) => {
      const column = rows.get(col);
      const used = column.length * NODE_H + (column.length - 1) * ROW_GAP;
      column.forEach((node, i) => {
        node.x = PAD + index * (NODE_W + COL_GAP);
        node.y = (height - used) / 2 + i * (NODE_H + ROW_GAP);
      });
    });
    return { width: PAD * 2 + cols.length * NODE_W + (cols.length - 1) * COL_GAP, height };
  }

  function drawEdge(root, from, to, text) {
    const leftToRight = from.x <= to.x;
    const x1 = leftToRight ? from.x + NODE_W : from.x;
    const x2 = leftToRight ? to.x : to.x + NODE_W;
    const y1 = from.y + NODE_H / 2;
    const y2 = to.y + NODE_H / 2;
    const group = svg("g", { class: "edge", "data-testid": "graph-edge" });
    group.append(svg("line", { x1, y1, x2, y2, "marker-end": "url(#kc-arrow)" }));
    group.append(svg("text", { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, "text-anchor": "middle" },
      clip(text, 30)));
    group.append(svg("title", {}, text));
    root.append(group);
  }

  function drawNode(root, node) {
    const k = node.key;
    const group = svg("g", {
      class: node.col === 0 ? "node centre" : "node",
      "data-testid": "graph-node",
      "data-kind": k.kind,
      transform: "translate(" + node.x + "," + node.y + ")",
    });
    group.append(svg("rect", { width: NODE_W, height: NODE_H, rx: 6 }));
    group.append(svg("text", { x: 8, y: 17, class: "kind" }, k.kind));
    const where = (k.namespace ? k.namespace + "/" : "") + k.name;
    group.append(svg("text", { x: 8, y: 34 }, clip(where, 30)));
    group.append(svg("title", {}, k.kind + " " + where));
    root.append(group);
  }

  /* Draw the graph of `data` (GET /assets/{id}/relations) into `container`. */
  function draw(container, data) {
    const { nodes, edges } = layout(data);
    const size = place(nodes);
    const root = svg("svg", {
      viewBox: "0 0 " + size.width + " " + size.height,
      width: size.width,
      height: size.height,
      role: "img",
      "aria-label": "Relations of " + data.asset.kind + " " + data.asset.name,
    });
    const defs = svg("defs");
    const marker = svg("marker", {
      id: "kc-arrow", viewBox: "0 0 10 10", refX: 10, refY: 5,
      markerWidth: 8, markerHeight: 8, orient: "auto-start-reverse",
    });
    marker.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z" }));
    defs.append(marker);
    root.append(defs);
    for (const e of edges) {
      drawEdge(root, nodes.get(e.from), nodes.get(e.to), [...e.labels].join(", "));
    }
    for (const node of nodes.values()) drawNode(root, node);
    container.replaceChildren(root);
  }

  return { draw, layout };
})();
