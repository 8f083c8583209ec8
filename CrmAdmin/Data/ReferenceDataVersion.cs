namespace CrmAdmin.Data;

/// <summary>
/// One row (<see cref="SingletonId"/>) whose <see cref="Version"/> the database itself raises with every change to the
/// telephony lines or the CRM settings, and whose <see cref="AccessVersion"/> with every change to the users, the roles
/// (and their levels) or who has which role, in the change's transaction (triggers, migrations ReferenceDataVersion and
/// AccessVersion: one per statement on PostgreSQL, per row on SQLite). Routing reads it in the same statement as
/// a customer's facts (<see cref="Features.Routing.CustomerFactsStatement"/>), so an instance whose copy of the lines and
/// settings (<see cref="Features.Routing.RoutingReferenceData"/>) is older than a committed change sees so before it
/// decides, whether or not another instance's notification has arrived yet (issue 16: a change made on one instance
/// governs the other's very next decision), and one whose users' access (<see cref="Features.Access.UserAccessCache"/>) is
/// older authorizes the decision again. No code writes it.
/// </summary>
public sealed class ReferenceDataVersion
{
    public const int SingletonId = 1;

    public int Id { get; private set; } = SingletonId;

    /// <summary>Raised by every change to the lines or settings; only ever grows.</summary>
    public long Version { get; private set; }

    /// <summary>Raised by every change to the users, the roles or the users' roles; only ever grows.</summary>
    public long AccessVersion { get; private set; }
}
