using System.Net;
using System.Net.Sockets;
using CrmAdmin.Data;
using Npgsql;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// The failures a first deployment meets at start-up are told in one sentence that names the setting and
/// what to do, not an unhandled exception's stack trace: each case runs the app's own start-up calls against
/// the real provider and explains what they throw.
/// </summary>
public sealed class DatabaseStartupFailureTests
{
    [Fact]
    public async Task A_PostgreSQL_database_not_created_yet_is_named_with_the_command_that_creates_it()
    {
        var why = await StartAsync(DatabaseProvider.Postgres, Postgres(b => b.Database = "crm_never_created"));

        Assert.StartsWith("The PostgreSQL database \"crm_never_created\" does not exist on ", why);
        Assert.Contains("createdb --owner=", why);
    }

    [Fact]
    public async Task A_user_PostgreSQL_refuses_is_named()
    {
        var why = await StartAsync(DatabaseProvider.Postgres, Postgres(b => b.Username = "nobody_at_all"));

        Assert.Contains("refused the user \"nobody_at_all\"", why);
        Assert.Contains("ConnectionStrings:CrmAdmin", why);
    }

    [Fact]
    public async Task A_PostgreSQL_server_that_cannot_be_reached_is_named_with_its_address()
    {
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var why = await StartAsync(DatabaseProvider.Postgres, Postgres(b => (b.Host, b.Port, b.Timeout) = ("127.0.0.1", port, 3)));

        Assert.StartsWith($"PostgreSQL cannot be reached at 127.0.0.1:{port} (", why);
    }

    [Fact]
    public async Task A_port_where_something_listens_but_never_answers_like_PostgreSQL_is_named_as_such()
    {
        // Connections complete in the listener's backlog; nothing ever answers the start-up message.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;

        var why = await StartAsync(DatabaseProvider.Postgres, Postgres(b => (b.Host, b.Port, b.Timeout) = ("127.0.0.1", port, 2)));

        Assert.StartsWith($"PostgreSQL at 127.0.0.1:{port} did not answer within the connection's timeout (", why);
    }

    [Fact]
    public async Task A_PostgreSQL_connection_the_server_cannot_give_is_named_with_the_settings_to_check()
    {
        // The tests' server has no SSL.
        var why = await StartAsync(DatabaseProvider.Postgres, Postgres(b => b.SslMode = SslMode.Require));

        Assert.StartsWith("PostgreSQL at ", why);
        Assert.EndsWith("Check the host, port and SSL Mode in ConnectionStrings:CrmAdmin.", why);
    }

    [Fact]
    public async Task A_SQLite_file_that_is_not_a_database_is_named()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "a spreadsheet, say, not a database at all; long enough to have a header's length: 0123456789");
        try
        {
            var why = await StartAsync(DatabaseProvider.Sqlite, $"Data Source={file};Pooling=False");

            Assert.StartsWith($"SQLite cannot use {file} as the database (", why);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_SQLite_file_whose_folder_cannot_be_made_is_named()
    {
        // A file where the folder should be: the folder cannot be created.
        var blocker = Path.GetTempFileName();
        try
        {
            var why = await StartAsync(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(blocker, "crm.db")}");

            Assert.StartsWith($"The folder of the SQLite database file {Path.Combine(blocker, "crm.db")} cannot be created or written (", why);
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    [Fact]
    public void Any_other_failure_is_not_explained_and_is_thrown_as_it_is()
    {
        Assert.Null(DatabaseStartupFailure.Explain(new InvalidOperationException("a bug"), DatabaseProvider.Postgres, PostgresTestServer.Server));
        Assert.Null(DatabaseStartupFailure.Explain(new InvalidOperationException("a bug"), DatabaseProvider.Sqlite, "Data Source=crm.db"));
    }

    private static string Postgres(Action<NpgsqlConnectionStringBuilder> change)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresTestServer.Server) { Pooling = false };
        change(builder);
        return builder.ConnectionString;
    }

    /// <summary>The app's start-up calls (the start-up lock, then the migrations) on this database; the sentence for what they threw.</summary>
    private static async Task<string> StartAsync(DatabaseProvider provider, string connectionString)
    {
        await using var app = CrmDataServices.Build(provider, connectionString);
        var failure = await Record.ExceptionAsync(async () =>
        {
            await using (await app.LockStartupAsync())
            {
                await app.InitializeCrmDatabaseAsync();
            }
        });

        Assert.NotNull(failure);
        return DatabaseStartupFailure.Explain(failure, app) ?? throw new Xunit.Sdk.XunitException($"Not explained: {failure}");
    }
}
