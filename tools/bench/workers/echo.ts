/** Transport floor: a WebSocket server that sends every text frame straight back. */
import { WebSocketServer } from "ws";
import { serveRpc } from "./rpc.js";

serveRpc({
  listen: () =>
    new Promise<number>((resolve) => {
      const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
      wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
      wss.on("listening", () => resolve((wss.address() as { port: number }).port));
    }),
});
