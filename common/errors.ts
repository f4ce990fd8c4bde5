// Stable error codes shared by every component. A code never changes meaning once released:
// operators grep logs and alert on them. Wrap lower-level failures with `{ cause }`.

export const ErrorCodes = {
  CLIMATIK_CONFIG_INVALID: 'configuration failed validation',
  CLIMATIK_CONFIG_UNREADABLE: 'configuration file could not be read or parsed',
  CLIMATIK_TOPOLOGY_INVALID: 'rack topology failed validation',
  CLIMATIK_POWER_INPUT_INVALID: 'rack power input failed validation',
  CLIMATIK_PLAN_INFEASIBLE: 'demand cannot be placed within the rack budgets',
  CLIMATIK_SOLVER_FAILED: 'the LP solver returned no usable answer',
  CLIMATIK_REQUEST_INVALID: 'request failed validation',
  CLIMATIK_TELEMETRY_UNAVAILABLE: 'telemetry source could not be read',
  CLIMATIK_TELEMETRY_BAD_DATA: 'telemetry source answered with malformed data',
  CLIMATIK_KUBE_API: 'the Kubernetes API call failed',
  CLIMATIK_TRACE_INVALID: 'load trace failed validation',
  CLIMATIK_USAGE: 'command-line usage error',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** One problem in an input, located by a JSON-pointer-like path (e.g. `/racks/2/powerBudgetW`). */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
  readonly value?: unknown;
}

export class ClimatikError extends Error {
  readonly code: ErrorCode;
  readonly issues: readonly FieldIssue[];

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; issues?: readonly FieldIssue[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClimatikError';
    this.code = code;
    this.issues = options.issues ?? [];
  }

  /** A multi-line, human-readable rendering: the message, then one line per field issue. */
  describe(): string {
    return [`${this.code}: ${this.message}`, ...this.issues.map((i) => `  ${formatIssue(i)}`)].join('\n');
  }

  toJSON(): { code: ErrorCode; message: string; issues: readonly FieldIssue[] } {
    return { code: this.code, message: this.message, issues: this.issues };
  }
}

export function isClimatikError(err: unknown, code?: ErrorCode): err is ClimatikError {
  return err instanceof ClimatikError && (code === undefined || err.code === code);
}

/** `path: message (value: …)`, value rendered as compact JSON and truncated so logs stay readable. */
export function formatIssue(issue: FieldIssue): string {
  const where = issue.path === '' ? '(root)' : issue.path;
  if (!('value' in issue)) return `${where}: ${issue.message}`;
  return `${where}: ${issue.message} (value: ${renderValue(issue.value)})`;
}

function renderValue(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
