// The templates and the page's one HTML sink.
//
// htm templates escape every value, so text from users never becomes markup. The only way to put HTML in
// the page is trustedHtml(): the server renders and sanitises Markdown, and DOMPurify sanitises it again
// into a TrustedHTML value, the only kind the page's Trusted Types policy lets innerHTML take.

import DOMPurify from "dompurify";
import { html } from "htm/preact";

export { html };

const ALLOWED_URI = /^(?:https?:|mailto:|\/(?!\/)|#)/i;

export function trustedHtml(markup) {
  // The server puts rel="noopener noreferrer nofollow" on every link it opens in a new tab; keep both.
  // DOMPurify's own URL rule still refuses javascript: and other script-bearing schemes.
  const options = { RETURN_TRUSTED_TYPE: true, ADD_ATTR: ["target", "rel"] };
  return { __html: DOMPurify.sanitize(markup || "", options) };
}

// The words of server-rendered Markdown without its marks, parsed by DOMPurify into an inert fragment.
export function markupText(markup) {
  return DOMPurify.sanitize(markup || "", { RETURN_DOM_FRAGMENT: true }).textContent.replace(/\s+/g, " ").trim();
}

// Only http(s), mailto and paths on this site may become a link target.
export function safeUrl(url) {
  return typeof url === "string" && ALLOWED_URI.test(url.trim()) ? url.trim() : "";
}
