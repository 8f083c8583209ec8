using CrmAdmin.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;

namespace CrmAdmin.Features.Access;

public static class AccessServiceCollectionExtensions
{
    /// <summary>Cookie or bearer, chosen per request by the Authorization header.</summary>
    public const string CookieOrBearer = nameof(CookieOrBearer);

    public const string LoginPath = "/Account/Login";
    public const string AccessDeniedPath = "/Account/AccessDenied";

    /// <summary>Sign-in (cookies for people, bearer tokens for automation), Identity, and the policies of P3.</summary>
    public static IServiceCollection AddCrmAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AccessOptions>(configuration.GetSection(AccessOptions.Section));
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, AccessRevalidatingAuthenticationStateProvider>();

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieOrBearer;
                options.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
            })
            .AddPolicyScheme(CookieOrBearer, "Cookie or bearer token", options => options.ForwardDefaultSelector = context =>
                SessionRevocation.IsBearer(context.Request) ? IdentityConstants.BearerScheme : IdentityConstants.ApplicationScheme)
            .AddBearerToken(IdentityConstants.BearerScheme, options =>
            {
                options.BearerTokenExpiration = TimeSpan.FromHours(1);
                // HTTP's scheme names are case-insensitive ("bearer", "BEARER"): the handler itself reads only "Bearer ", and a valid
                // token sent as "bearer …" was told it "is not a whole token of this app's".
                options.Events.OnMessageReceived = context =>
                {
                    if (SessionRevocation.IsBearer(context.Request))
                    {
                        context.Token = context.Request.Headers.Authorization.ToString()["Bearer ".Length..].Trim();
                    }

                    return Task.CompletedTask;
                };
            })
            .AddIdentityCookies();
        // After AddBearerToken's own configuration, which makes the data-protected format this wraps.
        services.AddOptions<BearerTokenOptions>(IdentityConstants.BearerScheme).PostConfigure<TimeProvider>((options, clock) =>
            options.BearerTokenProtector = new RememberedBearerTickets(options.BearerTokenProtector, clock));
        // Added to, not set: the hardening feature describes other empty problems (BindingProblems).
        services.Configure<ProblemDetailsOptions>(options => options.CustomizeProblemDetails += SessionRevocation.ExplainUnauthorized);

        services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.Name = "CrmAdmin.Auth";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            options.LoginPath = LoginPath;
            options.AccessDeniedPath = AccessDeniedPath;
            // An API client is told 401/403; only a person's browser is sent to the sign-in page.
            options.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
            options.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
        });
        // Every request compares the cookie's stamp with the user's (SessionRevocation); Identity's own
        // validator, which also renews the cookie's principal, runs within P4's 30 s as well.
        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.FromSeconds(30));

        services.AddIdentityCore<CrmUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.SignIn.RequireConfirmedAccount = false;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
            })
            .AddRoles<CrmRole>()
            .AddEntityFrameworkStores<CrmDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddAuthorization(Policies.Add);
        services.AddSingleton<IAuthorizationHandler, CrmAccessHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiForbiddenProblem>();
        services.AddSingleton<UserAccessCache>();
        services.AddSingleton<CrmAuthorizer>();
        services.AddSingleton<AccessService>();
        services.AddSingleton<RefreshTokenLedger>();
        services.AddScoped<PasswordSignIn>();
        services.AddSingleton<PasswordSignIn.DummyHash>();
        return services;
    }

    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
            if (status == StatusCodes.Status401Unauthorized)
            {
                // Every 401 names how to authenticate (RFC 9110); a bearer token's own challenge does, a request with none did not.
                context.Response.Headers.WWWAuthenticate = "Bearer";
            }
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }

        return Task.CompletedTask;
    }
}
