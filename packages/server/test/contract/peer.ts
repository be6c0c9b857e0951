/**
 * What the contract suite needs from "a Blender": the fake addon and real
 * Blender each implement this, so which one answers is a parameter of the
 * suite, not something the tests know.
 */
import type { Duplex } from "node:stream";

export interface StartOptions {
  /** ws:// URL of the server's addon endpoint, e.g. ws://127.0.0.1:9860/addon */
  url: string;
  /** An in-process server's in-memory link, which a peer in this process connects through instead of dialling url. */
  connect?: () => Duplex;
  /** The bearer token the peer presents. */
  token: string;
  label?: string;
  /** Gates to switch off in the addon's preferences: "execute_code", "job_dispatch". */
  gated?: string[];
  /** Reconnect when the server goes away, keeping replies meanwhile (the real addon always does). */
  reconnect?: boolean;
}

export interface Peer {
  /** The client uuid the server registered (known once start() resolves: the welcome arrived). */
  uuid: string;
  /** Disconnect and release everything (process, sockets, temp folders). */
  stop(): Promise<void>;
  /** Resolves when the peer's connection has closed (for any reason). */
  closed: Promise<void>;
}

/** A tool call the suite makes, as the peer kind needs it expressed. */
export interface Call {
  tool: string;
  args: Record<string, unknown>;
}

export interface PeerKind {
  name: string;
  start(options: StartOptions): Promise<Peer>;
  /** A call that completes after about `seconds` (fake: a slow behaviour; Blender: time.sleep in execute_code). */
  slowCall(peer: Peer, seconds: number): Promise<Call>;
  /** A call whose handler raises, so the job fails with a traceback. */
  failingCall(peer: Peer): Promise<Call>;
  /** A call during which the peer drops its connection (fake: drop behaviour; Blender: the process exits). */
  dropCall(peer: Peer): Promise<Call>;
  /** A job_dispatch script that prints `marker`; the peer's stdout must show up in the result. */
  script(marker: string): string;
  /** Files and undo really change a scene (Blender); the fake addon answers with examples. */
  realScene?: boolean;
  /** Where this process can read a file the peer wrote at `path` (a chrooted Blender sees another filesystem). */
  hostPath(path: string): string;
}
