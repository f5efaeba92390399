// viz.explore: a computation graph whose folded boxes open and close on click, that pans
// (drag) and zooms (wheel, or the + / − buttons), and whose nodes show their data, grad and
// the op that made them on hover. Laid out here, in the page: values in columns by depth
// (longest path from the inputs), ordered within a column by their neighbours' places.
// Nothing is fetched: the graph comes in as JSON in the page.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var GAP_X = 70, GAP_Y = 14, LINE = 15, PAD = 8, CHAR = 6.6;

  function el(tag, attrs, parent) {
    var node = document.createElementNS(SVG, tag);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(node);
    return node;
  }

  function Explorer(root, graph) {
    this.root = root;
    this.graph = graph;
    this.closed = {};
    var self = this;
    graph.closed.forEach(function (p) { self.closed[p] = true; });
    this.svg = root.querySelector("svg.cr-explore-svg");
    this.viewport = this.svg.querySelector("g.cr-viewport");
    this.tip = root.querySelector(".cr-tip");
    this.view = { x: 0, y: 0, k: 1 };
    this.bindControls();
    this.draw(true);
  }

  // The box a node shows as: its outermost closed enclosing box, else the node itself.
  Explorer.prototype.shownAs = function (owner) {
    var chain = [], path = owner;
    while (path !== null && path !== undefined) { chain.push(path); path = this.graph.boxes[path].parent; }
    for (var i = chain.length - 1; i >= 0; i--) if (this.closed[chain[i]]) return "b:" + chain[i];
    return null;
  };

  Explorer.prototype.items = function () {
    var g = this.graph, self = this, items = {}, order = [], edges = {};
    g.nodes.forEach(function (n) {
      var id = self.shownAs(n.owner) || "n" + n.id;
      n.shown = id;
      if (!items[id]) {
        items[id] = id[0] === "b" ? { id: id, box: id.slice(2) } : { id: id, node: n };
        order.push(id);
      }
    });
    g.nodes.forEach(function (n) {
      n.parents.forEach(function (p) {
        var a = g.nodes[p].shown, b = n.shown;
        if (a !== b) edges[a + "\u0000" + b] = (edges[a + "\u0000" + b] || 0) + 1;
      });
    });
    var list = Object.keys(edges).map(function (k) {
      var ab = k.split("\u0000");
      return { from: ab[0], to: ab[1], count: edges[k] };
    });
    return { items: items, order: order, edges: list };
  };

  Explorer.prototype.lines = function (item) {
    if (item.box !== undefined) {
      var b = this.graph.boxes[item.box];
      var lines = ["\u25b8 " + b.title, b.values + " values, " + b.params + " parameters"];
      if (b.grad !== null) lines.push("mean |grad| " + b.grad);
      return lines;
    }
    var n = item.node, head = [n.name, n.op ? "(" + n.op + ")" : ""].filter(Boolean).join(" ");
    var out = head ? [head] : [];
    if (n.shape) out.push(n.shape);
    out.push("data " + n.data);
    if (n.grad !== null) out.push("grad " + n.grad);
    return out;
  };

  Explorer.prototype.layout = function (state) {
    var self = this, items = state.items, order = state.order;
    order.forEach(function (id) {
      var it = items[id];
      it.text = self.lines(it);
      it.w = Math.max.apply(null, it.text.map(function (t) { return t.length; })) * CHAR + 2 * PAD;
      it.h = it.text.length * LINE + 2 * PAD - 4;
      it.rank = 0; it.ins = []; it.outs = [];
    });
    state.edges.forEach(function (e) { items[e.from].outs.push(e.to); items[e.to].ins.push(e.from); });
    // Longest path from the inputs (Kahn's order; a cycle through a folded box keeps first-seen order).
    var indeg = {}, queue = [], seen = 0;
    order.forEach(function (id) { indeg[id] = items[id].ins.length; if (!indeg[id]) queue.push(id); });
    while (queue.length) {
      var id = queue.shift(); seen++;
      items[id].outs.forEach(function (to) {
        items[to].rank = Math.max(items[to].rank, items[id].rank + 1);
        if (--indeg[to] === 0) queue.push(to);
      });
    }
    // An input sits just before the first value that reads it, not at the far left.
    order.forEach(function (id) {
      var it = items[id];
      if (!it.ins.length && it.outs.length) {
        it.rank = Math.max(0, Math.min.apply(null, it.outs.map(function (to) { return items[to].rank; })) - 1);
      }
    });
    var ranks = [];
    order.forEach(function (id, k) {
      var it = items[id]; it.pos = k;
      (ranks[it.rank] = ranks[it.rank] || []).push(it);
    });
    // Order each column by the mean place of its neighbours, a few sweeps each way.
    function sweep(rankList, key) {
      rankList.forEach(function (column) {
        column.forEach(function (it) {
          var near = it[key].map(function (id) { return items[id].pos; });
          it.bary = near.length ? near.reduce(function (a, b) { return a + b; }, 0) / near.length : it.pos;
        });
        column.sort(function (a, b) { return a.bary - b.bary; });
        column.forEach(function (it, k) { it.pos = k; });
      });
    }
    for (var s = 0; s < 4; s++) { sweep(ranks, "ins"); sweep(ranks.slice().reverse(), "outs"); }
    var x = 0, tallest = 0;
    ranks.forEach(function (column) {
      column.height = column.reduce(function (a, it) { return a + it.h + GAP_Y; }, -GAP_Y);
      tallest = Math.max(tallest, column.height);
    });
    ranks.forEach(function (column) {
      var width = Math.max.apply(null, column.map(function (it) { return it.w; }));
      var y = (tallest - column.height) / 2;
      column.forEach(function (it) { it.x = x + (width - it.w) / 2; it.y = y; y += it.h + GAP_Y; });
      x += width + GAP_X;
    });
    state.width = x - GAP_X; state.height = tallest;
    return state;
  };

  Explorer.prototype.draw = function (fit) {
    var self = this, g = this.graph, state = this.layout(this.items()), items = state.items;
    var vp = this.viewport;
    while (vp.firstChild) vp.removeChild(vp.firstChild);
    var frames = el("g", {}, vp), lines = el("g", {}, vp), shapes = el("g", {}, vp), titles = el("g", {}, vp);
    var bounds = { x0: 0, y0: 0, x1: state.width, y1: state.height };
    this.tip.style.display = "none";
    // Open boxes: a frame around what they hold, whose title closes them; an outer frame
    // leaves room for the titles of the frames inside it.
    function depth(path) { var d = 0; while (g.boxes[path].parent !== null) { path = g.boxes[path].parent; d++; } return d; }
    var open = Object.keys(g.boxes).filter(function (path) { return !self.closed[path] && self.shownAs(path) === null; });
    var deepest = Math.max.apply(null, open.map(depth).concat([0]));
    open.forEach(function (path) {
      var extra = 20 * (deepest - depth(path));
      var inside = state.order.map(function (id) { return items[id]; }).filter(function (it) {
        var owner = it.box !== undefined ? it.box : it.node.owner;
        while (owner !== null && owner !== undefined) { if (owner === path) return true; owner = g.boxes[owner].parent; }
        return false;
      });
      if (!inside.length) return;
      var x0 = Math.min.apply(null, inside.map(function (it) { return it.x; })) - 10 - extra / 2;
      var y0 = Math.min.apply(null, inside.map(function (it) { return it.y; })) - 26 - extra;
      var x1 = Math.max.apply(null, inside.map(function (it) { return it.x + it.w; })) + 10 + extra / 2;
      var y1 = Math.max.apply(null, inside.map(function (it) { return it.y + it.h; })) + 10 + extra / 2;
      bounds.x0 = Math.min(bounds.x0, x0); bounds.y0 = Math.min(bounds.y0, y0);
      bounds.x1 = Math.max(bounds.x1, x1); bounds.y1 = Math.max(bounds.y1, y1);
      var frame = el("g", { "class": "cr-frame", "data-box": path }, frames);
      el("rect", { x: x0, y: y0, width: x1 - x0, height: y1 - y0, rx: 8, fill: g.boxes[path].frame, stroke: "#999" }, frame);
      var title = el("text", { x: x0 + 8, y: y0 + 16, "class": "cr-frame-title", "data-box": path }, titles);
      title.textContent = "\u25be " + g.boxes[path].title + "  (click to fold)";
      title.addEventListener("click", function (e) { self.closed[path] = true; self.draw(true); e.stopPropagation(); });
    });
    state.edges.forEach(function (e) {
      var a = items[e.from], b = items[e.to];
      var x1 = a.x + a.w, y1 = a.y + a.h / 2, x2 = b.x, y2 = b.y + b.h / 2, mid = (x1 + x2) / 2;
      if (x2 <= x1) { mid = x1 + 30; }
      el("path", { d: "M" + x1 + "," + y1 + " C" + mid + "," + y1 + " " + mid + "," + y2 + " " + (x2 - 2) + "," + y2,
        "class": "cr-edge", "marker-end": "url(#" + self.root.id + "-arrow)" }, lines);
      if (e.count > 1) {
        var label = el("text", { x: mid, y: (y1 + y2) / 2 - 3, "class": "cr-count" }, lines);
        label.textContent = "\u00d7" + e.count;
      }
    });
    state.order.forEach(function (id) {
      var it = items[id], group = el("g", { "class": it.box !== undefined ? "cr-box" : "cr-node",
        transform: "translate(" + it.x + "," + it.y + ")" }, shapes);
      if (it.box !== undefined) {
        group.setAttribute("data-box", it.box);
        el("rect", { x: 3, y: 3, width: it.w, height: it.h, rx: 3, fill: "#b4a7d6", stroke: "#674ea7" }, group);
        el("rect", { width: it.w, height: it.h, rx: 3, fill: g.boxes[it.box].fill, stroke: "#674ea7" }, group);
      } else {
        group.setAttribute("data-node", it.node.id);
        el("rect", { width: it.w, height: it.h, rx: 3, fill: it.node.fill, stroke: it.node.border,
          "stroke-width": it.node.kind === "root" ? 2 : 1 }, group);
      }
      var dark = it.box !== undefined ? g.boxes[it.box].dark : false;
      it.text.forEach(function (line, k) {
        var t = el("text", { x: it.w / 2, y: PAD + 11 + k * LINE, "text-anchor": "middle",
          fill: dark ? "white" : "#222", "font-weight": k === 0 && it.box !== undefined ? "bold" : "normal" }, group);
        t.textContent = line;
      });
      group.addEventListener("mouseenter", function (e) { self.showTip(it, e); });
      group.addEventListener("mousemove", function (e) { self.moveTip(e); });
      group.addEventListener("mouseleave", function () { self.tip.style.display = "none"; });
      if (it.box !== undefined) {
        group.addEventListener("click", function (e) { delete self.closed[it.box]; self.draw(true); e.stopPropagation(); });
      }
    });
    this.state = state;
    this.bounds = bounds;
    this.root.setAttribute("data-shown", state.order.length);
    if (fit) this.fit(); else this.apply();
  };

  Explorer.prototype.showTip = function (it, e) {
    var rows;
    if (it.box !== undefined) {
      var b = this.graph.boxes[it.box];
      rows = [b.title, b.values + " values, " + b.params + " parameters",
        b.grad !== null ? "parameters' mean |grad| " + b.grad : "no gradients yet", "click to open"];
    } else {
      var n = it.node, g = this.graph;
      var made = n.op ? "made by '" + n.op + "' from " + n.parents.map(function (p) {
        return g.nodes[p].name || "v" + p; }).join(", ") : (n.kind === "const" ? "a constant" : "a leaf");
      rows = [(n.name || "v" + n.id) + (n.shape ? "  " + n.shape : ""), "data " + n.data,
        n.grad !== null ? "grad " + n.grad : "no grad", made];
    }
    this.tip.textContent = "";
    var self = this;
    rows.forEach(function (r) { var d = document.createElement("div"); d.textContent = r; self.tip.appendChild(d); });
    this.tip.style.display = "block";
    this.moveTip(e);
  };

  Explorer.prototype.moveTip = function (e) {
    var box = this.root.getBoundingClientRect();
    this.tip.style.left = (e.clientX - box.left + 14) + "px";
    this.tip.style.top = (e.clientY - box.top + 14) + "px";
  };

  Explorer.prototype.apply = function () {
    this.viewport.setAttribute("transform", "translate(" + this.view.x + "," + this.view.y + ") scale(" + this.view.k + ")");
    this.root.setAttribute("data-zoom", this.view.k.toFixed(3));
  };

  Explorer.prototype.fit = function () {
    var w = this.svg.clientWidth || 860, h = this.svg.clientHeight || 520;
    var b = this.bounds, bw = Math.max(b.x1 - b.x0, 1), bh = Math.max(b.y1 - b.y0, 1);
    var k = Math.min(1.5, (w - 20) / bw, (h - 20) / bh);
    this.view = { k: k, x: (w - bw * k) / 2 - b.x0 * k, y: (h - bh * k) / 2 - b.y0 * k };
    this.apply();
  };

  Explorer.prototype.zoom = function (factor, cx, cy) {
    var v = this.view, k = Math.max(0.05, Math.min(8, v.k * factor));
    v.x = cx - (cx - v.x) * (k / v.k); v.y = cy - (cy - v.y) * (k / v.k); v.k = k;
    this.apply();
  };

  Explorer.prototype.bindControls = function () {
    var self = this, svg = this.svg, drag = null;
    svg.addEventListener("wheel", function (e) {
      var r = svg.getBoundingClientRect();
      self.zoom(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - r.left, e.clientY - r.top);
      e.preventDefault();
    }, { passive: false });
    svg.addEventListener("mousedown", function (e) { drag = { x: e.clientX, y: e.clientY, vx: self.view.x, vy: self.view.y }; });
    window.addEventListener("mousemove", function (e) {
      if (!drag) return;
      self.view.x = drag.vx + e.clientX - drag.x; self.view.y = drag.vy + e.clientY - drag.y; self.apply();
    });
    window.addEventListener("mouseup", function () { drag = null; });
    this.root.querySelectorAll("button[data-do]").forEach(function (b) {
      b.addEventListener("click", function () {
        var what = b.getAttribute("data-do"), r = svg.getBoundingClientRect();
        if (what === "in") self.zoom(1.25, r.width / 2, r.height / 2);
        if (what === "out") self.zoom(0.8, r.width / 2, r.height / 2);
        if (what === "fit") self.fit();
        if (what === "open") { self.closed = {}; self.draw(true); }
        if (what === "fold") { self.closed = {}; Object.keys(self.graph.boxes).forEach(function (p) { self.closed[p] = true; }); self.draw(true); }
      });
    });
  };

  window.chainruleExplore = function (id, graph) { return new Explorer(document.getElementById(id), graph); };
})();
