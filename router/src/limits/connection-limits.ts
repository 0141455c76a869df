import { countRejection } from './limit-rejections.js';

export interface ConnectionLimitsOptions {
  /** WebSocket connections one account may hold open (authenticated, on this router). */
  connectionsPerUser: number;
  /** WebSocket connections one client address may hold open, authenticated or not. */
  connectionsPerAddress: number;
  /** Subscriptions one account may hold, over all its connections. */
  subscriptionsPerUser: number;
}

/** What the limits read of a connection: how many subscriptions it holds now. */
export interface SubscriptionHolder {
  readonly subscriptions: number;
}

/**
 * Bounds what one account and one address hold open on this router instance. An account's
 * subscriptions are counted from its live connections, so a connection that goes away (however it
 * goes) takes its share with it and nothing can leak.
 */
export class ConnectionLimits {
  private readonly byAddress = new Map<string, number>();
  private readonly byUser = new Map<string, Set<SubscriptionHolder>>();

  constructor(private readonly options: ConnectionLimitsOptions) {}

  /** Counts a new socket from `address`: its release, or undefined (refused and counted) at the limit. */
  openSocket(address: string): (() => void) | undefined {
    const open = this.byAddress.get(address) ?? 0;
    if (open >= this.options.connectionsPerAddress) {
      countRejection('ws_connections_per_address');
      return undefined;
    }
    this.byAddress.set(address, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left > 0) this.byAddress.set(address, left);
      else this.byAddress.delete(address);
    };
  }

  /** Adds an authenticated connection to its account; false (refused and counted) at the limit. */
  joinUser(userId: string, connection: SubscriptionHolder): boolean {
    const connections = this.byUser.get(userId) ?? new Set<SubscriptionHolder>();
    if (connections.size >= this.options.connectionsPerUser) {
      countRejection('ws_connections_per_user');
      return false;
    }
    connections.add(connection);
    this.byUser.set(userId, connections);
    return true;
  }

  leaveUser(userId: string, connection: SubscriptionHolder): void {
    const connections = this.byUser.get(userId);
    if (!connections?.delete(connection)) return;
    if (connections.size === 0) this.byUser.delete(userId);
  }

  /** Whether the account may start one more subscription; false is counted as a refusal. */
  maySubscribe(userId: string): boolean {
    let held = 0;
    for (const connection of this.byUser.get(userId) ?? []) held += connection.subscriptions;
    if (held < this.options.subscriptionsPerUser) return true;
    countRejection('subscriptions_per_user');
    return false;
  }

  get limits(): Readonly<ConnectionLimitsOptions> {
    return this.options;
  }
}
