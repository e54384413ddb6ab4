// Camera page: live view, a 24-hour timeline of recordings, gaps and events, playback of a
// clicked time through hls.js (asking for a reason when the site requires one), and
// stepping through events.
import { api } from "./api.js";
import { badge, clear, el, probe, showError, zonesOf } from "./dom.js";
import { startLive } from "./live.js";
import { Player } from "./player.js";
import { DAY, duration, hhmmss, isoUtc } from "./time.js";
import { Timeline, playStart as pickStart } from "./timeline.js";

const root = document.getElementById("camera");
const cameraId = root.dataset.cameraId;
const canPlayback = root.dataset.canPlayback === "true";
const canLive = root.dataset.canLive === "true";
const reasonRequired = root.dataset.reasonRequired === "true";
const playbackError = document.getElementById("playback-error");
const playbackLabel = document.getElementById("playback-label");
const video = document.getElementById("playback");
// How much recording one click asks for: the playlist covers [t, t + WINDOW] within the day.
const WINDOW = 3600;
// Events play from a little before they start.
const LEAD_IN = 5;
// Enough pages for a day at any sensible page size; a runaway server cannot loop us.
const MAX_PAGES = 96;
// A click this close to a recording plays it.
const CLICK_SLACK_PX = 4;

probe.camera = { id: cameraId, plays: [] };
let reason = null;
let windowEnd = Math.ceil(Date.now() / 1000 / 3600) * 3600;
let span = DAY;
let events = [];
let current = -1;
let playStart = null;

const player = new Player(video, { onError: (m) => showError(playbackError, m) });
video.addEventListener("timeupdate", () => {
  if (playStart !== null && timeline) timeline.setCursor(playStart + video.currentTime);
});

function askReason() {
  if (!reasonRequired) return Promise.resolve("");
  if (reason) return Promise.resolve(reason);
  const dialog = document.getElementById("reason-dialog");
  const input = document.getElementById("reason-input");
  return new Promise((resolve) => {
    const finish = (value) => {
      dialog.close();
      resolve(value);
    };
    document.getElementById("reason-cancel").onclick = () => finish(null);
    document.getElementById("reason-form").onsubmit = (e) => {
      e.preventDefault();
      const v = input.value.trim();
      if (v.length < 3) {
        input.setCustomValidity("Give a reason of at least 3 characters");
        input.reportValidity();
        return;
      }
      input.setCustomValidity("");
      reason = v;
      finish(v);
    };
    dialog.showModal();
    input.focus();
  });
}

async function playFrom(ts, clickedAt) {
  showError(playbackError, "");
  const data = timeline.data;
  const pick = pickStart(data.recordings, ts, timeline.secondsPer(CLICK_SLACK_PX));
  if (!pick) {
    showError(playbackError, "Nothing was recorded at or after that time in this day.");
    return;
  }
  const start = pick.start;
  const end = Math.min(start + WINDOW, data.end);
  const why = await askReason();
  if (why === null) return;
  // The wait for the reason is the operator's, not the system's: time from here.
  const t0 = reasonRequired ? performance.now() : clickedAt;
  try {
    const res = await api.playback(cameraId, start, end, why || undefined);
    playStart = res.start;
    playbackLabel.textContent = `${isoUtc(playStart)} · ${duration(res.end - start)}${why ? ` · reason: ${why}` : ""}`;
    probe.camera.plays.push({ start, end });
    // Media position 0 is the first segment's start; begin where the operator clicked.
    const seek = Math.max(0, start - playStart);
    player.play(res.url, { clickedAt: t0, seek });
    timeline.setCursor(playStart + seek);
  } catch (err) {
    if (err.status === 400 || err.status === 422) reason = null;
    showError(playbackError, `Playback refused: ${err.message}`);
  }
}

function selectEvent(i) {
  if (!events.length) return;
  current = (i + events.length) % events.length;
  const ev = events[current];
  timeline.setCurrentEvent(ev.id);
  for (const b of document.querySelectorAll("#event-list button")) b.setAttribute("aria-pressed", String(b.dataset.event === String(ev.id)));
  playFrom(Math.max(timeline.data.start, ev.start - LEAD_IN), performance.now());
}

