import { asProblem, createPlatformClient, TokenSession, type Schemas } from "@platform/client";

/** The console talks to the API it is served by; the tokens live in this page's memory only. */
export const session = new TokenSession(location.origin);
export const api = createPlatformClient({ baseUrl: location.origin, session });

export let currentUser: Schemas["UserResponse"] | undefined;

export function signedIn(user: Schemas["UserResponse"]): void {
  currentUser = user;
}

export function signedOut(): void {
  currentUser = undefined;
  session.clear();
}

/** A sentence for an error answer: the problem's detail, else its title, else the status. */
export function describe(error: unknown, response?: Response): string {
  const problem = asProblem(error);
  return problem?.detail ?? problem?.title ?? (response ? `The API answered ${response.status}.` : "The API could not be reached.");
}
