using CrmAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Tests;

/// <summary>
/// The SQLite side of <see cref="PostgresTestServer"/>'s template: the app's migrations are applied once per test run to a
/// template file, and every test's database is a copy of it. Migrating each test's file took 0.4 s, and a thousand tests
/// start one; the template still applies every migration from scratch once per run.
/// </summary>
public static class SqliteTestTemplate
{
    private static readonly Lazy<Task<string>> Template = new(CreateAsync);

    /// <summary>Writes a migrated database to <paramref name="file"/> (which must not exist).</summary>
    /// <param name="template">A file made a template by <see cref="KeepAsTemplate"/> to copy instead of the migrated one.</param>
    public static async Task CopyToAsync(string file, string? template = null) => File.Copy(template ?? await Template.Value, file);

    /// <summary>
    /// Makes a database file written by <see cref="CopyToAsync"/> (and filled since, every connection to it closed) a template for
    /// <see cref="CopyToAsync"/>, removed when the test process exits. Returns <paramref name="file"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The file still has a write-ahead log: a connection to it is open.</exception>
    public static string KeepAsTemplate(string file)
    {
        if (File.Exists(file + "-wal"))
        {
            throw new InvalidOperationException($"The template {file} kept a write-ahead log: a copy of the file alone would miss it.");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(file);
        return file;
    }

    private static async Task<string> CreateAsync()
    {
        var file = Path.Combine(Path.GetTempPath(), $"crmadmin-template-{Environment.ProcessId}-{Guid.NewGuid():N}.db");
        // No pooling: the connection really closes, and SQLite folds its write-ahead log into the file when the last one does.
        await using (var db = new CrmDbContext(CrmDataExtensions.ContextOptions(DatabaseProvider.Sqlite, $"Data Source={file};Pooling=False")))
        {
            await db.Database.MigrateAsync();
        }

        return KeepAsTemplate(file);
    }
}
