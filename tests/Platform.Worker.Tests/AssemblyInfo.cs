[assembly: AssemblyFixture(typeof(Platform.Worker.Tests.WorkerFixture))]
