import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./schema";
import type { TokenSession } from "./session";

/** An openapi-fetch client for the Platform API that remembers its base URL (streams need it for EventSource). */
export type PlatformClient = Client<paths> & { readonly baseUrl: string };

export interface PlatformClientOptions {
  /** The API's origin, e.g. `http://localhost:5180` (no `/api/v1`: the paths carry it). */
  baseUrl: string;
  /** Signs requests in as a user, refreshing the access token as needed. */
  session?: TokenSession;
  /** Or signs them with an API key (`X-Api-Key`). */
  apiKey?: string;
}

export function createPlatformClient(options: PlatformClientOptions): PlatformClient {
  const baseUrl = options.baseUrl.replace(/\/$/, "");
  const client = createClient<paths>({
    baseUrl,
    ...(options.session ? { fetch: options.session.fetch } : {}),
    ...(options.apiKey ? { headers: { "X-Api-Key": options.apiKey } } : {}),
  });
  return Object.assign(client, { baseUrl });
}
