/**
 * Browser protection. A web page can make a browser send requests to
 * loopback (and, by DNS rebinding, with a hostname it controls): requests
 * from a browser carry Origin, and a rebound request carries a foreign Host.
 * Both are refused unless configured as allowed.
 */
import type { IncomingHttpHeaders } from "node:http";

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

function hostname(hostHeader: string): string {
  // "[::1]:9860" -> "[::1]", "localhost:9860" -> "localhost"
  if (hostHeader.startsWith("[")) return hostHeader.slice(0, hostHeader.indexOf("]") + 1);
  return hostHeader.split(":")[0]!;
}

function sameOrigin(origin: string, host: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === "http:" || url.protocol === "https:") && url.host === new URL(`${url.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

export interface OriginPolicy {
  /** Extra Host names accepted (a non-loopback bind adds its own). */
  allowedHosts: readonly string[];
  /** Origins (scheme://host:port) whose browser pages may connect. Empty by default. */
  allowedOrigins: readonly string[];
}

export function checkRequest(headers: IncomingHttpHeaders, policy: OriginPolicy): string | null {
  const host = headers.host;
  if (!host) return "missing Host header";
  const name = hostname(host.toLowerCase());
  if (!LOOPBACK_NAMES.has(name) && !policy.allowedHosts.includes(name)) {
    return `Host ${host} is not allowed (DNS rebinding protection); add it with --allowed-host`;
  }
  const origin = headers.origin;
  // The server's own origin is no foreign page: its Host has passed the check above.
  if (origin !== undefined && !policy.allowedOrigins.includes(origin) && !sameOrigin(origin, host)) {
    return `Origin ${origin} is not allowed: browser pages may not reach the bus`;
  }
  return null;
}
