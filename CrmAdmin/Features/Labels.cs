using System.Globalization;
using CrmAdmin.Domain.Access;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Domain.Routing;

namespace CrmAdmin.Features;

/// <summary>
/// The words a person reads for the domain's enum values, counts and stored forms: one place, so
/// every page says "Email domain" and "Lead/deal form", never <c>EmailDomain</c> or <c>EntityForm</c>.
/// Display only: no code branches on these strings.
/// </summary>
public static partial class Labels
{
    /// <summary>"Phone", "Email", "Email domain", "Domain and subdomains", "Number prefix" (X1, X4, X8, X9).</summary>
    public static string Of(EntryType type) => type switch
    {
        EntryType.Phone => "Phone",
        EntryType.Email => "Email",
        EntryType.EmailDomain => "Email domain",
        EntryType.EmailDomainTree => "Domain and subdomains",
        EntryType.PhonePrefix => "Number prefix",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>"Active", "Expired" (X10).</summary>
    public static string Of(EntryStatus status) => status switch
    {
        EntryStatus.Active => "Active",
        EntryStatus.Expired => "Expired",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>The CRM entry point an entry came from (S1–S4).</summary>
    public static string Of(EntrySource source) => source switch
    {
        EntrySource.Settings => "CRM settings",
        EntrySource.EntityForm => "Lead/deal form",
        EntrySource.Telephony => "Telephony",
        EntrySource.Api => "API",
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, null),
    };

    /// <summary>What happened to an import line (I2).</summary>
    public static string Of(ImportLineStatus status) => status switch
    {
        ImportLineStatus.Added => "Added",
        ImportLineStatus.AlreadyListed => "Already listed",
        ImportLineStatus.DuplicateInInput => "Duplicate in input",
        ImportLineStatus.Invalid => "Invalid",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>An audit log action, as a sentence fragment.</summary>
    public static string Of(AuditAction action) => action switch
    {
        AuditAction.ExceptionAdded => "Exception added",
        AuditAction.ExceptionRemoved => "Exception removed",
        AuditAction.ExceptionsImported => "Exceptions imported",
        AuditAction.RoleAdded => "Role added",
        AuditAction.PermissionChanged => "Permission changed",
        AuditAction.UserCreated => "User created",
        AuditAction.UserRoleChanged => "User's role changed",
        AuditAction.UserLocked => "User locked",
        AuditAction.UserUnlocked => "User unlocked",
        AuditAction.PasswordReset => "Password reset",
        AuditAction.CrmSettingsChanged => "CRM settings changed",
        AuditAction.TelephonyLineChanged => "Telephony line changed",
        AuditAction.MovedToRecycleBin => "Moved to the recycle bin",
        AuditAction.Restored => "Restored from the recycle bin",
        AuditAction.UserDeleted => "User deleted",
        AuditAction.EntityCreated => "CRM record created",
        AuditAction.EntityChanged => "CRM record changed",
        AuditAction.RoutingApplied => "Call or email routed",
        AuditAction.BackupDownloaded => "Backup downloaded",
        AuditAction.ImportUndone => "Import undone",
        AuditAction.TelephonyLineDeleted => "Telephony line deleted",
        AuditAction.SessionsEnded => "Every sign-in ended",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    /// <summary>What a role may do with the exception list (P1).</summary>
    public static string Of(AccessLevel level) => level switch
    {
        AccessLevel.None => "No access",
        AccessLevel.View => "View",
        AccessLevel.Edit => "Edit",
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };

    /// <summary>"Lead", "Deal", "Contact", "Company".</summary>
    public static string Of(CrmEntityType type) => type switch
    {
        CrmEntityType.Lead => "Lead",
        CrmEntityType.Deal => "Deal",
        CrmEntityType.Contact => "Contact",
        CrmEntityType.Company => "Company",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>A lead's status.</summary>
    public static string Of(LeadStatus status) => status switch
    {
        LeadStatus.Open => "Open",
        LeadStatus.Converted => "Converted",
        LeadStatus.Junk => "Junk",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>A deal's stage.</summary>
    public static string Of(DealStage stage) => stage switch
    {
        DealStage.Open => "Open",
        DealStage.Won => "Won",
        DealStage.Lost => "Lost",
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, null),
    };

    /// <summary>What a converted lead became: "contact", "deal" (lower case: it reads inside "Converted to contact and deal").</summary>
    public static string Of(ConvertedTo into) => into switch
    {
        ConvertedTo.Contact => "contact",
        ConvertedTo.Deal => "deal",
        _ => throw new ArgumentOutOfRangeException(nameof(into), into, null),
    };

    /// <summary>The CRM mode (§5).</summary>
    public static string Of(CrmMode mode) => mode switch
    {
        CrmMode.Classic => "Classic (leads)",
        CrmMode.Simple => "Simple (deals with contacts)",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>A call's direction.</summary>
    public static string Of(CallDirection direction) => direction switch
    {
        CallDirection.Incoming => "Incoming",
        CallDirection.Outgoing => "Outgoing",
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, null),
    };

    /// <summary>An activity's kind.</summary>
    public static string Of(ActivityKind kind) => kind switch
    {
        ActivityKind.Call => "Call",
        ActivityKind.Email => "Email",
        ActivityKind.Chat => "Chat",
        ActivityKind.Form => "Web form",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The event a routing simulation starts from.</summary>
    public static string Of(RoutingChannel channel) => channel switch
    {
        RoutingChannel.IncomingCall => "Incoming call",
        RoutingChannel.OutgoingCall => "Outgoing call",
        RoutingChannel.NewEmail => "New email",
        RoutingChannel.EmailReply => "Email reply",
        RoutingChannel.Chat => "Chat",
        RoutingChannel.Form => "Web form",
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, null),
    };

    /// <summary>
    /// A count with its noun in the right number and thousands separated: <c>Count(1, "line")</c> is
    /// "1 line", <c>Count(100000, "line")</c> "100,000 lines". <paramref name="plural"/> defaults to
    /// <paramref name="singular"/> + "s".
    /// </summary>
    public static string Count(long count, string singular, string? plural = null) =>
        Number(count) + " " + (count == 1 ? singular : plural ?? singular + "s");

    /// <summary>
    /// An import's counts as the audit log and the dashboard show them, every number with its thousands separated:
    /// "100,000 lines: 99,990 added, 5 already listed, 3 duplicate in input, 2 invalid" (I1's report).
    /// </summary>
    public static string ImportCounts(long lines, long added, long alreadyListed, long duplicateInInput, long invalid) =>
        $"{Count(lines, "line")}: {Number(added)} added, {Number(alreadyListed)} already listed, {Number(duplicateInInput)} duplicate in input, {Number(invalid)} invalid";

    private static string Number(long count) => count.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>
    /// An email address or domain with its domain in Unicode (<c>user@xn--bcher-kva.example</c> reads
    /// <c>user@bücher.example</c>); anything else, or a domain that is not valid punycode, unchanged.
    /// Show the stored form beside it (a tooltip) when they differ: it is what the list and the API match on.
    /// </summary>
    public static string ForPeople(string value) => InternationalDomains.ToUnicode(value);

    /// <summary>
    /// A sentence for a person (a routing step, a verdict) with every internationalized domain in it
    /// in Unicode: "…matches the domain entry @xn--bcher-kva.example" reads "…@bücher.example". Only
    /// the labels of a domain that holds an <c>xn--</c> label change; text that is not valid punycode stays.
    /// </summary>
    public static string ForPeopleText(string text) =>
        text.Contains("xn--", StringComparison.OrdinalIgnoreCase)
            ? IdnDomain().Replace(text, domain =>
            {
                try
                {
                    return new IdnMapping().GetUnicode(domain.Value);
                }
                catch (ArgumentException)
                {
                    return domain.Value;
                }
            })
            : text;

    /// <summary>A dotted name with at least one punycode label, not preceded by a letter, digit or hyphen (so never half a word).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<![\w-])(?:[a-z0-9-]+\.)*xn--[a-z0-9-]+(?:\.[a-z0-9-]+)*", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex IdnDomain();
}
