// Events page: search by camera, time, label and zone; redacted thumbnails; open in playback.
import { api, isLocalPath } from "./api.js";
import { clear, el, probe, showError, zonesOf } from "./dom.js";
import { DAY, fromInput, isoUtc, toInput } from "./time.js";

const form = document.getElementById("event-search");
const body = document.querySelector("#ev-results tbody");
const more = document.getElementById("ev-more");
const count = document.getElementById("ev-count");
const error = document.getElementById("ev-error");
const PAGE = 50;
let cursor = null;
let query = null;
let shown = 0;
const names = new Map();

function row(ev) {
  const start = ev.start;
  const cam = ev.camera_id;
  const thumb = isLocalPath(ev.thumbnail_url)
    ? el("img", { class: "thumb", src: ev.thumbnail_url, alt: `redacted thumbnail of ${ev.label ?? "event"}`, loading: "lazy" })
    : el("span", { class: "muted" }, "—");
  const open = el("a", { href: `/cameras/${encodeURIComponent(cam)}?t=${Math.floor(start)}`, class: "open" }, "Open in playback");
  return el(
    "tr",
    { "data-event": ev.id },
    el("td", {}, thumb),
    el("td", {}, isoUtc(start)),
    el("td", {}, el("bdi", {}, names.get(cam) || cam)),
    el("td", {}, el("bdi", {}, ev.label ?? "")),
    el("td", {}, el("bdi", {}, zonesOf(ev))),
    el("td", {}, typeof ev.score === "number" ? ev.score.toFixed(2) : ""),
    el("td", {}, open),
  );
}

async function fetchPage() {
  const data = await api.events({ ...query, limit: PAGE, cursor: cursor ?? undefined });
  const rows = data.items;
  for (const ev of rows) body.append(row(ev));
  shown += rows.length;
  cursor = data.next_cursor ?? null;
  more.hidden = !cursor;
  count.textContent = `${shown} event${shown === 1 ? "" : "s"}${cursor ? " (more available)" : ""}`;
  probe.events = { shown, more: !!cursor };
}

async function search() {
  showError(error, "");
  const start = fromInput(document.getElementById("ev-start").value);
  const end = fromInput(document.getElementById("ev-end").value);
  if (start !== null && end !== null && end <= start) {
    showError(error, "The end of the range must be after its start.");
    return;
  }
  query = {
    camera: document.getElementById("ev-camera").value || undefined,
    start: start ?? undefined,
    end: end ?? undefined,
    label: document.getElementById("ev-label").value.trim() || undefined,
    zone: document.getElementById("ev-zone").value.trim() || undefined,
  };
  cursor = null;
  shown = 0;
  clear(body);
  try {
    await fetchPage();
  } catch (err) {
    showError(error, `Search failed: ${err.message}`);
  }
  probe.searches = (probe.searches || 0) + 1;
  probe.ready.events = true;
}

async function main() {
  const select = document.getElementById("ev-camera");
  for (const cam of await api.cameras()) {
    names.set(cam.id, cam.name || cam.id);
    select.append(el("option", { value: cam.id }, cam.name || cam.id));
  }
  const now = Date.now() / 1000;
  document.getElementById("ev-start").value = toInput(now - DAY);
  document.getElementById("ev-end").value = toInput(now + 3600);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    search();
  });
  more.addEventListener("click", () => fetchPage().catch((err) => showError(error, err.message)));
  await search();
}

main().catch((err) => {
  showError(error, `Could not load: ${err.message}`);
  probe.ready.events = "error";
});
