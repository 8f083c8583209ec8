using CrmAdmin.Components;
using CrmAdmin.Components.Account;
using CrmAdmin.Data;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Audit;
using CrmAdmin.Features.Crm;
using CrmAdmin.Features.Dashboard;
using CrmAdmin.Features.RecycleBin;
using CrmAdmin.Features.Routing;
using CrmAdmin.Features.Exceptions;
using CrmAdmin.Features.Hardening;
using CrmAdmin.Features.Operations;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSingleton(TimeProvider.System);
try
{
    builder.Services.AddCrmData(builder.Configuration, builder.Environment);
}
catch (OptionsValidationException invalid)
{
    // Before the app is built there is no logger yet: one line on standard error, and exit code 1.
    Console.Error.WriteLine($"The app cannot start: {string.Join(" ", invalid.Failures)}");
    Environment.ExitCode = 1;
    return;
}

builder.Services.AddCrmAuth(builder.Configuration);
builder.Services.AddCrmExceptions(builder.Configuration);
builder.Services.AddCrmRouting();
builder.Services.AddCrmDashboard();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<AccessProblemHandler>();
builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
builder.Services.AddOpenApi(o => o.AddSchemaTransformer(DefinedEnums.DescribeAsNamesAsync));
builder.Services.AddCrmHardening(builder.Configuration);
builder.Services.AddCrmOperations(builder.Configuration);
// Enums by name, defined names only (P5): a number or an undefined value is a 400.
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new DefinedEnumConverterFactory()));

var app = builder.Build();

// One instance at a time: several may start together on one PostgreSQL database.
try
{
    await using (await app.Services.LockStartupAsync())
    {
        await app.Services.InitializeCrmDatabaseAsync();
        await app.Services.SeedAccessAsync(app.Configuration);
        await app.Services.SeedDemoCrmAsync(app.Configuration);
    }
}
catch (Exception e) when (DatabaseStartupFailure.Explain(e, app.Services) is { } why)
{
    // The sentence first, for the operator; the exception follows in the same log entry. Disposing the app
    // flushes the console logger, which writes on a thread of its own: the line was cut short at times.
    app.Logger.LogCritical(e, "The app cannot start: {Reason}", why);
    await app.DisposeAsync();
    Environment.ExitCode = 1;
    return;
}

// Client address and scheme from the configured reverse proxies only (ReverseProxy:KnownProxies), before anything uses them.
app.UseForwardedHeaders();
// First, so that nothing later (status code pages among them) can turn a refusal into something else.
app.UseCrmSecurityHeaders();
if (!app.Environment.IsDevelopment())
{
    app.UseHsts();
}

app.UseSameOriginCircuits();

// The API answers errors as problem details; pages get the error page. Neither shows a stack trace outside Development.
app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api => api.UseExceptionHandler().UseStatusCodePages());
app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api"), pages =>
{
    if (!app.Environment.IsDevelopment())
    {
        pages.UseExceptionHandler("/Error", createScopeForErrors: true);
    }

    pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
});

// Routing after the status code pages, not at the pipeline's start (where WebApplication puts it when
// it is not called): a re-executed request (an unknown address, re-run as /not-found) is routed again
// and gets the Page not found page, not an empty 404.
app.UseRouting();
app.UseAnonymousRejections();

app.UseRateLimiter();
app.UseAuthentication();
app.UseSessionRevocation();
app.UseApiAntiforgery();
app.UseCrmLogScope();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapOpenApi().AllowAnonymous();
app.MapHealthChecks("/health").AllowAnonymous();
// Every endpoint of the app's own refuses an undefined enum value in its query or route (P5).
var endpoints = app.MapGroup("").AddEndpointFilterFactory(DefinedEnums.Filter).AddEndpointFilterFactory(BindingProblems.CheckRanges);
endpoints.MapAccountEndpoints();
endpoints.MapAccessEndpoints();
endpoints.MapExceptionEndpoints();
endpoints.MapCrmEndpoints();
endpoints.MapRoutingEndpoints();
endpoints.MapRecycleBinEndpoints();
endpoints.MapStatsEndpoints();
endpoints.MapBackupEndpoints();
endpoints.MapAuditEndpoints();
endpoints.MapCrmMetrics();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
