/**
 * CORS as the stock server does it (the `cors` package with `{origin: true}`): reflect the request's
 * Origin with `Vary: Origin`, no credentials. With an allow-list, only listed origins are reflected
 * and other origins get no CORS header (the browser then blocks the response).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const CORS_ALLOWED_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE';

export function applyCors(req: IncomingMessage, res: ServerResponse, allowList: readonly string[]): void {
  const origin = req.headers.origin;
  res.setHeader('Vary', 'Origin');
  if (typeof origin !== 'string' || origin === '') return;
  if (allowList.length > 0 && !allowList.includes(origin)) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
}

/** Answers a preflight request (after applyCors set the origin header). */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Methods', CORS_ALLOWED_METHODS);
  const requested = req.headers['access-control-request-headers'];
  if (typeof requested === 'string' && requested.length <= 1024) {
    res.setHeader('Access-Control-Allow-Headers', requested);
    res.setHeader('Vary', 'Origin, Access-Control-Request-Headers');
  }
  res.setHeader('Content-Length', '0');
  res.statusCode = 204;
  res.end();
}
