// Map page: the city basemap, cameras coloured by status, coverage and plan phases.
import { api } from "./api.js";
import { badge, el, nameNode, probe } from "./dom.js";
import { STATUS_COLOURS, cameraLayer, cityLayers, createMap, fitTo, layerToggle, planLayers } from "./citymap.js";

const status = document.getElementById("map-status");
const map = createMap(document.getElementById("map"));
const toggles = document.getElementById("layers");
probe.map = { cameras: 0, buildings: 0, phases: [] };

async function main() {
  const [city, cameras, plan] = await Promise.all([
    api.cityGeojson().catch((err) => (console.warn("city", err.message), null)),
    api.cameras(),
    api.latestPlan().catch(() => null),
  ]);
  const fitLayers = [];
  if (city) {
    const { streets, buildings, sites } = cityLayers(city);
    layerToggle(toggles, map, { key: "city", label: "Buildings and streets", layers: [streets, buildings] });
    layerToggle(toggles, map, { key: "sites", label: "Sites", colour: "#b45309", layers: [sites] });
    fitLayers.push(buildings, streets);
    probe.map.buildings = buildings.getLayers().length;
  }
  if (plan) {
    for (const ph of planLayers(plan.plan)) {
      layerToggle(toggles, map, {
        key: ph.key,
        label: `${ph.label} (${ph.count}) and coverage`,
        colour: ph.colour,
        layers: [ph.coverage, ph.points],
        checked: ph.key === "existing",
      });
      probe.map.phases.push(ph.key);
    }
  }
  const cams = cameraLayer(cameras);
  layerToggle(toggles, map, { key: "cameras", label: "Registered cameras", layers: [cams.group] });
  cams.group.bringToFront();
  fitLayers.push(cams.group);
  fitTo(map, fitLayers);

  const legend = document.getElementById("legend");
  for (const [name, colour] of Object.entries(STATUS_COLOURS)) {
    legend.append(el("li", {}, el("i", { class: "dot", style: { background: colour } }), name));
  }
  const list = document.getElementById("cam-list");
  for (const cam of cameras) {
    list.append(
      el("li", {}, badge(cam.status), " ", el("a", { href: `/cameras/${encodeURIComponent(cam.id)}` }, nameNode(cam)),
        Number.isFinite(cam.lat) ? null : el("span", { class: "muted" }, " (no position)")),
    );
  }
  status.textContent = `${cams.drawn} of ${cameras.length} cameras on the map${city ? "" : "; no city model yet"}`;
  probe.map.cameras = cams.drawn;
  probe.ready.map = true;
}

main().catch((err) => {
  status.textContent = `Could not load the map: ${err.message}`;
  status.classList.add("error");
  probe.ready.map = "error";
});
