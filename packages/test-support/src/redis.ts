/** A redis-server of the test's own (tools/redis/). */
export * from "../../../tools/redis/redis-server.js";
