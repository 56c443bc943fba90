namespace Platform.ServiceDefaults.Tickets;

/// <summary>
/// The ticket a request presented in its query string, kept as a request feature once the query itself is redacted
/// (<see cref="TicketRedactingContextFactory"/>): the API's stream tickets and the worker's dashboard sign-in read it here.
/// </summary>
public sealed record PresentedTicket(string Value);
