[assembly: AssemblyFixture(typeof(Platform.Api.Tests.ApiFixture))]
