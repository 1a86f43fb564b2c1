// REST v4 with the cookie session, as every Mattermost web client calls it.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.id = (body && body.id) || "";
    this.detail = (body && body.detailed_error) || "";
  }
}

// The server's message, and its detail when it gives one (which field, which limit).
export function errorText(failure) {
  const detail = failure && failure.detail;
  return detail && detail !== failure.message ? `${failure.message} (${detail})` : (failure && failure.message) || String(failure);
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)MMCSRF=([^;]*)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export async function request(method, path, body, { raw = false } = {}) {
  // The header marks a person at the keyboard (presence) and, with the CSRF token, allows cookie writes.
  // The render header asks for posts' Markdown as sanitised HTML (metadata.hubbub_html), rendered by the server.
  const headers = { "X-Requested-With": "XMLHttpRequest", "X-Hubbub-Render": "html" };
  const token = csrfToken();
  if (token) headers["X-CSRF-Token"] = token;
  let payload;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(path.startsWith("/") ? path : `/api/v4/${path}`, {
    method,
    headers,
    body: payload,
    credentials: "same-origin",
  });
  if (raw) return response;
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) throw new ApiError(response.status, typeof data === "object" ? data : null);
  return data;
}

export const get = (path) => request("GET", path);
export const post = (path, body = {}) => request("POST", path, body);
export const put = (path, body = {}) => request("PUT", path, body);
export const del = (path, body) => request("DELETE", path, body);

export function queryString(params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `?${text}` : "";
}
