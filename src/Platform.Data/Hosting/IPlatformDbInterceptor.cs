using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Platform.Data.Hosting;

/// <summary>A singleton EF Core interceptor that a host adds to every <see cref="PlatformDbContext"/> (for example auditing).</summary>
public interface IPlatformDbInterceptor : IInterceptor;
