// Planner page: the latest plan's summary and its cameras by phase over the city.
import { api, isLocalPath } from "./api.js";
import { el, probe } from "./dom.js";
import { cityLayers, createMap, fitTo, layerToggle, planLayers } from "./citymap.js";

const status = document.getElementById("plan-status");
const summary = document.getElementById("plan-summary");
const toggles = document.getElementById("layers");
const map = createMap(document.getElementById("map"));

function addSummary(key, value) {
  if (value === null || value === undefined || typeof value === "object") return;
  const shown = typeof value === "number" && !Number.isInteger(value) ? value.toFixed(3) : String(value);
  summary.append(el("dt", {}, key.replaceAll("_", " ")), el("dd", {}, shown));
}

async function main() {
  const [city, plan] = await Promise.all([api.cityGeojson().catch(() => null), api.latestPlan().catch((e) => (e.status === 404 ? null : Promise.reject(e)))]);
  const fit = [];
  if (city) {
    const { streets, buildings, sites } = cityLayers(city);
    layerToggle(toggles, map, { key: "city", label: "Buildings and streets", layers: [streets, buildings] });
    layerToggle(toggles, map, { key: "sites", label: "Sites", colour: "#b45309", layers: [sites] });
    fit.push(buildings, streets);
  }
  if (!plan) {
    status.textContent = "No plan yet: run `civicam plan` to make one.";
  } else {
    status.textContent = `Plan ${plan.name}`;
    for (const [k, v] of Object.entries(plan.summary)) addSummary(k, v);
    if (isLocalPath(plan.report_url)) {
      summary.append(el("dt", {}, "report"), el("dd", {}, el("a", { href: plan.report_url, target: "_blank", rel: "noopener" }, "open in a new tab")));
      // The report is self-contained; sandboxed without same-origin it cannot reach the API.
      document.getElementById("report").src = plan.report_url;
      document.getElementById("report-box").hidden = false;
    }
    for (const ph of planLayers(plan.plan)) {
      layerToggle(toggles, map, { key: ph.key, label: `${ph.label} (${ph.count})`, colour: ph.colour, layers: [ph.coverage, ph.points] });
      fit.push(ph.points);
    }
  }
  fitTo(map, fit);
  probe.ready.planner = true;
}

main().catch((err) => {
  status.textContent = `Could not load the plan: ${err.message}`;
  status.classList.add("error");
  probe.ready.planner = "error";
});
