using System.Text.Json.Serialization;
using CrmAdmin.Components;
using CrmAdmin.Components.Account;
using CrmAdmin.Data;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Crm;
using CrmAdmin.Features.RecycleBin;
using CrmAdmin.Features.Routing;
using CrmAdmin.Features.Exceptions;
using CrmAdmin.Features.Hardening;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddCrmData(builder.Configuration, builder.Environment);
builder.Services.AddCrmAuth(builder.Configuration);
builder.Services.AddCrmExceptions(builder.Configuration);
builder.Services.AddCrmRouting();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<AccessProblemHandler>();
builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
builder.Services.AddOpenApi();
builder.Services.AddCrmHardening(builder.Configuration);
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

var app = builder.Build();

await app.Services.InitializeCrmDatabaseAsync();
await app.Services.SeedAccessAsync(app.Configuration);
await app.Services.SeedDemoCrmAsync(app.Configuration);

// First, so that nothing later (status code pages among them) can turn a refusal into something else.
app.UseCrmSecurityHeaders();
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

app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapOpenApi().AllowAnonymous();
app.MapHealthChecks("/health").AllowAnonymous();
app.MapAccountEndpoints();
app.MapAccessEndpoints();
app.MapExceptionEndpoints();
app.MapCrmEndpoints();
app.MapRoutingEndpoints();
app.MapRecycleBinEndpoints();
app.MapBackupEndpoints();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();
