// A camera's live view in a box: the API's MJPEG stream (built from the recorder's newest
// fragments), or its latest frame refreshed every few seconds.
import { api, sameOrigin } from "./api.js";
import { clear, el } from "./dom.js";

const SNAPSHOT_EVERY_MS = 2000;

/**
 * Start the live view of `cameraId` inside `box`; returns a stop function. With `still`,
 * refreshed snapshots are shown instead of a stream (the grid: many cameras at once).
 */
export async function startLive(box, cameraId, { still = false } = {}) {
  clear(box).append(el("span", { class: "muted" }, "connecting…"));
  let info;
  try {
    info = await api.live(cameraId);
  } catch (err) {
    clear(box).append(el("span", { class: "muted" }, err.status === 403 ? "no live access" : `no live view (${err.message})`));
    return () => {};
  }
  const stream = !still && info.kind === "mjpeg";
  const url = stream ? info.url : info.snapshot_url;
  const img = el("img", { alt: `live view of camera ${cameraId}`, "data-live": cameraId });
  let timer = null;
  // No frame to show (camera off, nothing recorded yet): say so and stop asking.
  img.addEventListener(
    "error",
    () => {
      clearInterval(timer);
      img.removeAttribute("src");
      img.replaceWith(el("span", { class: "muted" }, "live view unavailable"));
    },
    { once: true },
  );
  clear(box).append(img);
  const base = sameOrigin(url);
  if (stream) {
    img.src = base.toString();
    return () => img.removeAttribute("src");
  }
  // Snapshots: refresh while the page is visible; a fresh query defeats caches.
  const refresh = () => {
    if (document.hidden) return;
    const u = new URL(base);
    u.searchParams.set("_", String(Date.now()));
    img.src = u.toString();
  };
  refresh();
  timer = setInterval(refresh, SNAPSHOT_EVERY_MS);
  return () => clearInterval(timer);
}
