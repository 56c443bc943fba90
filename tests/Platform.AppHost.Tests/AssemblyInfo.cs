// Each test starts a whole AppHost (DCP, PostgreSQL, Redis, three projects): one at a time on 2 cores.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]
