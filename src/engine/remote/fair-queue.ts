/**
 * The agent's job line: one queue per client, served least-recently-served first (round-robin). With a
 * single FIFO, a client that queued fifty table builds (or one `runs: 1e8` measurement, before runs were
 * capped) held every other client back behind all of it; here the next job always comes from the waiting
 * client whose last turn is longest ago (a client new to the line counts as never served), so a
 * newcomer's job starts after at most the job that is running now. Jobs of one client keep their order.
 */
export class FairQueue<Owner, Job> {
  /** Waiting jobs per client, in arrival order of the clients. */
  private readonly lines = new Map<Owner, Job[]>();
  /** Turn at which each client last got a job started; kept while its line is empty (until `forget`). */
  private readonly lastServed = new Map<Owner, number>();
  private total = 0;
  private turn = 0;

  get size(): number {
    return this.total;
  }

  countFor(owner: Owner): number {
    return this.lines.get(owner)?.length ?? 0;
  }

  push(owner: Owner, job: Job): void {
    const line = this.lines.get(owner);
    if (line) line.push(job);
    else this.lines.set(owner, [job]);
    this.total++;
  }

  /** The next job (from the least recently served client; ties in arrival order), or undefined. */
  next(): Job | undefined {
    let pick: Owner | undefined;
    let pickServed = Infinity;
    for (const owner of this.lines.keys()) {
      const served = this.lastServed.get(owner) ?? -1;
      if (served < pickServed) [pick, pickServed] = [owner, served];
    }
    if (pickServed === Infinity) return undefined;
    const line = this.lines.get(pick!)!;
    const job = line.shift()!;
    this.lastServed.set(pick!, this.turn++);
    if (line.length === 0) this.lines.delete(pick!);
    this.total--;
    return job;
  }

  /** Drops everything about `owner` (its waiting jobs are returned), e.g. when its connection closed. */
  forget(owner: Owner): Job[] {
    const removed = this.remove(owner);
    this.lastServed.delete(owner);
    return removed;
  }

  /** Removes and returns `owner`'s jobs that `match` accepts (all of them by default), in queue order. */
  remove(owner: Owner, match: (job: Job) => boolean = () => true): Job[] {
    const line = this.lines.get(owner);
    if (!line) return [];
    const removed = line.filter(match);
    const kept = line.filter((j) => !match(j));
    line.splice(0, line.length, ...kept);
    if (kept.length === 0) this.lines.delete(owner);
    this.total -= removed.length;
    return removed;
  }
}
