/**
 * Every open MCP session, whichever door it came in by (Streamable HTTP or
 * WebSocket): the per-user limit and the idle watch count them all.
 */
export class SessionRegistry {
  private readonly open = new Map<string, { userId: string; close: () => Promise<void> }>();
  /** Called when a session opens or closes. */
  onChange: (() => void) | null = null;

  constructor(private readonly maxPerUser: number) {}

  get size(): number {
    return this.open.size;
  }

  /** Why userId may not open another session now, or null. */
  refusal(userId: string): string | null {
    let count = 0;
    for (const entry of this.open.values()) if (entry.userId === userId) count++;
    return count >= this.maxPerUser ? `${count} MCP sessions are open for this user, the server's limit (--max-sessions-per-user)` : null;
  }

  add(id: string, userId: string, close: () => Promise<void>): void {
    this.open.set(id, { userId, close });
    this.onChange?.();
  }

  /** False when it was not open (a transport may report its close twice). */
  delete(id: string): boolean {
    if (!this.open.delete(id)) return false;
    this.onChange?.();
    return true;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.values()].map((e) => e.close()));
  }
}
