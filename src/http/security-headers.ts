// The headers of what the service serves to browsers. Its pages show text from the stream (hostile
// input) and hold a login form or a token: each page may run, style and fetch only what the service
// itself serves, and no other site may frame it.

/** Every page and page asset: a browser takes the declared Content-Type, never a guessed one. */
export const NOSNIFF = { "X-Content-Type-Options": "nosniff" } as const;

/**
 * The policy of the dashboard and of Swagger UI; neither needs an inline script or style, nor eval.
 * `img-src data:` is for both pages' empty `data:,` icon (which keeps the browser from asking for
 * /favicon.ico) and for the SVG icons Swagger UI's stylesheet embeds as `data:` URLs.
 */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src data:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The headers of an HTML page; no-referrer keeps the page's address from the hosts of any link on it. */
export const PAGE_HEADERS = { "Content-Security-Policy": PAGE_CSP, ...NOSNIFF, "Referrer-Policy": "no-referrer" } as const;
