namespace Platform.Api.Tests;

/// <summary>What a malformed request must get back.</summary>
public enum Expect
{
    /// <summary>A 4xx problem (application/problem+json with a code); <see cref="MalformedCase.Status"/> when it matters.</summary>
    Refused,

    /// <summary>400 validation_failed whose errors name <see cref="MalformedCase.Field"/>: text PostgreSQL cannot store.</summary>
    TextRefused,

    /// <summary>Anything but a 5xx; a 4xx is a problem. For junk that an endpoint may rightly ignore (an unknown query key).</summary>
    NoServerError,

    /// <summary>
    /// Refused by Kestrel before any app code runs, with its own empty answer: the documented exceptions
    /// (docs/reliability.md). The test asserts exactly that, so a framework that starts to allow more tells.
    /// </summary>
    Kestrel,
}

/// <summary>One generated request, written byte for byte (<see cref="RawHttp"/>), and what it must get back.</summary>
public sealed record MalformedCase(string Group, string Description, byte[] Request, Expect Expect, string? Field = null, int? Status = null)
{
    public override string ToString() => $"[{Group}] {Description}";
}

/// <summary>The tenant, actors and rows the generated requests aim at; every request leaves all of them as they were.</summary>
public sealed record MalformedWorld(
    Guid TenantId, Guid MemberId, string AdminEmail, string AdminToken, string AdminRefresh, string PlatformToken, string Key, string InviteToken,
    Guid Agent, Guid Channel, Guid Draft, Guid Published);

/// <summary>A valid body of one endpoint: the generator spoils it one way at a time, so a missed check shows up as a change.</summary>
public sealed record BodyEndpoint(string Group, string Caller, string Method, string Path, string TemplateJson);

public static class MalformedRequests
{
    public static readonly string Password = Scenario.Password;

    /// <summary>Every generated case: bodies (<see cref="MalformedBodyCases"/>), then query, route, header and protocol cases.</summary>
    public static IReadOnlyList<MalformedCase> All(MalformedWorld world) =>
        [.. MalformedBodyCases.All(world), .. MalformedQueryCases.All(world), .. MalformedProtocolCases.All(world)];

    public static IEnumerable<(string, byte[])> As(MalformedWorld world, string caller) => caller switch
    {
        "admin" => [RawHttp.Header("Authorization", "Bearer " + world.AdminToken)],
        "platform" => [RawHttp.Header("Authorization", "Bearer " + world.PlatformToken)],
        "key" => [RawHttp.Header("X-Api-Key", world.Key)],
        "anon" => [],
        _ => throw new ArgumentOutOfRangeException(nameof(caller), caller, null),
    };

    public static IEnumerable<(string, byte[])> Json => [RawHttp.Header("Content-Type", "application/json")];

    public static byte[] Send(MalformedWorld world, string caller, string method, string target, byte[]? body = null,
        IEnumerable<(string, byte[])>? extraHeaders = null, bool json = true) =>
        RawHttp.Request(method, target, [.. As(world, caller), .. (json && body is not null ? Json : []), .. extraHeaders ?? []], body);
}
