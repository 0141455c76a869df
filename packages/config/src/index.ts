import { z } from 'zod';

export { z };

/** Thrown at start-up when the environment is invalid; lists every bad variable at once. */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`${service}: invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates environment variables against a zod shape. Keys of the shape are the variable
 * names, so the error names exactly what to fix.
 */
export function loadConfig<S extends z.ZodRawShape>(service: string, shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.');
    const value = env[name];
    const shown = value === undefined ? 'unset' : `got ${JSON.stringify(redactValue(name, value))}`;
    return `${name}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(service, problems);
}

function redactValue(name: string, value: string): string {
  return /PASSWORD|SECRET|KEY|TOKEN/i.test(name) ? '[redacted]' : value;
}

/** Common variable types. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(fallback),
  string: (fallback: string) => z.string().min(1).default(fallback),
  optionalString: () =>
    z
      .string()
      .optional()
      .transform((v) => (v === '' ? undefined : v)),
  url: (fallback: string) => z.string().url().default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  list: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
  /**
   * The document store's variables, the same in every service that has one (connectStore in
   * @ytm/mongo reads them): its URL, the service's database, connections and writes at once.
   */
  store: (db: string) => ({
    MONGODB_URL: env.string('mongodb://127.0.0.1:27017'),
    MONGODB_DB: env.string(db),
    MONGODB_MAX_POOL_SIZE: env.int(20, 1, 500),
    /** Document writes in flight at once (0: any); `auto`: 2 on FerretDB, any on MongoDB (README, "Configuration"). */
    MONGODB_MAX_CONCURRENT_WRITES: z
      .union([z.literal('auto'), z.coerce.number().int().min(0).max(500)], { errorMap: () => ({ message: "expected 'auto' or a whole number from 0 to 500" }) })
      .default('auto'),
  }),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  nodeEnv: () => z.enum(['production', 'development', 'test']).default('development'),
};
