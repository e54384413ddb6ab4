// Exports page: choose cameras and a time range, give a reason and a recipient, follow the
// job's status and download the package when it is ready.
import { api, isLocalPath } from "./api.js";
import { badge, clear, el, nameNode, probe, showError } from "./dom.js";
import { fromInput, isoUtc, toInput } from "./time.js";

const form = document.getElementById("export-form");
const error = document.getElementById("ex-error");
const body = document.querySelector("#ex-list tbody");
const POLL_MS = 1500;
const names = new Map();
let timer = null;

function camerasOf(job) {
  return job.camera_ids.flatMap((id, i) => [i ? ", " : null, el("bdi", {}, names.get(id) || id)]);
}

function row(job) {
  const download =
    job.status === "ready" && isLocalPath(job.download_url)
      ? el("a", { href: job.download_url, download: "", class: "download" }, "Download")
      : job.error
        ? el("span", { class: "error" }, job.error)
        : "";
  return el(
    "tr",
    { "data-export": job.id, "data-status": job.status },
    el("td", { title: String(job.id) }, String(job.id).slice(0, 8)),
    el("td", {}, camerasOf(job)),
    el("td", {}, `${isoUtc(job.start)} – ${isoUtc(job.end)}`),
    el("td", {}, el("bdi", {}, job.reason ?? "")),
    el("td", {}, el("bdi", {}, job.recipient ?? "")),
    el("td", {}, badge(job.status)),
    el("td", {}, download),
  );
}

async function refresh() {
  const jobs = await api.exports();
  jobs.sort((a, b) => b.created_at - a.created_at);
  clear(body);
  for (const job of jobs) body.append(row(job));
  probe.exports = jobs.map((j) => ({ id: j.id, status: j.status }));
  clearTimeout(timer);
  if (jobs.some((j) => j.status === "queued" || j.status === "running")) timer = setTimeout(poll, POLL_MS);
}

function poll() {
  refresh().catch((err) => showError(error, `Could not refresh: ${err.message}`));
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  showError(error, "");
  const ids = [...document.querySelectorAll("#ex-cameras input:checked")].map((b) => b.value);
  const start = fromInput(document.getElementById("ex-start").value);
  const end = fromInput(document.getElementById("ex-end").value);
  if (!ids.length) return showError(error, "Choose at least one camera.");
  if (start === null || end === null || end <= start) return showError(error, "Give a time range whose end is after its start.");
  const submit = document.getElementById("ex-submit");
  submit.disabled = true;
  try {
    const job = await api.createExport({
      camera_ids: ids,
      start,
      end,
      reason: document.getElementById("ex-reason").value.trim(),
      recipient: document.getElementById("ex-recipient").value.trim(),
    });
    probe.lastExport = job.id;
    await refresh();
  } catch (err) {
    showError(error, `Export refused: ${err.message}`);
  } finally {
    submit.disabled = false;
  }
});

async function main() {
  const box = document.getElementById("ex-cameras");
  for (const cam of await api.cameras()) {
    names.set(cam.id, cam.name || cam.id);
    box.append(el("label", {}, el("input", { type: "checkbox", value: cam.id, name: "camera" }), nameNode(cam)));
  }
  const now = Math.floor(Date.now() / 1000);
  document.getElementById("ex-start").value = toInput(now - 3600);
  document.getElementById("ex-end").value = toInput(now);
  await refresh();
  probe.ready.exports = true;
}

main().catch((err) => {
  showError(error, `Could not load: ${err.message}`);
  probe.ready.exports = "error";
});
