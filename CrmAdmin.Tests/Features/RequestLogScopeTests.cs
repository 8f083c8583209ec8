using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace CrmAdmin.Tests.Features;

/// <summary>Every line logged during a request carries the request's user and trace id, so one request's lines can be found together.</summary>
public sealed class RequestLogScopeTests
{
    [Fact]
    public async Task A_line_logged_during_an_import_names_the_user_and_the_trace()
    {
        var scopes = new ScopeSink();
        await using var factory = new CrmAdminFactory();
        await using var app = factory.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(scopes)));
        using var admin = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        admin.DefaultRequestHeaders.Authorization = new("Bearer", await TokenAsync(app));

        (await admin.PostAsync("/api/exceptions/import", new StringContent("+1 415 555 0100;robot", Encoding.UTF8, "text/plain"))).EnsureSuccessStatusCode();

        var import = scopes.Lines.Single(l => l.Message.Contains("imported 1 lines", StringComparison.Ordinal));
        Assert.Equal(CrmAdminFactory.AdminEmail, import.Scope["User"]);
        Assert.Matches("^[0-9a-f]{32}$", import.Scope["TraceId"]?.ToString());
        // The scope's own text, which the JSON console writes as its "Message": the pairs, not a type's name.
        Assert.Contains($"User:{CrmAdminFactory.AdminEmail}, TraceId:{import.Scope["TraceId"]}", import.ScopeTexts);
    }

    private static async Task<string> TokenAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> app)
    {
        using var client = app.CreateClient();
        var response = await client.PostAsync("/api/auth/token", new StringContent(
            $$"""{"email":"{{CrmAdminFactory.AdminEmail}}","password":"{{CrmAdminFactory.AdminPassword}}"}""", Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString()!;
    }

    /// <summary>Keeps each message with the key/value pairs of the scopes around it.</summary>
    private sealed class ScopeSink : ILoggerProvider, ISupportExternalScope
    {
        private readonly ConcurrentQueue<(string Message, Dictionary<string, object?> Scope, List<string?> ScopeTexts)> lines = new();
        private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

        public IReadOnlyList<(string Message, Dictionary<string, object?> Scope, List<string?> ScopeTexts)> Lines => lines.ToList();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(ScopeSink sink) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => sink.scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var (scope, texts) = (new Dictionary<string, object?>(), new List<string?>());
                sink.scopes.ForEachScope((value, into) =>
                {
                    texts.Add(value?.ToString());
                    if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, item) in pairs)
                        {
                            into[key] = item;
                        }
                    }
                }, scope);
                sink.lines.Enqueue((formatter(state, exception), scope, texts));
            }
        }
    }
}
