// The server's one error shape: {"error": {"code", "message", "details"}} (docs/api.md).

export type ErrorDetails = Record<string, unknown>;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetails;

  constructor(status: number, code: string, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The field a 422 names, when it names one (`details.field`). */
  get field(): string | undefined {
    const field = this.details["field"];
    return typeof field === "string" ? field : undefined;
  }

  /** A 1-based line in a document (personas, pipelines), when the server named one. */
  get line(): number | undefined {
    const line = this.details["line"];
    return typeof line === "number" ? line : undefined;
  }
}

/** Turns a failed response into an ApiError, whatever its body. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.clone().json();
  } catch {
    // Not JSON: a proxy's page, or nothing.
  }
  return errorFromBody(response.status, body);
}

export function errorFromBody(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (error && typeof error.code === "string" && typeof error.message === "string") {
    const details = error.details && typeof error.details === "object" ? (error.details as ErrorDetails) : {};
    return new ApiError(status, error.code, error.message, details);
  }
  return new ApiError(status, "http_" + status, `the server answered ${status}`);
}

/** A sentence for a person, for any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return `Not allowed: ${error.message}`;
    if (error.status === 429) return `Too many requests: ${error.message}`;
    if (error.status >= 500) return `The server failed (${error.status}): ${error.message}`;
    return error.message;
  }
  if (error instanceof TypeError) return "Cannot reach the server. Is it running?";
  if (error instanceof Error) return error.message;
  return String(error);
}
