namespace Platform.Api.Security;

/// <summary>The ticket a request presented in its query string, kept as a request feature once the query itself is redacted.</summary>
public sealed record PresentedTicket(string Value);
