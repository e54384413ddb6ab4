// The 24-hour timeline: recordings, gaps and events drawn as SVG from the timeline API.
// Layout is pure arithmetic (time ⇄ x) so it can be reasoned about apart from drawing.
import { clear, svg, zonesOf } from "./dom.js";
import { hhmm, hhmmss } from "./time.js";

const HEIGHT = 64;
const REC_Y = 6, REC_H = 22, EV_Y = 30, EV_H = 12, AXIS_Y = 46;

export function scale(start, end, width) {
  const span = Math.max(1, end - start);
  return {
    x: (ts) => ((Math.min(Math.max(ts, start), end) - start) / span) * width,
    ts: (x) => start + (Math.min(Math.max(x, 0), width) / width) * span,
  };
}

/** Tick times every `step` seconds (aligned to UTC) inside [start, end]. */
export function ticks(start, end, step) {
  const out = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) out.push(t);
  return out;
}

/**
 * Where to start playing for a click at ts: inside a recording, there; else the nearest
 * recording within `slack` seconds (a pixel of a 24-hour line is a minute), from its start
 * when the click fell after it; else the first recording after ts. Null when none.
 */
export function playStart(recordings, ts, slack = 0) {
  let best = null;
  let bestDist = Infinity;
  let next = null;
  for (const r of recordings) {
    if (r.start <= ts && ts < r.end) return { rec: r, start: ts };
    const dist = ts < r.start ? r.start - ts : ts - r.end;
    if (dist <= slack && dist < bestDist) {
      best = r;
      bestDist = dist;
    }
    if (r.start > ts && (!next || r.start < next.start)) next = r;
  }
  if (best) return { rec: best, start: best.start };
  return next ? { rec: next, start: next.start } : null;
}

export class Timeline {
  constructor(node, { onPick }) {
    this.node = node;
    this.onPick = onPick;
    this.data = { start: 0, end: 1, recordings: [], gaps: [], events: [] };
    this.cursor = null;
    this.current = null;
    new ResizeObserver(() => this.draw()).observe(node);
  }

  set(data) {
    this.data = data;
    this.draw();
  }

  setCursor(ts) {
    this.cursor = ts;
    const line = this.node.querySelector("line.cursor");
    if (line && ts !== null) {
      const x = scale(this.data.start, this.data.end, this.width()).x(ts);
      line.setAttribute("x1", x);
      line.setAttribute("x2", x);
      line.style.display = ts >= this.data.start && ts <= this.data.end ? "" : "none";
    }
  }

  setCurrentEvent(id) {
    this.current = id;
    for (const r of this.node.querySelectorAll("rect.ev")) r.classList.toggle("current", r.dataset.event === String(id));
  }

  /** Seconds per `px` pixels at the current width. */
  secondsPer(px) {
    return (px * (this.data.end - this.data.start)) / this.width();
  }

  width() {
    return Math.max(200, this.node.clientWidth || 800);
  }

  draw() {
    const { start, end, recordings, gaps, events } = this.data;
    const width = this.width();
    const s = scale(start, end, width);
    const root = svg("svg", { viewBox: `0 0 ${width} ${HEIGHT}`, width, height: HEIGHT, role: "img", "aria-label": "recordings, gaps and events" });
    root.append(svg("rect", { class: "track", x: 0, y: REC_Y, width, height: REC_H }));
    const span = (cls, items, y, h, minW) => {
      for (const it of items) {
        const x0 = s.x(it.start), x1 = s.x(it.end ?? it.start);
        const r = svg("rect", { class: cls, x: x0, y, width: Math.max(minW, x1 - x0), height: h });
        const title = svg("title");
        title.textContent = `${cls === "rec" ? "recorded" : "gap"} ${hhmmss(it.start)}–${hhmmss(it.end)}${it.reason ? ` (${it.reason})` : ""}`;
        r.append(title);
        root.append(r);
      }
    };
    span("rec", recordings, REC_Y, REC_H, 1);
    span("gap", gaps, REC_Y, REC_H, 1);
    for (const ev of events) {
      const x0 = s.x(ev.start);
      const r = svg("rect", { class: "ev", x: x0 - 2, y: EV_Y, width: Math.max(4, s.x(ev.end ?? ev.start) - x0), height: EV_H, "data-event": ev.id });
      if (String(ev.id) === String(this.current)) r.classList.add("current");
      const title = svg("title");
      title.textContent = `${ev.label ?? "event"}${zonesOf(ev) ? ` in ${zonesOf(ev)}` : ""} at ${hhmmss(ev.start)}`;
      r.append(title);
      root.append(r);
    }
    const width_s = end - start;
    const step = width_s > 6 * 3600 ? 7200 : width_s > 3600 ? 1800 : width_s > 600 ? 300 : 60;
    for (const t of ticks(start, end, step)) {
      const x = s.x(t);
      root.append(svg("line", { class: "tick", x1: x, x2: x, y1: AXIS_Y, y2: AXIS_Y + 4 }));
      const label = svg("text", { class: "tick-label", x: Math.min(Math.max(x, 14), width - 14), y: AXIS_Y + 15, "text-anchor": "middle" });
      label.textContent = hhmm(t);
      root.append(label);
    }
    const cursor = svg("line", { class: "cursor", x1: 0, x2: 0, y1: 2, y2: AXIS_Y });
    cursor.style.display = "none";
    root.append(cursor);
    root.addEventListener("click", (e) => {
      const box = root.getBoundingClientRect();
      const ts = s.ts(((e.clientX - box.left) / box.width) * width);
      const evId = e.target?.dataset?.event;
      this.onPick(ts, evId ?? null);
    });
    clear(this.node).append(root);
    if (this.cursor !== null) this.setCursor(this.cursor);
  }
}
