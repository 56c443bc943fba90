export type { paths, components, operations } from "./schema";
export { createPlatformClient, type PlatformClient, type PlatformClientOptions } from "./client";
export { TokenSession } from "./session";
export {
  openActivityStream, openAgentLogStream, issueStreamTicket, StreamTicketError,
  type Activity, type AgentLogLine, type Stream, type StreamHandlers, type StreamOptions, type StreamTicket,
} from "./streams";

import type { components } from "./schema";

/** The API's schemas by name, e.g. `Schemas["AgentResponse"]`. */
export type Schemas = components["schemas"];

/** An RFC 7807 problem as the API returns it: `code` is stable, `detail` is for people. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number | string;
  detail?: string | null;
  code?: string;
  errors?: Record<string, string[]>;
}

/** The problem in an openapi-fetch `error`, or undefined when it is not one. */
export function asProblem(error: unknown): Problem | undefined {
  return typeof error === "object" && error !== null && ("code" in error || "title" in error) ? (error as Problem) : undefined;
}
