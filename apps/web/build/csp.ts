/**
 * The production Content-Security-Policy (ch. 8.4). Everything is served from our own origin: no
 * inline script or style, no eval, no third-party host. `connect-src` allows WebSockets to any
 * broker the user configures (ws: for plain loopback, wss: elsewhere) and HTTPS requests (the
 * broker-issued TURN credentials come from the broker's origin, which need not be the page's); our
 * own code is the only script, so https: opens no path that wss: did not. `img-src` allows data: for
 * the generated QR codes and blob: for received-image previews. `frame-ancestors` only works as a
 * header, so the header form is also written next to the build for the broker's static server.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, string>> = {
  'default-src': "'self'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data: blob:",
  'connect-src': "'self' ws: wss: https:",
  'font-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'worker-src': "'none'",
  'manifest-src': "'self'",
};

/** Directives that browsers ignore in a <meta> tag and only honour as a response header. */
const HEADER_ONLY: Readonly<Record<string, string>> = { 'frame-ancestors': "'none'" };

function serialise(d: Readonly<Record<string, string>>): string {
  return Object.entries(d)
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');
}

export const CSP_META = serialise(CSP_DIRECTIVES);
export const CSP_HEADER = serialise({ ...CSP_DIRECTIVES, ...HEADER_ONLY });
