[assembly: AssemblyFixture(typeof(Platform.Runtime.Tests.SwarmFixture))]
