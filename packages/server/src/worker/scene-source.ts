/** Which scene a spread render's workers render: shipped from the one UI Blender, or each worker's own. */
import type { BlenderClient } from "../bus/client.js";
import type { UserBus } from "../bus/user-bus.js";

/**
 * Where the workers get the scene: the requesting Blender's open file when
 * one Blender with a UI is connected (shipped over the bus), else the .blend
 * every worker was started with (`blender-mcp worker --blend`).
 */
export function sceneSource(bus: UserBus, pool: BlenderClient[]): { ship: string } | { own: true } | { error: string } {
  const uis = bus.listClients().filter((c) => !c.isWorker && c.canRun("save_scene_copy"));
  if (uis.length === 1) return { ship: uis[0]!.uuid };
  const bare = pool.filter((c) => c.hello.blend_file === "");
  if (uis.length === 0 && bare.length === 0) return { own: true };
  if (uis.length > 1) {
    return { error: `${uis.length} Blenders with a UI are connected (${uis.map((c) => c.uuid).join(", ")}): the render ships the scene of exactly one; close the others, or start the workers with \`blender-mcp worker --blend FILE\` and disconnect the UIs` };
  }
  return {
    error: `worker ${bare.map((c) => c.uuid).join(", ")} has no .blend open and no Blender with a UI is connected to send its scene: connect the Blender whose scene to render, or start the workers with \`blender-mcp worker --blend FILE\``,
  };
}
