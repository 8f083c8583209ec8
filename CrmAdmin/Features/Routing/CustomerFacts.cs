using System.Data.Common;
using CrmAdmin.Data;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Domain.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace CrmAdmin.Features.Routing;

/// <summary>
/// What the database knows of one customer number or address: the exception entries that could match
/// it (its own, its domain's and domain trees', its prefixes', expired ones included) and its live
/// related entities (§5).
/// </summary>
public sealed record CustomerFacts(IReadOnlyList<ListedEntry> Entries, RelatedEntities Related)
{
    /// <summary>
    /// The lines' and settings' <see cref="Data.ReferenceDataVersion"/> as the same statement saw it: a decision compares it
    /// with its copy's (<see cref="RoutingReferenceData.GetAsync(long, CancellationToken)"/>).
    /// </summary>
    public long ReferenceVersion { get; init; }

    /// <summary>
    /// The users' access' <see cref="Data.ReferenceDataVersion.AccessVersion"/> as the same statement saw it: a decision
    /// authorizes again when the access it was authorized with is older (<see cref="Access.UserAccessCache.Holds"/>).
    /// </summary>
    public long AccessVersion { get; init; }

    /// <summary>The entry reported at <paramref name="now"/> (UTC): active, most specific first (X4, X8–X10).</summary>
    public MatchedException? MatchAt(DateTime now) =>
        ExceptionMatching.Best(Entries, now) is { } best ? new MatchedException(best.Id, best.Type, best.Value, best.Comment) : null;
}

/// <summary>
/// Reads a customer's facts for routing, on every call and chat. One implementation per provider
/// (Data/Sqlite, Data/Postgres), chosen in <c>AddCrmData</c>; both run <see cref="CustomerFactsStatement"/>.
/// Inside the context's open transaction (an applied decision) the read joins it, so what a decision
/// decides on is what it writes against (C3); otherwise (a dry run) it may use its own connections.
/// </summary>
public interface ICustomerFactsReader
{
    /// <summary>The entries that could match <paramref name="point"/> (<see cref="ExceptionMatching.Candidates"/>) and its live related entities (§5).</summary>
    Task<CustomerFacts> ReadAsync(CrmDbContext db, ContactPoint point, CancellationToken ct);
}

