using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;

namespace CrmAdmin.Features.Access;

public sealed class AccessOptions
{
    public const string Section = "Access";

    /// <summary>How often an open page re-checks the signed-in user's access (P3: within a minute).</summary>
    public double RevalidationSeconds { get; set; } = 15;
}

/// <summary>
/// A circuit keeps its authentication state for as long as the page is open. This re-reads the
/// user's access every few seconds: a locked or deleted user, or one whose security stamp changed
/// since the page was opened (password reset, role change, sign-out elsewhere: P4), is signed out of
/// the page; a level change re-announces the state, so AuthorizeView and [Authorize] pages are
/// evaluated again against the database without a new sign-in (P3).
/// </summary>
internal sealed class AccessRevalidatingAuthenticationStateProvider : ServerAuthenticationStateProvider, IDisposable
{
    private readonly UserAccessCache access;
    private readonly TimeSpan interval;
    private CancellationTokenSource? loop;

    public AccessRevalidatingAuthenticationStateProvider(UserAccessCache access, IOptions<AccessOptions> options)
    {
        this.access = access;
        interval = TimeSpan.FromSeconds(Math.Max(0.2, options.Value.RevalidationSeconds));
        AuthenticationStateChanged += Restart;
    }

    private void Restart(Task<AuthenticationState> state)
    {
        loop?.Cancel();
        loop?.Dispose();
        loop = new CancellationTokenSource();
        _ = RevalidateAsync(state, loop.Token);
    }

    private async Task RevalidateAsync(Task<AuthenticationState> state, CancellationToken ct)
    {
        try
        {
            var user = (await state).User;
            if (UserAccessCache.UserIdOf(user) is not { } userId)
            {
                return;
            }

            var seen = await access.GetAsync(userId, ct);
            using var timer = new PeriodicTimer(interval);
            while (await timer.WaitForNextTickAsync(ct))
            {
                var now = await access.GetAsync(userId, a => a is { IsActive: true } && a.Issued(user), ct);
                if (now is not { IsActive: true } || !now.Issued(user))
                {
                    SetAuthenticationState(Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity()))));
                    return;
                }

                if (now != seen)
                {
                    // Same person, new permissions: components authorize again (this restarts the loop).
                    SetAuthenticationState(Task.FromResult(new AuthenticationState(user)));
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The circuit closed or the state changed; a new loop (if any) has taken over.
        }
    }

    public void Dispose()
    {
        AuthenticationStateChanged -= Restart;
        loop?.Cancel();
        loop?.Dispose();
    }
}
