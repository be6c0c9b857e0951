import type { ClientSummary, TargetingFailure } from "@blender-mcp/protocol";

export interface Targetable {
  uuid: string;
  summary(): ClientSummary;
}

export type TargetChoice<C> =
  | { ok: true; client: C }
  | { ok: false; status: TargetingFailure; error: string; candidates: ClientSummary[] };

/** Step 1 of a dispatch: which Blender runs it. */
export function chooseTarget<C extends Targetable>(clients: readonly C[], targetUuid: string | undefined): TargetChoice<C> {
  const candidates = () => clients.map((c) => c.summary());
  if (targetUuid !== undefined) {
    const client = clients.find((c) => c.uuid === targetUuid);
    if (client) return { ok: true, client };
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
