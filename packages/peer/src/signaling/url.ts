/**
 * Broker addresses, shaped exactly like the stock client's (peerjs-protocol.md §1.1, §2.1) except that
 * query values are percent-encoded (the stock server decodes them with URLSearchParams).
 */
export interface BrokerAddress {
  host: string;
  port: number;
  /** Mount path of the broker; normalised to start and end with '/'. Default '/'. */
  path?: string;
  /** wss/https instead of ws/http. P2.4.1: production signaling MUST use TLS. */
  secure?: boolean;
  /** The broker's public API key. Default 'peerjs'. */
  key?: string;
}

/** Protocol version we announce in the `version` query parameter (ignored by brokers). */
export const CLIENT_VERSION = 'enkrypted-0.1.0';

export function normalisePath(path: string | undefined): string {
  let p = path ?? '/';
  if (!p.startsWith('/')) p = `/${p}`;
  if (!p.endsWith('/')) p = `${p}/`;
  return p;
}

export function socketUrl(address: BrokerAddress, id: string, token: string): string {
  const scheme = address.secure ? 'wss' : 'ws';
  const q = new URLSearchParams({ key: address.key ?? 'peerjs', id, token, version: CLIENT_VERSION });
  return `${scheme}://${address.host}:${address.port}${normalisePath(address.path)}peerjs?${q.toString()}`;
}

export function idUrl(address: BrokerAddress): string {
  const scheme = address.secure ? 'https' : 'http';
  const key = encodeURIComponent(address.key ?? 'peerjs');
  return `${scheme}://${address.host}:${address.port}${normalisePath(address.path)}${key}/id`;
}
