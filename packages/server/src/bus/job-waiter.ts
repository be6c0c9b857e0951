/**
 * The JobWaiter: one pending promise per (user_id, job_id). A dispatch
 * registers before it routes the job, so a reply can never arrive unseen;
 * whoever settles first (reply, timeout, disconnect, cancel) wins and the
 * rest find nothing to settle.
 */
export class JobWaiter<T> {
  private readonly pending = new Map<string, (value: T) => void>();

  private static key(userId: string, jobId: string): string {
    return `${userId}\u0000${jobId}`;
  }

  /** Registers a waiter; the promise resolves on deliver(). Throws if one is already waiting. */
  register(userId: string, jobId: string): Promise<T> {
    const key = JobWaiter.key(userId, jobId);
    if (this.pending.has(key)) throw new Error(`a waiter for job ${jobId} already exists`);
    return new Promise<T>((resolve) => this.pending.set(key, resolve));
  }

  /** Settles the waiter, if any. Returns whether one was waiting. */
  deliver(userId: string, jobId: string, value: T): boolean {
    const key = JobWaiter.key(userId, jobId);
    const resolve = this.pending.get(key);
    if (!resolve) return false;
    this.pending.delete(key);
    resolve(value);
    return true;
  }

  has(userId: string, jobId: string): boolean {
    return this.pending.has(JobWaiter.key(userId, jobId));
  }

  get size(): number {
    return this.pending.size;
  }
}
