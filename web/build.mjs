// Copies the pinned browser builds of hls.js and Leaflet out of node_modules into the
// Python package (src/civicam/console/static/vendor/), so the console serves them itself:
// no CDN, nothing fetched at run time. Our own JS/CSS need no build and live directly in
// src/civicam/console/static/ (served as they are).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const out = join(here, "..", "src", "civicam", "console", "static", "vendor");

const files = [
  ["hls.js/dist/hls.min.js", "hls.min.js"],
  ["leaflet/dist/leaflet.js", "leaflet.js"],
  ["leaflet/dist/leaflet.css", "leaflet.css"],
  ["leaflet/dist/images/layers.png", "images/layers.png"],
  ["leaflet/dist/images/layers-2x.png", "images/layers-2x.png"],
  ["leaflet/dist/images/marker-icon.png", "images/marker-icon.png"],
  ["leaflet/dist/images/marker-icon-2x.png", "images/marker-icon-2x.png"],
  ["leaflet/dist/images/marker-shadow.png", "images/marker-shadow.png"],
  ["hls.js/LICENSE", "LICENSE.hls.js.txt"],
  ["leaflet/LICENSE", "LICENSE.leaflet.txt"],
];

const versions = {};
for (const pkg of ["hls.js", "leaflet"]) {
  const meta = JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8"));
  versions[pkg] = meta.version;
}

for (const [from, to] of files) {
  const src = join(modules, from);
  if (!existsSync(src)) {
    console.error(`missing ${src}: run npm ci in web/ first`);
    process.exit(1);
  }
  const dest = join(out, to);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(src, dest);
}
// The console pages read this to show which builds they run.
writeFileSync(join(out, "versions.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(`console assets: ${files.length} files into ${out} (${JSON.stringify(versions)})`);
