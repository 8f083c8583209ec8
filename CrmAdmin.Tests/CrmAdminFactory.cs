using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using CrmAdmin.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrmAdmin.Tests;

/// <summary>
/// The real app over its own database (a SQLite file or a PostgreSQL database, each copied from a migrated
/// template: <see cref="SqliteTestTemplate"/>, <see cref="PostgresTestServer"/>) with a known first administrator;
/// settings can be overridden.
/// </summary>
public class CrmAdminFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@test.local";
    public const string AdminPassword = "Adm1n!pass";
    public const string UserPassword = "Passw0rd!";

    private readonly Dictionary<string, string?> settings;
    private readonly string connectionString;
    private readonly string? databaseFile;
    private readonly bool ownsDatabase;
    private readonly Action<IServiceCollection>? testServices;

    /// <param name="pooledConnections">
    /// Pool connections as the app does in production, where they stay open between requests; the
    /// tests' default closes each one, and SQLite checkpoints when the last connection closes.
    /// </param>
    /// <param name="provider">The database the app runs on.</param>
    /// <param name="sharing">Another app whose database this one uses too (a second instance); that one removes it.</param>
    /// <param name="testServices">Registrations added after the app's own (a slowed-down server for the browser flows).</param>
    /// <param name="productionPasswordHashing">
    /// Hash passwords with Identity's default iterations, for a test that times sign-ins; otherwise with <see cref="TestPasswordHashing.Iterations"/>.
    /// </param>
    public CrmAdminFactory(IDictionary<string, string?>? overrides = null, bool pooledConnections = false,
        DatabaseProvider provider = DatabaseProvider.Sqlite, CrmAdminFactory? sharing = null, Action<IServiceCollection>? testServices = null,
        bool productionPasswordHashing = false)
    {
        this.testServices = productionPasswordHashing ? testServices : services =>
        {
            services.UseTestPasswordHashing();
            testServices?.Invoke(services);
        };
        Provider = sharing?.Provider ?? provider;
        ownsDatabase = sharing is null;
        if (sharing is not null)
        {
            (connectionString, databaseFile) = (sharing.connectionString, sharing.databaseFile);
        }
        else if (Provider == DatabaseProvider.Postgres)
        {
            connectionString = PostgresTestServer.CreateDatabaseAsync().GetAwaiter().GetResult();
        }
        else
        {
            databaseFile = Path.Combine(Path.GetTempPath(), $"crmadmin-app-{Guid.NewGuid():N}.db");
            SqliteTestTemplate.CopyToAsync(databaseFile).GetAwaiter().GetResult();
            connectionString = $"Data Source={databaseFile};Pooling={pooledConnections}";
        }

        settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = Provider.ToString(),
            ["ConnectionStrings:CrmAdmin"] = connectionString,
            ["Admin:Email"] = AdminEmail,
            ["Admin:Password"] = AdminPassword,
            // In-process clients share one address; the limit itself is tested with its real value.
            ["Security:TokenRequestsPerMinute"] = "100000",
            ["Security:SignInRequestsPerMinute"] = "100000",
            // Each host would import and roll back a few lines as it starts; ImportWarmUpTests turns it on.
            ["Import:WarmUpAtStart"] = "false",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
    }

    public DatabaseProvider Provider { get; }

    /// <summary>The SQLite file the app uses.</summary>
    /// <exception cref="InvalidOperationException">On PostgreSQL.</exception>
    public string DatabaseFile => databaseFile ?? throw new InvalidOperationException("The app runs on PostgreSQL: there is no database file.");

    /// <summary>Everything the app logged at Information or above, to check what is (and is not) logged.</summary>
    public LogSink Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        // Outside Development the host only serves published assets; the tests run from the build
        // output, where _content/ and the framework scripts come from the static web assets manifest.
        builder.UseStaticWebAssets();
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        if (testServices is not null)
        {
            builder.ConfigureTestServices(testServices);
        }
    }

    /// <summary>A client without cookies or redirects: an API caller.</summary>
    public HttpClient CreateApiClient() => CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = ClientOptions.BaseAddress, AllowAutoRedirect = false, HandleCookies = false });

    public async Task<HttpClient> CreateApiClientAsync(string email, string password)
    {
        var client = CreateApiClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(email, password));
        return client;
    }

    public Task<HttpClient> CreateAdminClientAsync() => CreateApiClientAsync(AdminEmail, AdminPassword);

    public async Task<string> TokenAsync(string email, string password) =>
        (await TokenAnswerAsync(email, password)).GetProperty("accessToken").GetString()!;

    /// <summary>The whole answer of <c>POST /api/auth/token</c>: tokenType, accessToken, expiresIn, refreshToken.</summary>
    public async Task<JsonElement> TokenAnswerAsync(string email, string password)
    {
        var response = await CreateApiClient().PostAsJsonAsync("/api/auth/token", new { email, password });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Creates a user through the API as the administrator.</summary>
    public async Task CreateUserAsync(string email, string role)
    {
        using var admin = await CreateAdminClientAsync();
        var response = await admin.PostAsJsonAsync("/api/users", new { email, password = UserPassword, role });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The principal a sign-in of <paramref name="email"/> gives, for calling the app's services directly.</summary>
    public async Task<System.Security.Claims.ClaimsPrincipal> PrincipalOfAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<CrmAdmin.Data.CrmUser>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No user {email}");
        return new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
        [
            new(System.Security.Claims.ClaimTypes.NameIdentifier, user.Id),
            new(System.Security.Claims.ClaimTypes.Name, email),
        ], "test"));
    }

    /// <summary>A browser-like client signed in through the sign-in form (cookie, antiforgery), not following redirects.</summary>
    public async Task<HttpClient> CreateSignedInBrowserAsync(string email, string password)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = ClientOptions.BaseAddress, AllowAutoRedirect = false, HandleCookies = true });
        var response = await PostSignInAsync(client, email, password);
        if (response.StatusCode != System.Net.HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in of {email} failed: {(int)response.StatusCode}");
        }

        return client;
    }

    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string email, string password, string? returnUrl = null)
    {
        var form = await client.GetStringAsync("/Account/Login");
        var token = Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var url = returnUrl is null ? "/Account/Login" : $"/Account/Login?returnUrl={Uri.EscapeDataString(returnUrl)}";
        return await client.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["_handler"] = "login",
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (ownsDatabase && databaseFile is null)
        {
            await PostgresTestServer.DropDatabaseAsync(connectionString);
        }
        else if (ownsDatabase)
        {
            using (var pooled = new Microsoft.Data.Sqlite.SqliteConnection(connectionString))
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearPool(pooled);
            }

            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(databaseFile + suffix);
            }
        }

        GC.SuppressFinalize(this);
    }
}

public sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message)> entries = new();

    public IReadOnlyList<(LogLevel Level, string Category, string Message)> Entries => entries.ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                sink.entries.Enqueue((logLevel, category, formatter(state, exception)));
            }
        }
    }
}
