/** Scale-out floor: publishes every message it hears on the ping channel back on the pong channel, with the server's Redis client. */
import { createClient } from "redis";
import { serveRpc } from "./rpc.js";

serveRpc({
  async listen(args) {
    const { url, ping, pong } = args as { url: string; ping: string; pong: string };
    const cmd = createClient({ url });
    const sub = cmd.duplicate();
    await Promise.all([cmd.connect(), sub.connect()]);
    await sub.subscribe(ping, (message) => void cmd.publish(pong, message));
  },
});
