/** An error the fake answers with GitHub's error body `{ message, documentation_url, errors? }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return {
      message: this.message,
      documentation_url: "https://docs.github.com/rest",
      ...(this.errors ? { errors: this.errors } : {}),
      status: String(this.status),
    };
  }
}

export const notFound = () => new HttpError(404, "Not Found");

export const validationFailed = (...errors: unknown[]) => new HttpError(422, "Validation Failed", errors);
