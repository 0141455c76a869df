/** What each user reported playing (scrobble submission=false), per process; entries fade after `maxAgeMs`. */
export class NowPlaying {
  private readonly byUser = new Map<string, { trackId: string; username: string; playerName: string; at: number }>();

  constructor(private readonly maxAgeMs = 10 * 60_000) {}

  set(userId: string, entry: { trackId: string; username: string; playerName: string }, at = Date.now()): void {
    this.byUser.set(userId, { ...entry, at });
  }

  /** Newest first. */
  list(now = Date.now()): Array<{ trackId: string; username: string; playerName: string; at: number }> {
    const out = [];
    for (const [userId, e] of this.byUser) {
      if (now - e.at > this.maxAgeMs) this.byUser.delete(userId);
      else out.push(e);
    }
    return out.sort((a, b) => b.at - a.at);
  }
}