function renderEvents() {
  const list = clear(document.getElementById("event-list"));
  events.forEach((ev, i) => {
    list.append(
      el("li", {}, el("button", { type: "button", "data-event": ev.id, onclick: () => selectEvent(i) },
        `${hhmmss(ev.start)} ${ev.label ?? "event"}${zonesOf(ev) ? ` · ${zonesOf(ev)}` : ""}`)),
    );
  });
  if (!events.length) list.append(el("li", { class: "muted" }, "no events in this span"));
}

async function loadDay() {
  const start = windowEnd - span;
  document.getElementById("day-label").textContent = `${isoUtc(start)} – ${isoUtc(windowEnd)}`;
  // A day may come in several pages (the API bounds each answer): follow next_cursor.
  const day = { start, end: windowEnd, recordings: [], gaps: [], events: [] };
  let cursor;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const data = await api.timeline(cameraId, start, windowEnd, cursor);
    day.recordings.push(...data.recordings);
    day.gaps.push(...data.gaps);
    day.events.push(...data.events);
    cursor = data.next_cursor;
    if (cursor === null || cursor === undefined) break;
  }
  events = [...day.events].sort((a, b) => a.start - b.start);
  current = -1;
  timeline.set(day);
  renderEvents();
  probe.camera.timeline = { recordings: day.recordings.length, gaps: day.gaps.length, events: events.length, start, end: windowEnd };
  probe.camera.loads = (probe.camera.loads || 0) + 1;
  probe.ready.timeline = true;
}

let timeline = null;

async function main() {
  const cam = await api.camera(cameraId);
  document.getElementById("cam-title").textContent = cam.name || cam.id;
  document.getElementById("cam-status").replaceWith(Object.assign(badge(cam.status), { id: "cam-status" }));
  clear(document.getElementById("cam-meta")).append(
    ...[cam.id, cam.district, cam.purpose].filter(Boolean).flatMap((t, i) => (i ? [" · ", el("bdi", {}, t)] : [el("bdi", {}, t)])),
  );
  document.title = `${cam.name || cam.id} · civicam`;
  probe.ready.camera = true;
  if (canLive) startLive(document.getElementById("live"), cameraId);
  else document.getElementById("live").append(el("span", { class: "muted" }, "no live access"));
  if (!canPlayback) {
    video.replaceWith(el("p", { class: "muted" }, "Your role does not include playback of recordings."));
    return;
  }
  timeline = new Timeline(document.getElementById("timeline"), {
    onPick: (ts, evId) => {
      const clickedAt = performance.now();
      const i = evId === null ? -1 : events.findIndex((e) => String(e.id) === evId);
      if (i >= 0) selectEvent(i);
      else playFrom(ts, clickedAt);
    },
  });
  const q = new URLSearchParams(window.location.search);
  const at = Number(q.get("t"));
  if (Number.isFinite(at) && at > 0) windowEnd = Math.min(windowEnd, Math.ceil((at + DAY / 2) / 3600) * 3600);
  document.getElementById("day-prev").onclick = () => ((windowEnd -= span), loadDay());
  document.getElementById("day-next").onclick = () => ((windowEnd += span), loadDay());
  // Zooming centres on the playing position, else on the newest recording.
  document.getElementById("span").onchange = (e) => {
    const recs = timeline.data.recordings;
    const focus = timeline.cursor ?? (recs.length ? Math.max(...recs.map((r) => r.end)) : windowEnd);
    span = Number(e.target.value);
    windowEnd = Math.ceil((focus + span / 2) / 60) * 60;
    loadDay();
  };
  document.getElementById("event-prev").onclick = () => selectEvent(current < 0 ? events.length - 1 : current - 1);
  document.getElementById("event-next").onclick = () => selectEvent(current + 1);
  await loadDay();
  if (Number.isFinite(at) && at > 0) playFrom(Math.max(timeline.data.start, at - LEAD_IN), performance.now());
}

main().catch((err) => {
  const title = document.getElementById("cam-title");
  title.textContent = err.status === 404 ? "No such camera" : err.status === 403 ? "Not permitted" : `Error: ${err.message}`;
  probe.ready.camera = "error";
});
