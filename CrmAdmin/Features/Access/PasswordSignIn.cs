using CrmAdmin.Data;
using Microsoft.AspNetCore.Identity;

namespace CrmAdmin.Features.Access;

/// <summary>
/// The one password check behind the sign-in page and the token endpoint (P4). A wrong password, an
/// unknown address and a locked account cost the same: each verifies one password hash (a dummy hash
/// for an unknown address, the account's own for a locked one), so the time taken says nothing of
/// which accounts exist. Callers answer every refusal with <see cref="RefusedMessage"/>.
/// </summary>
public sealed class PasswordSignIn(UserManager<CrmUser> users, SignInManager<CrmUser> signIn, IPasswordHasher<CrmUser> hasher,
    PasswordSignIn.DummyHash dummyHash, CrmDbContext db, ILogger<PasswordSignIn> logger)
{
    // How often one failure is counted again after another request's count got in first: each round at least one of
    // the requests counting at once succeeds, and the sign-in rate limits keep those few.
    private const int CountAttempts = 20;

    /// <summary>
    /// The only answer to a refused sign-in, whatever the reason: it mentions the lockout so that a
    /// person who is locked out knows to wait, but says it for unknown addresses too, so it does not
    /// reveal which addresses are accounts (docs: README, Security).
    /// </summary>
    public const string RefusedMessage =
        "The email or password is wrong. After five failed attempts an account is locked for five minutes; try again later or ask an administrator.";

    /// <summary>
    /// The hash an unknown address's password is checked against (<see cref="Spend"/>), made once per app (a singleton) by the
    /// app's own hasher, so that it costs what the accounts' hashes cost under the app's settings: two apps in one process
    /// (the tests') may hash differently, and a hash made by one and kept for the process would time the other's refusals
    /// by the first one's cost.
    /// </summary>
    public sealed class DummyHash
    {
        private readonly string password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        private string? hash;

        /// <summary>
        /// A random password's hash by <paramref name="hasher"/>, made on the first call (every caller has the app's hasher; two
        /// callers at once may both make one, and either serves).
        /// </summary>
        public string By(IPasswordHasher<CrmUser> hasher, CrmUser probe) => hash ??= hasher.HashPassword(probe, password);
    }

    /// <summary>
    /// Checks the password and counts a failure towards the lockout; returns the user when the
    /// password is right and the account may sign in, otherwise null (after the same work either way).
    /// </summary>
    public async Task<CrmUser?> CheckAsync(string? email, string? password)
    {
        email = email?.Trim() ?? "";
        password ??= "";
        var user = email.Length is > 0 and <= FieldLimits.Email && password.Length <= FieldLimits.Password
            ? await users.FindByEmailAsync(email)
            : null;
        if (user is null)
        {
            Spend(password);
            logger.LogInformation("Failed sign-in for {Email}", Bounded(email));
            return null;
        }

        if (await users.IsLockedOutAsync(user))
        {
            // Identity refuses a locked account before hashing anything: hash anyway, so a locked account answers in the time of any other.
            Spend(password);
            logger.LogWarning("Sign-in refused: {Email} is locked out after repeated failures or by an administrator", user.Email);
            return null;
        }

        // The failure is counted here, not by Identity (lockoutOnFailure), which drops a count that loses a race (below).
        var result = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: false);
        if (result.Succeeded)
        {
            return user;
        }

        if (result.IsLockedOut || await CountFailureAsync(user))
        {
            logger.LogWarning("Sign-in refused: {Email} is locked out after repeated failures or by an administrator", user.Email);
        }
        else
        {
            logger.LogInformation("Failed sign-in for {Email}", user.Email);
        }

        return null;
    }

    /// <summary>
    /// Counts a wrong password towards the lockout (Identity's <c>AccessFailedAsync</c>: five in a row lock the account
    /// for five minutes) and says whether the account is now locked out. Each count reads the account and writes it back
    /// under its concurrency stamp, so of several wrong passwords for one account at once, on one instance or several,
    /// all writes but one are refused (<c>ConcurrencyFailure</c>); Identity's sign-in drops those, and eight sent at once
    /// counted once and never locked the account. A refused count reads the account again and counts on top.
    /// </summary>
    private async Task<bool> CountFailureAsync(CrmUser user)
    {
        for (var attempt = 1; ; attempt++)
        {
            var counted = await users.AccessFailedAsync(user);
            if (counted.Succeeded)
            {
                return await users.IsLockedOutAsync(user);
            }

            if (attempt == CountAttempts || counted.Errors.All(e => e.Code != nameof(IdentityErrorDescriber.ConcurrencyFailure)))
            {
                logger.LogError("A failed sign-in for {Email} was not counted towards the lockout: {Errors}", user.Email,
                    string.Join("; ", counted.Errors.Select(e => e.Description)));
                return false;
            }

            await db.Entry(user).ReloadAsync();
        }
    }

    /// <summary>One password verification that decides nothing, as long as a real one.</summary>
    private void Spend(string password)
    {
        var probe = new CrmUser("nobody@invalid");
        hasher.VerifyHashedPassword(probe, dummyHash.By(hasher, probe), password.Length <= FieldLimits.Password ? password : password[..FieldLimits.Password]);
    }

    private static string Bounded(string email) => email.Length <= FieldLimits.Email ? email : email[..FieldLimits.Email] + "…";
}
