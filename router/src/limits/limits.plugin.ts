import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RouterContext } from '../http/router-context.js';
import { operationCost } from './operation-cost.js';

export interface LimitsOptions {
  maxCost: number;
  /** Cost points one user may spend per minute (the budget for expensive operations). */
  userCostPerMinute: number;
  /** Requests per minute from one address without a token (sign-up/sign-in floods). */
  anonymousRequestsPerMinute: number;
}

/**
 * Rejects operations over the cost limit before execution (GRAPHQL_VALIDATION_FAILED) and
 * charges each operation's cost to its user (or address) budget (RATE_LIMITED with retryAfter).
 * Budgets are per router instance.
 */
export type CostCheck = (cost: number, userId: string | undefined, address: string) => Promise<void>;

export function limitsPlugin(options: LimitsOptions): ApolloServerPlugin<RouterContext> & { checkCost: CostCheck } {
  const perUser = new RateLimiterMemory({ keyPrefix: 'user-cost', points: options.userCostPerMinute, duration: 60 });
  const perAddress = new RateLimiterMemory({ keyPrefix: 'anon', points: options.anonymousRequestsPerMinute, duration: 60 });

  const check: CostCheck = async (cost, userId, address) => {
    if (cost > options.maxCost) {
      throw new GraphQLError(`Operation cost ${cost} exceeds the limit of ${options.maxCost}; ask for fewer items`, {
        // A client's error: 400 (Apollo Server would answer 500 for an error of a plugin without a status).
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', cost, maxCost: options.maxCost, http: { status: 400 } },
      });
    }
    try {
      if (userId) await perUser.consume(userId, Math.max(1, cost));
      else await perAddress.consume(address, 1);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
      throw new GraphQLError('Too many requests; slow down', {
        extensions: { code: 'RATE_LIMITED', retryAfter, http: { status: 429, headers: new Map([['retry-after', String(retryAfter)]]) } },
      });
    }
  };

  return {
    checkCost: check,
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (!operation) return;
          if (contextValue.charged) return contextValue.charged;
          const cost = operationCost(schema, document, operation, request.variables ?? {});
          await check(cost, contextValue.viewer?.id, contextValue.forwardHeaders['x-forwarded-for'] ?? 'unknown');
        },
      };
    },
  };
}
