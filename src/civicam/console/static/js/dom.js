// Building DOM nodes safely: text always goes in through textContent, never as markup.

/**
 * el("a", {href: "/x", class: "y"}, "text", child) — attributes are set with
 * setAttribute (only for names we write in code), children are nodes or text.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    // Styles go through the CSSOM: the pages' CSP forbids style attributes.
    else if (k === "style") Object.assign(node.style, v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function svg(tag, attrs = {}) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

export function showError(node, message) {
  node.textContent = message || "";
  node.hidden = !message;
}

/** Status badge: the class is picked from a fixed list, the text is the status itself. */
// Camera statuses and export job statuses of the API.
const KNOWN = new Set(["recording", "degraded", "offline", "disabled", "queued", "running", "ready", "failed"]);
export function badge(status) {
  const s = String(status || "unknown");
  return el("span", { class: `badge ${KNOWN.has(s) ? s : "unknown"}` }, s);
}

/** Shared state the browser tests read (and nothing else relies on). */
export const probe = (window.civicamConsole = window.civicamConsole || { ready: {}, metrics: {} });

/** An event's zones as text (the API gives a list; older answers a single zone). */
export function zonesOf(ev) {
  if (Array.isArray(ev.zones) && ev.zones.length) return ev.zones.join(", ");
  return ev.zone || "";
}

/**
 * A camera's name as a node isolated from its surroundings (<bdi>): a name with
 * right-to-left text or a U+202E override must not reorder the text after it.
 */
export function nameNode(cam) {
  return el("bdi", {}, cam.name || cam.id);
}
