// civicam report viewer: pan, zoom, layer switches and details for the inline SVG map.
// Inlined into report.html; it loads nothing and needs no library. Without it the
// page still shows the whole map, statically.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("civicam-data").textContent);
  var svg = document.getElementById("map");
  var details = document.getElementById("details");
  var frame = data.frame;
  var vb = { x: 0, y: 0, w: frame.width, h: frame.height };
  var selected = null;

  function unitsPerPixel() {
    return vb.w / Math.max(svg.clientWidth, 1);
  }

  // Keep the view box in the element's aspect ratio so screen and map scales agree.
  function fitAspect(box) {
    var cw = Math.max(svg.clientWidth, 1);
    var ch = Math.max(svg.clientHeight, 1);
    var cx = box.x + box.w / 2;
    var cy = box.y + box.h / 2;
    var w = box.w;
    var h = box.h;
    if (w / h > cw / ch) {
      h = (w * ch) / cw;
    } else {
      w = (h * cw) / ch;
    }
    return { x: cx - w / 2, y: cy - h / 2, w: w, h: h };
  }

  function apply() {
    svg.setAttribute("viewBox", [vb.x, vb.y, vb.w, vb.h].map(function (v) {
      return v.toFixed(2);
    }).join(" "));
    var upp = unitsPerPixel();
    svg.style.setProperty("--mk", upp.toFixed(5));
    scaleBar(upp);
  }

  function scaleBar(upp) {
    var target = 110 * upp;
    var p = Math.pow(10, Math.floor(Math.log10(target)));
    var nice = [1, 2, 5, 10].map(function (m) { return m * p; }).filter(function (v) {
      return v <= target;
    }).pop() || p;
    var bar = document.querySelector("#scalebar .bar");
    var label = document.querySelector("#scalebar .label");
    bar.style.width = (nice / upp).toFixed(0) + "px";
    label.textContent = nice >= 1000 ? nice / 1000 + " km" : nice + " m";
  }

  function fit() {
    vb = fitAspect({ x: 0, y: 0, w: frame.width, h: frame.height });
    apply();
  }

  function clientToMap(cx, cy) {
    var r = svg.getBoundingClientRect();
    var upp = unitsPerPixel();
    return { x: vb.x + (cx - r.left) * upp, y: vb.y + (cy - r.top) * upp };
  }

  function zoomAt(factor, cx, cy) {
    var minW = 20;
    var maxW = Math.max(frame.width, frame.height) * 4;
    var w = Math.min(maxW, Math.max(minW, vb.w / factor));
    var f = vb.w / w;
    var p = clientToMap(cx, cy);
    vb = { x: p.x - (p.x - vb.x) / f, y: p.y - (p.y - vb.y) / f, w: w, h: vb.h / f };
    apply();
  }

  function zoomCentre(factor) {
    var r = svg.getBoundingClientRect();
    zoomAt(factor, r.left + r.width / 2, r.top + r.height / 2);
  }

  // ------------------------------------------------------------------ pointer input
  var pointers = {};
  var drag = null;

  svg.addEventListener("wheel", function (e) {
    e.preventDefault();
    zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX, e.clientY);
  }, { passive: false });

  svg.addEventListener("pointerdown", function (e) {
    pointers[e.pointerId] = { x: e.clientX, y: e.clientY };
    svg.setPointerCapture(e.pointerId);
    drag = { x: e.clientX, y: e.clientY, moved: 0, target: e.target };
    svg.classList.add("dragging");
  });

  svg.addEventListener("pointermove", function (e) {
    if (!(e.pointerId in pointers)) { return; }
    var ids = Object.keys(pointers);
    var prev = pointers[e.pointerId];
    if (ids.length === 2) {
      var other = pointers[ids[0] == e.pointerId ? ids[1] : ids[0]];
      var before = Math.hypot(prev.x - other.x, prev.y - other.y);
      var after = Math.hypot(e.clientX - other.x, e.clientY - other.y);
      if (before > 0) {
        zoomAt(after / before, (e.clientX + other.x) / 2, (e.clientY + other.y) / 2);
      }
    } else if (drag) {
      var upp = unitsPerPixel();
      vb.x -= (e.clientX - prev.x) * upp;
      vb.y -= (e.clientY - prev.y) * upp;
      drag.moved += Math.abs(e.clientX - prev.x) + Math.abs(e.clientY - prev.y);
      apply();
    }
    pointers[e.pointerId] = { x: e.clientX, y: e.clientY };
  });

  function release(e) {
    delete pointers[e.pointerId];
    svg.classList.remove("dragging");
    if (drag && drag.moved < 5 && e.type === "pointerup") {
      pick(drag.target);
    }
    if (Object.keys(pointers).length === 0) { drag = null; }
  }
  svg.addEventListener("pointerup", release);
  svg.addEventListener("pointercancel", release);
  svg.addEventListener("dblclick", function (e) { zoomAt(2, e.clientX, e.clientY); });
  svg.addEventListener("keydown", function (e) {
    if (e.key === "Enter" || e.key === " ") { pick(e.target); }
  });

  document.getElementById("zoom-in").addEventListener("click", function () { zoomCentre(1.6); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomCentre(1 / 1.6); });
  document.getElementById("zoom-fit").addEventListener("click", fit);
  window.addEventListener("resize", function () { vb = fitAspect(vb); apply(); });

  // ------------------------------------------------------------------ selection
  function pick(target) {
    var el = target && target.closest ? target.closest(".cam, .site, .site-label") : null;
    if (!el) { return; }
    if (el.classList.contains("cam")) {
      select(el.getAttribute("data-layer"), el.getAttribute("data-cam"), false);
    } else {
      showSite(Number(el.getAttribute("data-site")));
    }
  }

  function cssId(text) {
    return window.CSS && CSS.escape ? CSS.escape(text) : text.replace(/["\\]/g, "\\$&");
  }

  function list(title, rows) {
    var h = document.createElement("h3");
    h.textContent = title;
    var dl = document.createElement("dl");
    Object.keys(rows).forEach(function (k) {
      var dt = document.createElement("dt");
      dt.textContent = k;
      var dd = document.createElement("dd");
      dd.textContent = rows[k];
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
    details.replaceChildren(h, dl);
  }

  function clearSelection() {
    document.querySelectorAll(".selected").forEach(function (el) {
      el.classList.remove("selected");
    });
  }

  function select(layer, camId, centre) {
    var info = (data.cameras[layer] || {})[camId];
    if (!info) { return false; }
    clearSelection();
    var q = '[data-layer="' + cssId(layer) + '"] [data-cam="' + cssId(camId) + '"]';
    var cam = svg.querySelector('.cams' + q);
    var view = svg.querySelector('.views' + q);
    if (cam) { cam.classList.add("selected"); cam.parentNode.appendChild(cam); }
    if (view) { view.classList.add("selected"); }
    document.querySelectorAll('#table-cameras tr[data-cam="' + cssId(camId) + '"]').forEach(
      function (tr) { tr.classList.add("selected"); });
    var layerTitle = data.layers.filter(function (l) { return l.key === layer; })[0];
    list((layerTitle ? layerTitle.title + ": " : "") + camId, info);
    selected = { layer: layer, id: camId };
    if (centre && cam) {
      var t = cam.transform.baseVal.consolidate();
      if (t) {
        var w = Math.min(vb.w, 320);
        var h = vb.h * (w / vb.w);
        vb = { x: t.matrix.e - w / 2, y: t.matrix.f - h / 2, w: w, h: h };
        apply();
      }
    }
    return true;
  }

  function showSite(k) {
    var info = data.sites[k];
    if (!info) { return; }
    clearSelection();
    list(info.Site, info);
  }

  // ------------------------------------------------------------------ layers
  document.querySelectorAll("#layers input[data-layer]").forEach(function (box) {
    box.addEventListener("change", function () {
      var key = box.getAttribute("data-layer");
      svg.querySelectorAll('[data-layer="' + cssId(key) + '"].cams, [data-layer="' +
        cssId(key) + '"].views').forEach(function (g) {
        g.classList.toggle("hidden", !box.checked);
      });
    });
  });
  var baseGroups = {
    views: ["layer-views"],
    sites: ["layer-sites", "layer-site-labels"],
    buildings: ["layer-buildings"],
    streets: ["layer-streets"]
  };
  document.querySelectorAll("#layers input[data-base]").forEach(function (box) {
    box.addEventListener("change", function () {
      baseGroups[box.getAttribute("data-base")].forEach(function (id) {
        document.getElementById(id).classList.toggle("hidden", !box.checked);
      });
    });
  });

  // ------------------------------------------------------------------ tables
  function cellValue(td) {
    var t = td.textContent.trim();
    var n = Number(t.replace(/[,%°\s]/g, "").replace("–", ""));
    return t !== "" && t !== "–" && !isNaN(n) ? n : t.toLowerCase();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (th, col) {
      th.addEventListener("click", function () {
        var asc = !th.classList.contains("sorted-asc");
        table.querySelectorAll("th").forEach(function (h) {
          h.classList.remove("sorted-asc", "sorted-desc");
        });
        th.classList.add(asc ? "sorted-asc" : "sorted-desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a.cells[col]);
          var y = cellValue(b.cells[col]);
          var c = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0)
            : (typeof x === "number" ? -1 : 1);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  document.querySelectorAll("#table-cameras tbody tr").forEach(function (tr) {
    tr.addEventListener("click", function () {
      var id = tr.getAttribute("data-cam");
      var layer = null;
      data.layers.forEach(function (l) {
        if ((data.cameras[l.key] || {})[id] && layer === null) { layer = l.key; }
      });
      if (layer !== null && select(layer, id, true)) {
        document.getElementById("map-section").scrollIntoView({ behavior: "smooth" });
      }
    });
  });

  fit();
  // For tests and for anyone scripting the page: what was drawn, and a way to select.
  window.civicamReport = {
    ready: true,
    layers: data.layers.map(function (l) {
      return {
        key: l.key,
        title: l.title,
        count: l.count,
        drawn: svg.querySelectorAll('.cams[data-layer="' + cssId(l.key) + '"] .cam').length
      };
    }),
    select: function (layer, id) { return select(layer, id, true); },
    selected: function () { return selected; },
    viewBox: function () { return { x: vb.x, y: vb.y, w: vb.w, h: vb.h }; }
  };
})();
