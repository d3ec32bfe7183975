/**
 * W3C `RTCIceServer`s → libdatachannel's own ICE server objects, Node only.
 *
 * node-datachannel's polyfill turns `{urls, username, credential}` into `turn:user:pass@host` URLs,
 * which libdatachannel splits at the first colon: TURN REST usernames ("<expiry>:<id>") then reach
 * the TURN server cut in half and every allocation is refused. Objects with explicit fields avoid
 * the URL round trip. libjuice (the ICE agent in the prebuilt node-datachannel) relays over UDP
 * only, so `?transport=tcp` and `turns:` URLs are left out here (browsers use them).
 */

export interface NativeIceServer {
  hostname: string;
  port: number;
  username?: string;
  password?: string;
  relayType?: 'TurnUdp';
}

const DEFAULT_PORT: Record<string, number> = { stun: 3478, stuns: 5349, turn: 3478, turns: 5349 };
const ICE_URL = /^(stuns?|turns?):(\[[0-9A-Fa-f:.]+\]|[^:?[\]]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/;

/** One URL as libdatachannel takes it, or undefined when libjuice cannot use it. */
export function nativeIceServer(
  url: string,
  username?: string,
  credential?: string,
): NativeIceServer | undefined {
  const m = ICE_URL.exec(url);
  if (!m) return undefined;
  const scheme = m[1]!;
  const hostname = m[2]!.replace(/^\[|\]$/g, '');
  const port = m[3] !== undefined ? Number(m[3]) : DEFAULT_PORT[scheme]!;
  if (port < 1 || port > 65535) return undefined;
  if (scheme === 'stun') return { hostname, port };
  if (scheme !== 'turn' || m[4] === 'tcp') return undefined;
  if (username === undefined || credential === undefined) return undefined;
  return { hostname, port, username, password: credential, relayType: 'TurnUdp' };
}

export function nativeIceServers(servers: readonly RTCIceServer[]): NativeIceServer[] {
  const out: NativeIceServer[] = [];
  for (const s of servers) {
    const urls = Array.isArray(s.urls) ? s.urls : [s.urls];
    for (const url of urls) {
      const n = nativeIceServer(url, s.username, typeof s.credential === 'string' ? s.credential : undefined);
      if (n) out.push(n);
    }
  }
  return out;
}
