// Leaflet map of the city drawn from the planner's own city.geojson: buildings, streets and
// sites as vector layers. There is deliberately no tile layer (no tile server, no CDN).
import { el, nameNode } from "./dom.js";

const L = window.L;

// The API's camera statuses (schemas.CameraStatus).
export const STATUS_COLOURS = {
  recording: "#1a7f37",
  degraded: "#d97706",
  offline: "#c62828",
  disabled: "#6b7280",
};
const UNKNOWN_COLOUR = "#6b7280";

export const PHASE_COLOURS = ["#374151", "#2563eb", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#ea580c"];

export function statusColour(status) {
  return STATUS_COLOURS[status] || UNKNOWN_COLOUR;
}

export function phaseColour(phase, existing) {
  if (existing || !phase) return PHASE_COLOURS[0];
  return PHASE_COLOURS[1 + ((phase - 1) % (PHASE_COLOURS.length - 1))];
}

const STREET_WEIGHT = { motorway: 5, trunk: 5, primary: 4, secondary: 3.5, tertiary: 3, residential: 2, service: 1.2 };

export function createMap(node) {
  if (!L) throw new Error("Leaflet is missing: run `make console-assets`");
  const map = L.map(node, { zoomSnap: 0.25, preferCanvas: false, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("City data © OpenStreetMap contributors");
  map.setView([0, 0], 2);
  return map;
}

/** The basemap: one GeoJSON layer per kind, streets under buildings under sites. */
export function cityLayers(fc) {
  const features = (fc && fc.features) || [];
  const of = (kind) => ({ type: "FeatureCollection", features: features.filter((f) => f.properties?.kind === kind) });
  const streets = L.geoJSON(of("street"), {
    interactive: false,
    style: (f) => ({ color: "#ffffff", weight: STREET_WEIGHT[f.properties.highway] || 1.5, opacity: 1, lineCap: "round" }),
  });
  const buildings = L.geoJSON(of("building"), {
    interactive: false,
    style: { color: "#9aa1ab", weight: 0.5, fillColor: "#c9ced6", fillOpacity: 1 },
  });
  const sites = L.geoJSON(of("site"), {
    style: { color: "#b45309", weight: 1.5, dashArray: "4 3", fill: false },
    // Point sites as small rings: Leaflet's default pin would need its icon images.
    pointToLayer: (_f, latlng) => L.circleMarker(latlng, { radius: 5, color: "#b45309", weight: 1.5, fill: false }),
    onEachFeature: (f, layer) => layer.bindTooltip(el("span", {}, el("bdi", {}, f.properties.name || "site"))),
  });
  return { streets, buildings, sites };
}

/** Camera dots coloured by status; clicking one opens its page. */
export function cameraLayer(cameras) {
  const group = L.featureGroup();
  let drawn = 0;
  for (const cam of cameras) {
    if (!Number.isFinite(cam.lat) || !Number.isFinite(cam.lon)) continue;
    const status = cam.status;
    const marker = L.circleMarker([cam.lat, cam.lon], {
      radius: 7,
      color: "#111",
      weight: 1.5,
      fillColor: statusColour(status),
      fillOpacity: 0.95,
      className: "cam-marker",
    });
    marker.bindTooltip(el("span", {}, el("strong", {}, nameNode(cam)), " · ", status));
    marker.on("click", () => window.location.assign(`/cameras/${encodeURIComponent(cam.id)}`));
    marker.on("add", () => {
      const path = marker.getElement();
      if (path) {
        path.setAttribute("data-camera", cam.id);
        path.setAttribute("data-status", status);
      }
    });
    marker.addTo(group);
    drawn += 1;
  }
  return { group, drawn };
}

/** Plan cameras by phase, with their view polygons (coverage) drawn under them. */
export function planLayers(plan) {
  const features = (plan && plan.features) || [];
  const phases = new Map();
  for (const f of features) {
    const p = f.properties || {};
    const key = p.existing ? "existing" : `phase-${p.phase || 0}`;
    if (!phases.has(key)) phases.set(key, { key, phase: p.existing ? 0 : p.phase || 0, existing: !!p.existing, cameras: [] });
    phases.get(key).cameras.push(f);
  }
  const layers = [];
  const sorted = [...phases.values()].sort((a, b) => (a.existing ? -1 : b.existing ? 1 : a.phase - b.phase));
  for (const ph of sorted) {
    const colour = phaseColour(ph.phase, ph.existing);
    const coverage = L.geoJSON(
      { type: "FeatureCollection", features: ph.cameras.filter((f) => f.properties.view).map((f) => ({ type: "Feature", geometry: f.properties.view, properties: {} })) },
      { interactive: false, style: { color: colour, weight: 0.5, fillColor: colour, fillOpacity: 0.12 } },
    );
    const points = L.geoJSON(
      { type: "FeatureCollection", features: ph.cameras },
      {
        pointToLayer: (f, latlng) =>
          L.circleMarker(latlng, { radius: 4, color: "#fff", weight: 1, fillColor: colour, fillOpacity: 1, className: "plan-cam" }),
        onEachFeature: (f, layer) =>
          layer.bindTooltip(el("span", {}, el("bdi", {}, String(f.properties.id)), " · ", ph.existing ? "existing" : `year ${ph.phase}`)),
      },
    );
    layers.push({
      key: ph.key,
      label: ph.existing ? "Existing cameras" : `Phase ${ph.phase}`,
      colour,
      count: ph.cameras.length,
      coverage,
      points,
    });
  }
  return layers;
}

/** A checkbox in the side panel that shows or hides a Leaflet layer. */
export function layerToggle(container, map, { key, label, colour, layers, checked = true }) {
  const box = el("input", { type: "checkbox", "data-layer": key });
  box.checked = checked;
  const apply = () => layers.forEach((l) => (box.checked ? l.addTo(map) : l.remove()));
  box.addEventListener("change", apply);
  apply();
  container.append(el("label", {}, box, colour ? el("i", { class: "dot", style: { background: colour } }) : null, label));
  return box;
}

export function fitTo(map, layers) {
  let bounds = null;
  for (const l of layers) {
    if (!l || typeof l.getBounds !== "function") continue;
    const b = l.getBounds();
    if (b && b.isValid()) bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
  }
  if (bounds) map.fitBounds(bounds, { padding: [20, 20] });
}
