import type { components } from "./schema";

type TokenResponse = components["schemas"]["TokenResponse"];

/**
 * The signed-in user's tokens, held in memory only (never localStorage: a script injected into the page could read it).
 * `fetch` adds the access token to every request; on a 401 it rotates the refresh token once and retries the request, so
 * an expired access token is invisible to callers. A refused refresh ends the session (`onEnded`).
 */
export class TokenSession {
  #accessToken: string | undefined;
  #refreshToken: string | undefined;
  #refreshing: Promise<boolean> | undefined;
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;

  /** Called when the session ends because the API refused its refresh token (expired, revoked or reused). */
  onEnded: (() => void) | undefined;

  constructor(baseUrl: string, fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis)) {
    this.#baseUrl = baseUrl.replace(/\/$/, "");
    this.#fetch = fetchImpl;
  }

  get signedIn(): boolean {
    return this.#accessToken !== undefined;
  }

  get accessToken(): string | undefined {
    return this.#accessToken;
  }

  get refreshToken(): string | undefined {
    return this.#refreshToken;
  }

  /** Keeps the tokens of a signup, login or refresh answer. */
  accept(tokens: Pick<TokenResponse, "accessToken" | "refreshToken">): void {
    this.#accessToken = tokens.accessToken;
    this.#refreshToken = tokens.refreshToken;
  }

  clear(): void {
    this.#accessToken = undefined;
    this.#refreshToken = undefined;
  }

  /** A fetch for openapi-fetch: bearer token on every request, one refresh-and-retry on 401. */
  readonly fetch = async (request: Request): Promise<Response> => {
    const retry = request.clone();
    const response = await this.#fetch(this.#authorize(request));
    if (response.status !== 401 || this.#refreshToken === undefined || isAuthCall(request)) {
      return response;
    }

    return (await this.refresh()) ? this.#fetch(this.#authorize(retry)) : response;
  };

  /** Rotates the refresh token; concurrent callers share one rotation (a second one would present a used token). */
  refresh(): Promise<boolean> {
    this.#refreshing ??= this.#rotate().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  async #rotate(): Promise<boolean> {
    const refreshToken = this.#refreshToken;
    if (refreshToken === undefined) {
      return false;
    }

    const response = await this.#fetch(new Request(`${this.#baseUrl}/api/v1/auth/refresh`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refreshToken }),
    }));
    if (!response.ok) {
      this.clear();
      this.onEnded?.();
      return false;
    }

    this.accept((await response.json()) as TokenResponse);
    return true;
  }

  #authorize(request: Request): Request {
    if (this.#accessToken !== undefined && !request.headers.has("Authorization")) {
      request.headers.set("Authorization", `Bearer ${this.#accessToken}`);
    }

    return request;
  }
}

function isAuthCall(request: Request): boolean {
  const path = new URL(request.url).pathname;
  return path.endsWith("/auth/login") || path.endsWith("/auth/refresh") || path.endsWith("/auth/signup");
}