/// <summary>
/// A customer's facts in one statement. Routing asks on every call: as five EF Core queries a
/// decision cost ≈ 0.3 ms of CPU, mostly EF's per-execution work and the database compiling five
/// statements each time, which capped the API near 4,000 decisions/s on two cores. The readers keep
/// the statement prepared. Names come from the model.
/// </summary>
public static class CustomerFactsStatement
{
    /// <summary>
    /// The statement for <paramref name="model"/>. Only UNION ALL of index seeks: no ORDER BY,
    /// DISTINCT, UNION or IN (subquery), each of which makes SQLite build a temporary b-tree, and
    /// their allocations serialized concurrent decisions on SQLite's memory mutex (1,700 decisions/s
    /// instead of 4,000 on two cores). Recycled entities (DeletedAt set) are invisible to routing, as
    /// EF's query filters make them everywhere else (§5, S2). <paramref name="dealIndexHint"/> names the
    /// deals' index to use for a join on a column (SQLite's INDEXED BY), or null for none. Its parameters are
    /// named (@type, @value, @c0…@c15) or, when <paramref name="positional"/>, numbered in that order ($1…$18):
    /// Npgsql sends a statement with numbered parameters as it is, where it finds named ones by parsing the
    /// 2 KB statement again on every execution (4–5 % of a dry-run decision's CPU on PostgreSQL, by <c>perf</c>).
    /// Give <see cref="Use"/> the same choice. With <paramref name="pointsOnce"/> the point's owners are read once, in a
    /// materialized <c>WITH</c>, that the five branches of related entities join: PostgreSQL then makes one index
    /// search of the contact points instead of five (its time per statement fell 10–15 % in <c>pgbench</c>, 14,400 →
    /// 15,900–16,900 statements/s). SQLite keeps one search per branch: a materialized <c>WITH</c> is a temporary
    /// table there, which is what the statement avoids.
    /// </summary>
    public static string Sql(IModel model, Func<string, string>? dealIndexHint = null, bool positional = false, bool pointsOnce = false)
    {
        string Parameter(int index) => positional ? $"${index + 1}" : $"@{ParameterNames[index]}";
        var candidates = string.Join(", ", Enumerable.Range(0, ExceptionMatching.MaxCandidates).Select(i => Parameter(2 + i)));
        var e = new StoreNames<ExceptionEntry>(model);
        var p = new StoreNames<EntityContactPoint>(model);
        var contact = new StoreNames<Contact>(model);
        var company = new StoreNames<Company>(model);
        var lead = new StoreNames<Lead>(model);
        var deal = new StoreNames<Deal>(model);
        var reference = new StoreNames<ReferenceDataVersion>(model);
        // The owners of the point, p: in a branch, the contact points' rows of the point and owner type; read once, the WITH's.
        var points = pointsOnce ? "p" : $"{p.Table} p";
        var point = pointsOnce
            ? $"p.{p.Column(x => x.OwnerType)}"
            : $"""p.{p.Column(x => x.Type)} = {Parameter(0)} AND p.{p.Column(x => x.Value)} = {Parameter(1)} AND p.{p.Column(x => x.OwnerType)}""";
        var owners = pointsOnce
            ? $"""
              WITH p AS MATERIALIZED (SELECT {p.Column(x => x.OwnerType)}, {p.Column(x => x.OwnerId)} FROM {p.Table}
                  WHERE {p.Column(x => x.Type)} = {Parameter(0)} AND {p.Column(x => x.Value)} = {Parameter(1)})

              """
            : "";
        var entry = $"""
            SELECT 0, {e.Column(x => x.Id)}, {e.Column(x => x.Value)}, {e.Column(x => x.Type)}, {e.Column(x => x.ExpiresAt)}, {lead.TypedNull(x => x.ContactId)},
                {lead.TypedNull(x => x.ConvertedToContact)}, {lead.TypedNull(x => x.ConvertedToDeal)}, {e.Column(x => x.Comment)} FROM {e.Table}
            """;
        string Deals(StoreNames<Deal> d, string on) =>
            $"""{d.Table} d{dealIndexHint?.Invoke(d.Index(on)) ?? ""} ON d.{d[on]} = c.{(on == nameof(Deal.ContactId) ? contact.Column(x => x.Id) : company.Column(x => x.Id))}""";
        var dealColumns = $"""d.{deal.Column(x => x.Id)}, d.{deal.Column(x => x.Title)}, d.{deal.Column(x => x.Stage)}, d.{deal.Column(x => x.ClosedAt)}, d.{deal.Column(x => x.ContactId)}""";
        return $"""
            {owners}{entry}
            WHERE {e.Column(x => x.Type)} = {Parameter(0)} AND {e.Column(x => x.Value)} = {Parameter(1)}
            UNION ALL
            {entry}
            WHERE {e.Column(x => x.Type)} IN ('{nameof(EntryType.EmailDomain)}', '{nameof(EntryType.EmailDomainTree)}', '{nameof(EntryType.PhonePrefix)}')
                AND {e.Column(x => x.Value)} IN ({candidates})
            UNION ALL
            SELECT 1, c.{contact.Column(x => x.Id)}, c.{contact.Column(x => x.Name)}, NULL, NULL, NULL, NULL, NULL, NULL
            FROM {points} JOIN {contact.Table} c ON c.{contact.Column(x => x.Id)} = p.{p.Column(x => x.OwnerId)}
            WHERE {point} = '{nameof(CrmEntityType.Contact)}' AND c.{contact.Column(x => x.DeletedAt)} IS NULL
            UNION ALL
            SELECT 2, c.{company.Column(x => x.Id)}, c.{company.Column(x => x.Name)}, NULL, NULL, NULL, NULL, NULL, NULL
            FROM {points} JOIN {company.Table} c ON c.{company.Column(x => x.Id)} = p.{p.Column(x => x.OwnerId)}
            WHERE {point} = '{nameof(CrmEntityType.Company)}' AND c.{company.Column(x => x.DeletedAt)} IS NULL
            UNION ALL
            SELECT 3, l.{lead.Column(x => x.Id)}, l.{lead.Column(x => x.Title)}, l.{lead.Column(x => x.Status)}, l.{lead.Column(x => x.ClosedAt)}, l.{lead.Column(x => x.ContactId)}, l.{lead.Column(x => x.ConvertedToContact)}, l.{lead.Column(x => x.ConvertedToDeal)}, NULL
            FROM {points} JOIN {lead.Table} l ON l.{lead.Column(x => x.Id)} = p.{p.Column(x => x.OwnerId)}
            WHERE {point} = '{nameof(CrmEntityType.Lead)}' AND l.{lead.Column(x => x.DeletedAt)} IS NULL
            UNION ALL
            SELECT 4, {dealColumns}, NULL, NULL, NULL
            FROM {points} JOIN {contact.Table} c ON c.{contact.Column(x => x.Id)} = p.{p.Column(x => x.OwnerId)}
                JOIN {Deals(deal, nameof(Deal.ContactId))}
            WHERE {point} = '{nameof(CrmEntityType.Contact)}' AND c.{contact.Column(x => x.DeletedAt)} IS NULL AND d.{deal.Column(x => x.DeletedAt)} IS NULL
            UNION ALL
            SELECT 4, {dealColumns}, NULL, NULL, NULL
            FROM {points} JOIN {company.Table} c ON c.{company.Column(x => x.Id)} = p.{p.Column(x => x.OwnerId)}
                JOIN {Deals(deal, nameof(Deal.CompanyId))}
            WHERE {point} = '{nameof(CrmEntityType.Company)}' AND c.{company.Column(x => x.DeletedAt)} IS NULL AND d.{deal.Column(x => x.DeletedAt)} IS NULL
            UNION ALL
            SELECT 5, {reference.Column(x => x.Version)}, '', NULL, NULL, {reference.Column(x => x.AccessVersion)}, NULL, NULL, NULL FROM {reference.Table}
            WHERE {reference.Column(x => x.Id)} = {ReferenceDataVersion.SingletonId}
            """;
    }

