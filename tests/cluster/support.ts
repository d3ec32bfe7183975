/**
 * A broker cluster under test: one real redis-server and N real broker processes (our CLI from
 * source) sharing it, all on loopback.
 */
import { type BrokerUnderTest, type StartOptions, startOurBroker } from '../support/brokers.js';
import { type RedisUnderTest, startRedis } from './redis-server.js';

export interface ClusterUnderTest {
  redis: RedisUnderTest;
  nodes: BrokerUnderTest[];
  stop(): Promise<void>;
}

/** Flags every node gets: the shared Redis, a short lapse so lapse tests stay fast. */
export function clusterArgs(redisUrl: string, lapseMs: number): string[] {
  return ['--redis', redisUrl, '--cluster-lapse', String(lapseMs), '--log-level', 'warn'];
}

export async function startCluster(
  n: number,
  opts: StartOptions & { lapseMs?: number } = {},
): Promise<ClusterUnderTest> {
  const redis = await startRedis();
  const { lapseMs = 3_000, ...start } = opts;
  const nodes: BrokerUnderTest[] = [];
  try {
    // One at a time: spawning tsx three times at once on a loaded 2-core machine is slower overall.
    for (let i = 0; i < n; i++) {
      nodes.push(
        await startOurBroker({ ...start, args: [...clusterArgs(redis.url, lapseMs), ...(start.args ?? [])] }),
      );
    }
  } catch (err) {
    await Promise.all(nodes.map((b) => b.kill()));
    await redis.stop();
    throw err;
  }
  return {
    redis,
    nodes,
    async stop() {
      await Promise.all(nodes.map((b) => b.stop()));
      await redis.stop();
    },
  };
}

export interface Health {
  status: number;
  body: { status?: string; reason?: string; node?: string; cluster?: { nodes: number; peers: number } };
}

export async function health(b: BrokerUnderTest): Promise<Health> {
  const res = await fetch(b.httpUrl('/healthz'));
  return { status: res.status, body: (await res.json()) as Health['body'] };
}
