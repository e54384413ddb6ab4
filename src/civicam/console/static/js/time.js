// UTC everywhere: the API speaks POSIX seconds, the pages show and take UTC times.

export const DAY = 86400;

export function isoUtc(ts) {
  return new Date(ts * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

export function hhmm(ts) {
  return new Date(ts * 1000).toISOString().slice(11, 16);
}

export function hhmmss(ts) {
  return new Date(ts * 1000).toISOString().slice(11, 19);
}

/** Value for <input type="datetime-local"> showing a UTC time. */
export function toInput(ts) {
  return new Date(Math.round(ts) * 1000).toISOString().slice(0, 19);
}

/** A datetime-local value read as UTC; null when empty or invalid. */
export function fromInput(value) {
  if (!value) return null;
  const ms = Date.parse(value.length === 16 ? `${value}:00Z` : `${value}Z`);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return h ? `${h} h ${m} min` : m ? `${m} min ${s % 60} s` : `${s} s`;
}
