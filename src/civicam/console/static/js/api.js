// Every call the pages make to the console's JSON API, in one place. Requests carry the
// session cookie (same origin) and, on state changes, the CSRF token as X-CSRF-Token.

let csrfToken = document.querySelector('meta[name="csrf-token"]')?.content || null;

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail || `HTTP ${status}`);
    this.status = status;
  }
}

async function ensureCsrf() {
  if (!csrfToken) {
    const me = await request("GET", "/api/session/me");
    csrfToken = me.csrf_token;
  }
  return csrfToken;
}

/** The API's error text: {"detail": message} or, for invalid input, [{loc, msg}, ...]. */
function detailText(body, status) {
  const d = body?.detail;
  if (typeof d === "string") return d;
  if (Array.isArray(d)) return d.map((e) => `${(e.loc || []).slice(-1)[0] ?? ""}: ${e.msg}`).join("; ");
  return `HTTP ${status}`;
}

export async function request(method, path, { query, body } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, String(v));
  }
  const headers = { Accept: "application/json" };
  if (method !== "GET" && method !== "HEAD") {
    if (path !== "/api/session/login") {
      const token = await ensureCsrf();
      if (token) headers["X-CSRF-Token"] = token;
    }
    if (body !== undefined) headers["Content-Type"] = "application/json";
  }
  const res = await fetch(url, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401 && path !== "/api/session/login") {
    // The session ended (expired or logged out elsewhere): back to the login page.
    const next = window.location.pathname + window.location.search;
    window.location.assign(`/login?next=${encodeURIComponent(next)}`);
    throw new ApiError(401, "not signed in");
  }
  const type = res.headers.get("content-type") || "";
  const data = type.includes("json") ? await res.json().catch(() => null) : null;
  if (!res.ok) throw new ApiError(res.status, detailText(data, res.status));
  return data;
}

/** A media URL from the API as a URL object; refuses anything from another origin. */
export function sameOrigin(url) {
  const u = new URL(url, window.location.origin);
  if (u.origin !== window.location.origin) throw new Error("refusing a media URL from another origin");
  return u;
}

/** Whether a link from the API is a path on this site (never "//host" or "https://"). */
export function isLocalPath(url) {
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//") && !url.startsWith("/\\");
}

export const api = {
  login: (username, password) => request("POST", "/api/session/login", { body: { username, password } }),
  logout: () => request("POST", "/api/session/logout"),
  me: () => request("GET", "/api/session/me"),
  cameras: async () => (await request("GET", "/api/cameras")).items,
  camera: (id) => request("GET", `/api/cameras/${encodeURIComponent(id)}`),
  timeline: (id, start, end, cursor) =>
    request("GET", `/api/cameras/${encodeURIComponent(id)}/timeline`, { query: { start, end, cursor } }),
  live: (id) => request("GET", `/api/cameras/${encodeURIComponent(id)}/live`),
  playback: (id, start, end, reason) =>
    request("POST", `/api/cameras/${encodeURIComponent(id)}/playback`, { body: { start, end, reason } }),
  events: (query) => request("GET", "/api/events", { query }),
  exports: async () => (await request("GET", "/api/exports")).items,
  exportJob: (id) => request("GET", `/api/exports/${encodeURIComponent(id)}`),
  createExport: (body) => request("POST", "/api/exports", { body }),
  cityGeojson: () => request("GET", "/api/plans/city.geojson"),
  latestPlan: () => request("GET", "/api/plans/latest"),
};
