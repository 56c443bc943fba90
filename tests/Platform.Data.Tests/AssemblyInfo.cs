using Platform.Tests.Support;

[assembly: AssemblyFixture(typeof(SharedPostgres))]
