namespace Platform.Api;

public static class PlatformApi
{
    /// <summary>Maps every feature's routes under <c>/api/v1</c>; each feature adds its own <c>MapXxx()</c> here.</summary>
    public static RouteGroupBuilder MapPlatformApi(this RouteGroupBuilder api)
    {
        return api;
    }
}
