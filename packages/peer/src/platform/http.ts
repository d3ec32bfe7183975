/** HTTP through the WHATWG `fetch` both Node 20 and browsers provide (the broker's HTTP routes). */

export interface HttpAnswer {
  status: number;
  body: string;
}

export async function getText(url: string, signal: AbortSignal): Promise<HttpAnswer> {
  const res = await fetch(url, { signal });
  return { status: res.status, body: await res.text() };
}

export async function postJson(url: string, body: string, signal: AbortSignal): Promise<HttpAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    signal,
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.status, body: await res.text() };
}