    // The point's type and value, then one slot per value that could match (X8, X9): a fixed list keeps the
    // statement prepared once, and the slots a point does not need stay NULL, which matches nothing.
    private static readonly string[] ParameterNames =
        ["type", "value", .. Enumerable.Range(0, ExceptionMatching.MaxCandidates).Select(i => $"c{i}")];

    /// <summary>
    /// Gives <paramref name="command"/> the statement made by <see cref="Sql"/> and its parameters, unbound: named
    /// (@type, @value, @c0…@c15) or, when <paramref name="positional"/> (as the statement was made), unnamed in that order.
    /// </summary>
    public static void Use(DbCommand command, string sql, bool positional = false)
    {
        command.CommandText = sql;
        foreach (var name in ParameterNames)
        {
            var parameter = command.CreateParameter();
            if (!positional)
            {
                parameter.ParameterName = "@" + name;
            }

            parameter.DbType = System.Data.DbType.String;
            command.Parameters.Add(parameter);
        }
    }

    /// <summary>Binds <paramref name="point"/> to a command made by <see cref="Use"/>, runs it and gathers the rows.</summary>
    public static async Task<CustomerFacts> ReadAsync(DbCommand command, ContactPoint point, CancellationToken ct)
    {
        command.Parameters[0].Value = point.Type.ToString();
        command.Parameters[1].Value = point.Value;
        // X4, X8, X9: an address is also matched by its domain and the trees over it, a number by its prefixes.
        var candidates = ExceptionMatching.Candidates(point);
        for (var i = 0; i < ExceptionMatching.MaxCandidates; i++)
        {
            command.Parameters[2 + i].Value = i < candidates.Count ? candidates[i].Value : DBNull.Value;
        }

        List<ListedEntry> entries = [];
        List<RelatedParty> contacts = [], companies = [];
        List<RelatedLead> leads = [];
        List<RelatedDeal> deals = [];
        long referenceVersion = 0, accessVersion = 0;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetInt64(1);
                var title = reader.GetString(2);
                switch ((Row)reader.GetInt32(0))
                {
                    // Which one is reported (expiry, precedence) is the domain's decision: ExceptionMatching.Best.
                    case Row.Match:
                        entries.Add(new ListedEntry(id, Enum.Parse<EntryType>(reader.GetString(3)), title, reader.IsDBNull(8) ? null : reader.GetString(8), UtcOrNull(reader, 4)));
                        break;
                    case Row.Contact:
                        contacts.Add(new RelatedParty(id, title));
                        break;
                    case Row.Company:
                        companies.Add(new RelatedParty(id, title));
                        break;
                    case Row.Lead:
                        leads.Add(new RelatedLead(id, title, Enum.Parse<LeadStatus>(reader.GetString(3)),
                            reader.GetBoolean(6), reader.GetBoolean(7), UtcOrNull(reader, 4), Int64OrNull(reader, 5)));
                        break;
                    case Row.Deal:
                        deals.Add(new RelatedDeal(id, title, Enum.Parse<DealStage>(reader.GetString(3)), UtcOrNull(reader, 4), Int64OrNull(reader, 5)));
                        break;
                    case Row.ReferenceVersion:
                        referenceVersion = id;
                        accessVersion = reader.GetInt64(5);
                        break;
                }
            }
        }

        // An entity can list the same point twice and a deal can come through both its contact
        // and its company: each once, in id order, as the rules and the explanations expect.
        return leads.Count + deals.Count + contacts.Count + companies.Count == 0
            ? new CustomerFacts(entries, RelatedEntities.None) { ReferenceVersion = referenceVersion, AccessVersion = accessVersion }
            : new CustomerFacts(entries, new RelatedEntities(InIdOrder(leads, l => l.Id), InIdOrder(deals, d => d.Id), InIdOrder(contacts, c => c.Id), InIdOrder(companies, c => c.Id)))
            {
                ReferenceVersion = referenceVersion,
                AccessVersion = accessVersion,
            };
    }

    private enum Row
    {
        Match,
        Contact,
        Company,
        Lead,
        Deal,
        ReferenceVersion,
    }

    private static List<T> InIdOrder<T>(List<T> rows, Func<T, long> id) =>
        rows.Count < 2 ? rows : rows.DistinctBy(id).OrderBy(id).ToList();

    // Stored as the UtcDateTimeConverter writes them: UTC without a kind.
    private static DateTime? UtcOrNull(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);

    private static long? Int64OrNull(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
