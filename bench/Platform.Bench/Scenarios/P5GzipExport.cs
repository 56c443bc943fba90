using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Npgsql;
using Platform.Tests.Support;

namespace Platform.Bench.Scenarios;

/// <summary>P5's reference: the same rows exported by COPY (SELECT …) TO STDOUT and gzipped into a temp file, which is then deleted.</summary>
internal static class P5GzipExport
{
    public sealed record Export(double Seconds, long Rows, long Bytes);

    /// <summary>COPY read with Npgsql's text export, through a GZipStream at CompressionLevel.Optimal (zlib 6, gzip's default; the archiver uses Archive:CompressionLevel, 2 by default).</summary>
    public static async Task<Export> CopyAsync(PlatformDatabase database, string exportSql)
    {
        var path = Path.Combine(Path.GetTempPath(), $"p5-copy-{Guid.NewGuid():N}.tsv.gz");
        try
        {
            await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
            await connection.OpenAsync();
            var watch = Stopwatch.StartNew();
            long rows = 0;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            await using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
            {
                using var reader = await connection.BeginTextExportAsync($"COPY ({exportSql}) TO STDOUT");
                var chars = new char[32 * 1024];
                var bytes = new byte[Encoding.UTF8.GetMaxByteCount(chars.Length)];
                int read;
                while ((read = await reader.ReadAsync(chars, 0, chars.Length)) > 0)
                {
                    rows += chars.AsSpan(0, read).Count('\n');
                    var count = Encoding.UTF8.GetBytes(chars, 0, read, bytes, 0);
                    await gzip.WriteAsync(bytes.AsMemory(0, count));
                }
            }

            return new Export(watch.Elapsed.TotalSeconds, rows, new FileInfo(path).Length);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The shell version, for context: psql \copy ... TO STDOUT | gzip -6 > file. Null when psql or gzip is missing.</summary>
    public static async Task<Export?> PsqlAsync(PlatformDatabase database, string exportSql)
    {
        var path = Path.Combine(Path.GetTempPath(), $"p5-psql-{Guid.NewGuid():N}.tsv.gz");
        var builder = new NpgsqlConnectionStringBuilder(database.OwnerConnectionString);
        try
        {
            var watch = Stopwatch.StartNew();
            await Tools.RunAsync("bash", ["-c", "set -o pipefail; psql -X -q -v ON_ERROR_STOP=1 -c \"$P5_COPY\" | gzip -6 > \"$P5_OUT\""],
                new Dictionary<string, string>
                {
                    ["PGHOST"] = builder.Host!,
                    ["PGPORT"] = builder.Port.ToString(CultureInfo.InvariantCulture),
                    ["PGUSER"] = builder.Username!,
                    ["PGDATABASE"] = builder.Database!,
                    ["P5_COPY"] = $"\\copy ({exportSql}) TO STDOUT",
                    ["P5_OUT"] = path,
                });
            var seconds = watch.Elapsed.TotalSeconds;
            long rows = 0;
            await using (var input = new GZipStream(File.OpenRead(path), CompressionMode.Decompress))
            {
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await input.ReadAsync(buffer)) > 0)
                {
                    rows += buffer.AsSpan(0, read).Count((byte)'\n');
                }
            }

            return new Export(seconds, rows, new FileInfo(path).Length);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            Console.WriteLine($"P5 psql | gzip skipped: {ex.Message}");
            return null;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
