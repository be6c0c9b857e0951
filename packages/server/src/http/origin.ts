/**
 * Browser protection. A web page can make a browser send requests to
 * loopback (and, by DNS rebinding, with a hostname it controls): requests
 * from a browser carry Origin, and a rebound request carries a foreign Host.
 * Both are refused unless configured as allowed. A page of the server's own
 * origin (same scheme, host and port as the request's Host on this listener)
 * is no attack: its Host has passed the check already, so it is accepted.
 */
import type { IncomingHttpHeaders } from "node:http";

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

function hostname(hostHeader: string): string {
  // "[::1]:9860" -> "[::1]", "localhost:9860" -> "localhost"
  if (hostHeader.startsWith("[")) return hostHeader.slice(0, hostHeader.indexOf("]") + 1);
  return hostHeader.split(":")[0]!;
}

export interface OriginPolicy {
  /** Extra Host names accepted (a non-loopback bind adds its own). */
  allowedHosts: readonly string[];
  /** Origins (scheme://host:port) whose browser pages may connect. Empty by default. */
  allowedOrigins: readonly string[];
  /** Whether the listener serves TLS: the scheme of its own origin (https, else http). */
  tls?: boolean;
}

// A Host header is an authority only: a name or bracketed IPv6 address and an optional port.
const AUTHORITY = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The listener's own origin as the request names it ("http://localhost:9860"),
 * serialised as browsers serialise Origin (lower case, default port dropped).
 */
function ownOrigin(host: string, tls: boolean): string | null {
  if (!AUTHORITY.test(host)) return null;
  try {
    return new URL(`${tls ? "https" : "http"}://${host}`).origin;
  } catch {
    return null;
  }
}

function sameOrigin(origin: string, host: string, tls: boolean): boolean {
  const own = ownOrigin(host, tls);
  if (own === null) return false;
  try {
    // "null" (sandboxed or file: pages) and other non-URLs are never ours.
    return new URL(origin).origin === own;
  } catch {
    return false;
  }
}

export function checkRequest(headers: IncomingHttpHeaders, policy: OriginPolicy): string | null {
  const host = headers.host;
  if (!host) return "missing Host header";
  const name = hostname(host.toLowerCase());
  if (!LOOPBACK_NAMES.has(name) && !policy.allowedHosts.includes(name)) {
    return `Host ${host} is not allowed (DNS rebinding protection); add it with --allowed-host`;
  }
  const origin = headers.origin;
  if (origin !== undefined && !policy.allowedOrigins.includes(origin) && !sameOrigin(origin, host, policy.tls ?? false)) {
    return `Origin ${origin} is not allowed: browser pages of other origins may not reach the bus; add it with --allowed-origin`;
  }
  return null;
}
