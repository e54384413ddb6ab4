// Cameras page: a grid of live views with status badges.
import { api } from "./api.js";
import { badge, clear, el, nameNode, probe } from "./dom.js";
import { startLive } from "./live.js";

const grid = document.getElementById("grid");
const filter = document.getElementById("cam-filter");
const status = document.getElementById("grid-status");
// Live views are costly: only the first few visible cards stream at once.
const MAX_LIVE = 12;
let stops = [];

function matches(cam, q) {
  if (!q) return true;
  const hay = `${cam.id} ${cam.name || ""} ${cam.district || ""}`.toLowerCase();
  return hay.includes(q.toLowerCase());
}

function render(cameras) {
  stops.forEach((stop) => stop());
  stops = [];
  clear(grid);
  const shown = cameras.filter((c) => matches(c, filter.value.trim()));
  shown.forEach((cam, i) => {
    const view = el("div", { class: "view" });
    const card = el(
      "article",
      { class: "card", "data-camera": cam.id },
      el("header", {}, el("h3", {}, el("a", { href: `/cameras/${encodeURIComponent(cam.id)}` }, nameNode(cam))), badge(cam.status)),
      view,
      el("span", { class: "muted" }, cam.id, cam.district ? [" · ", el("bdi", {}, cam.district)] : null),
    );
    grid.append(card);
    if (i < MAX_LIVE && cam.status !== "disabled") startLive(view, cam.id, { still: true }).then((stop) => stops.push(stop));
    else view.append(el("span", { class: "muted" }, "open the camera for its live view"));
  });
  status.textContent = `${shown.length} of ${cameras.length} cameras${shown.length > MAX_LIVE ? ` (live in the first ${MAX_LIVE})` : ""}`;
}

async function main() {
  const cameras = await api.cameras();
  render(cameras);
  let timer = null;
  filter.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => render(cameras), 250);
  });
  probe.ready.cameras = true;
}

main().catch((err) => {
  status.textContent = `Could not load cameras: ${err.message}`;
  status.classList.add("error");
  probe.ready.cameras = "error";
});
