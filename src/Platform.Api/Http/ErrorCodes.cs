namespace Platform.Api.Http;

/// <summary>The stable error codes of the API contract.</summary>
public static class ErrorCodes
{
    public const string ValidationFailed = "validation_failed";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string Conflict = "conflict";
    public const string QuotaExceeded = "quota_exceeded";
    public const string RateLimited = "rate_limited";
    public const string MfaRequired = "mfa_required";
    public const string InvalidCredentials = "invalid_credentials";
    public const string AccountLocked = "account_locked";
    public const string TokenReused = "token_reused";
    public const string TenantSuspended = "tenant_suspended";
    public const string InvalidTicket = "invalid_ticket";
    public const string PayloadTooLarge = "payload_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string ServiceUnavailable = "service_unavailable";
    public const string RuntimeUnavailable = "runtime_unavailable";
    public const string InternalError = "internal_error";

    public static string ForStatus(int status) => status switch
    {
        400 or 422 => ValidationFailed,
        401 => Unauthorized,
        403 => Forbidden,
        404 => NotFound,
        409 => Conflict,
        413 => PayloadTooLarge,
        415 => UnsupportedMediaType,
        423 => AccountLocked,
        429 => RateLimited,
        503 => ServiceUnavailable,
        >= 500 => InternalError,
        _ => "error",
    };
}
