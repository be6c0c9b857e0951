import type { ClientSummary, TargetingFailure } from "@blender-mcp/protocol";

export interface Targetable {
  uuid: string;
  summary(): ClientSummary;
  /** A headless worker (hello client_type "worker"): a member of its user's pool. */
  readonly isWorker?: boolean;
  /** Jobs in flight on it: the pool picks the least loaded. */
  readonly load?: number;
}

/** target_uuid that asks for any worker of the user's pool rather than one Blender. */
export const POOL_TARGET = "worker";

export type TargetChoice<C> =
  | { ok: true; client: C }
  | { ok: false; status: TargetingFailure; error: string; candidates: ClientSummary[] };

/**
 * Step 1 of a dispatch: which Blender runs it. `offers` narrows the pool to
 * workers that can run the command (a named target is checked by the caller,
 * or fails at the addon, either saying why).
 */
export function chooseTarget<C extends Targetable>(
  clients: readonly C[],
  targetUuid: string | undefined,
  offers: (client: C) => boolean = () => true,
): TargetChoice<C> {
  const candidates = () => clients.map((c) => c.summary());
  if (targetUuid !== undefined) {
    const client = clients.find((c) => c.uuid === targetUuid);
    if (client) return { ok: true, client };
    if (targetUuid === POOL_TARGET) return choosePoolWorker(clients, offers);
    return {
      ok: false,
      status: "unknown_target",
      error: `No Blender with uuid ${targetUuid} is connected to your bus; see candidates or blender_list_clients.`,
      candidates: candidates(),
    };
  }
  if (clients.length === 0) {
    return {
      ok: false,
      status: "no_client",
      error: "No Blender is connected. Open Blender with the MCP Bus addon enabled and connected to this server.",
      candidates: [],
    };
  }
  if (clients.length > 1) {
    return {
      ok: false,
      status: "ambiguous_target",
      error: `${clients.length} Blenders are connected; pass target_uuid with one of the candidates.`,
      candidates: candidates(),
    };
  }
  return { ok: true, client: clients[0]! };
}

/** The least loaded worker that can run the command (offers it, its gate on); the first connected wins a tie. */
function choosePoolWorker<C extends Targetable>(clients: readonly C[], offers: (client: C) => boolean): TargetChoice<C> {
  const pool = clients.filter((c) => c.isWorker === true && offers(c));
  if (pool.length === 0) {
    return {
      ok: false,
      status: "no_client",
      error:
        "No headless worker that can run this command (offers it, its gate switched on) is connected to your bus: " +
        "start some with `blender-mcp worker`, " +
        "or pass the uuid of a Blender from blender_list_clients.",
      candidates: clients.map((c) => c.summary()),
    };
  }
  const best = pool.reduce((a, b) => ((b.load ?? 0) < (a.load ?? 0) ? b : a));
  return { ok: true, client: best };
}

/**
 * target_uuid that spreads one job over several workers (blender_render_animation):
 * "workers" for all of them, "workers:N" for the N least loaded. null: an ordinary target.
 */
export function spreadOver(targetUuid: string | undefined): number | "all" | null {
  if (targetUuid === "workers") return "all";
  const m = /^workers:(\d{1,3})$/.exec(targetUuid ?? "");
  return m && Number(m[1]) > 0 ? Number(m[1]) : null;
}
