namespace CrmAdmin.Domain.Access;

/// <summary>What a role may do with the exception list (P1). Ordered: each level includes the ones below.</summary>
public enum AccessLevel
{
    None,
    View,
    Edit,
}

/// <summary>The built-in roles (P1). Administrators may add more.</summary>
public static class Roles
{
    public const string Administrator = nameof(Administrator);
    public const string Supervisor = nameof(Supervisor);
    public const string Viewer = nameof(Viewer);

    public const int MaxNameLength = 64;

    /// <summary>The levels a new database starts with; the Administrator's is fixed (P1).</summary>
    public static readonly IReadOnlyList<(string Name, AccessLevel Exceptions)> Defaults =
    [
        (Administrator, AccessLevel.Edit),
        (Supervisor, AccessLevel.Edit),
        (Viewer, AccessLevel.View),
    ];

    public static bool IsFixed(string role) => string.Equals(role, Administrator, StringComparison.OrdinalIgnoreCase);
}
