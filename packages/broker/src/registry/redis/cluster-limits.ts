/** The limits and periods of the Redis-backed cluster registry, each with the reason for its value. */

/**
 * Time after which the registrations of a node that stopped (crash, SIGKILL, network cut) lapse, so
 * another token may take its ids and `/peers` stops listing them. Each node refreshes its records
 * several times per lapse (CLUSTER_HEARTBEATS_PER_LAPSE). 15 s: a node is not declared dead by one
 * slow heartbeat on a loaded machine (several must be missed), and a peer reconnecting with the
 * same token re-attaches at once anyway; only a different token waits this long.
 */
export const DEFAULT_CLUSTER_LAPSE_MS = 15_000;
/** Smallest accepted lapse: below 1 s a GC pause or a busy Redis would drop live registrations. */
export const MIN_CLUSTER_LAPSE_MS = 1_000;
/** Heartbeats per lapse: two may be lost or late before a live node's records lapse. */
export const CLUSTER_HEARTBEATS_PER_LAPSE = 3;

/**
 * A Redis command not answered within this long fails: the node then serves its local peers only
 * (and reports unhealthy) instead of holding sockets on a stuck store. Signaling tolerates 2 s.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 2_000;
/** Reconnection back-off ceiling: recovery is noticed within 2 s of Redis returning. */
export const REDIS_RETRY_MAX_MS = 2_000;
/** Back-off step per failed reconnection attempt. */
export const REDIS_RETRY_STEP_MS = 100;

/**
 * A frame that reaches a node whose connection has just gone is routed again (queued, or sent to
 * where the id moved). Two hops cover one move; a third would mean the id is moving faster than a
 * frame travels, and the frame is dropped rather than chased.
 */
export const CLUSTER_MAX_HOPS = 2;

/**
 * Frames for other nodes collected in one event-loop tick go to Redis in one ROUTE call (one
 * script run, one PUBLISH per destination node): per-frame round trips would cap a node at a few
 * tens of thousands of frames per second. 256 frames or 256 KiB per call keep one call short, so
 * other nodes' commands are not held up behind it.
 */
export const CLUSTER_ROUTE_BATCH_FRAMES = 256;
export const CLUSTER_ROUTE_BATCH_BYTES = 256 * 1024;

/** Registrations refreshed per REFRESH script call: keeps one call well under a millisecond of Redis time per few hundred peers, so other nodes' commands are not held up. */
export const CLUSTER_REFRESH_CHUNK = 500;
/** Queues examined per EXPIRE call, for the same reason; the rest wait for the next sweep. */
export const CLUSTER_EXPIRE_BATCH = 1_000;
/** Ids `/peers` lists at most from a cluster (discovery is for small deployments; SCAN is O(n)). */
export const CLUSTER_LIST_IDS_MAX = 100_000;
/** Keys SCAN asks for per round trip while listing ids. */
export const CLUSTER_SCAN_COUNT = 1_000;

/** Key prefix in Redis, so a broker cluster can share a Redis with other applications. */
export const DEFAULT_REDIS_PREFIX = 'enkrypted:';
