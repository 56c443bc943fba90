using System.Runtime.CompilerServices;

// The archival tests drive AuditArchiver's test seams (AfterStep, OnlyTenants).
[assembly: InternalsVisibleTo("Platform.Worker.Tests")]
