import type { PlatformClient } from "./client";
import type { components } from "./schema";

export type Activity = components["schemas"]["ActivityResponse"];

/** One line of an agent's log stream (the `log` events of `GET /agents/{id}/logs?follow=true`). */
export interface AgentLogLine {
  timestamp: string;
  stream: "stdout" | "stderr";
  line: string;
}

export interface StreamHandlers<T> {
  /** Each event, in order; after a reconnect the stream resumes after the last one delivered. */
  onEvent: (event: T) => void;
  /** The stream is (again) connected and caught up. */
  onOpen?: () => void;
  /** The connection dropped or a ticket could not be had; the stream retries by itself until closed. */
  onError?: (error: unknown) => void;
}

export interface StreamOptions {
  /** Resume after this event id instead of starting from "now". */
  lastEventId?: string;
  /** First retry delay; it doubles up to `maxRetryDelayMs` and resets once connected. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

export interface Stream {
  close(): void;
  /** The id of the last event delivered, to resume from elsewhere. */
  readonly lastEventId: string | undefined;
}

export type StreamTicket = components["schemas"]["TicketResponse"];

/** A single-use ticket that lets an EventSource (which cannot send headers) open one stream as the client's caller. */
export async function issueStreamTicket(client: PlatformClient): Promise<StreamTicket> {
  const { data, error, response } = await client.POST("/api/v1/streams/tickets");
  if (data === undefined) {
    throw new StreamTicketError(response.status, error);
  }

  return data;
}

export class StreamTicketError extends Error {
  constructor(readonly status: number, readonly problem: unknown) {
    super(`A stream ticket was refused (HTTP ${status}).`);
  }
}

/**
 * The tenant's live activity feed (`GET /api/v1/activities/stream`) over EventSource. Tickets are single use, so the
 * browser's own reconnect (same URL) would be refused: on any error this closes the EventSource, gets a fresh ticket and
 * reopens with `lastEventId`, so nothing posted while it was away is missed.
 */
export function openActivityStream(client: PlatformClient, handlers: StreamHandlers<Activity>, options: StreamOptions = {}): Stream {
  return openTicketedStream(client, "/api/v1/activities/stream", "activity", handlers, options, (url, lastEventId) => {
    if (lastEventId !== undefined) {
      url.searchParams.set("lastEventId", lastEventId);
    }
  });
}

/**
 * An agent's log lines as they are written (`GET /api/v1/agents/{id}/logs?follow=true`). Log lines carry no event id: a
 * reconnect resumes from the last line's timestamp (`since`), so a line sharing that timestamp may arrive twice.
 */
export function openAgentLogStream(
  client: PlatformClient, agentId: string, handlers: StreamHandlers<AgentLogLine>, options: StreamOptions = {},
): Stream {
  let since: string | undefined;
  return openTicketedStream<AgentLogLine>(client, `/api/v1/agents/${encodeURIComponent(agentId)}/logs`, "log", {
    ...handlers,
    onEvent: line => {
      since = line.timestamp;
      handlers.onEvent(line);
    },
  }, options, url => {
    url.searchParams.set("follow", "true");
    if (since !== undefined) {
      url.searchParams.set("since", since);
    }
  });
}

function openTicketedStream<T>(
  client: PlatformClient, path: string, eventName: string, handlers: StreamHandlers<T>, options: StreamOptions,
  decorate: (url: URL, lastEventId: string | undefined) => void,
): Stream {
  const firstDelay = options.retryDelayMs ?? 500;
  const maxDelay = options.maxRetryDelayMs ?? 15_000;
  let delay = firstDelay;
  let lastEventId = options.lastEventId;
  let source: EventSource | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const remember = (event: MessageEvent) => {
    if (event.lastEventId) {
      lastEventId = event.lastEventId;
    }
  };

  const reconnectLater = (error: unknown) => {
    source?.close();
    source = undefined;
    if (closed) {
      return;
    }

    handlers.onError?.(error);
    // Jitter keeps many consoles from reconnecting in step after a server restart.
    retry = setTimeout(connect, delay * (0.75 + Math.random() / 2));
    delay = Math.min(delay * 2, maxDelay);
  };

  const connect = async () => {
    retry = undefined;
    let ticket: StreamTicket;
    try {
      ticket = await issueStreamTicket(client);
    } catch (error) {
      reconnectLater(error);
      return;
    }

    if (closed) {
      return;
    }

    const url = new URL(client.baseUrl + path);
    decorate(url, lastEventId);
    url.searchParams.set("ticket", ticket.ticket);
    const opened = new EventSource(url);
    source = opened;
    opened.addEventListener(eventName, event => {
      const message = event as MessageEvent<string>;
      remember(message);
      handlers.onEvent(JSON.parse(message.data) as T);
    });
    opened.addEventListener("ready", event => {
      remember(event as MessageEvent<string>);
      delay = firstDelay;
      handlers.onOpen?.();
    });
    opened.addEventListener("open", () => {
      // Streams without a "ready" event (agent logs) count as connected once open.
      if (eventName !== "activity") {
        delay = firstDelay;
        handlers.onOpen?.();
      }
    });
    opened.onerror = error => {
      if (source === opened) {
        reconnectLater(error);
      }
    };
  };

  void connect();
  return {
    close() {
      closed = true;
      clearTimeout(retry);
      source?.close();
      source = undefined;
    },
    get lastEventId() {
      return lastEventId;
    },
  };
}
