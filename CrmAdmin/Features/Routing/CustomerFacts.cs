using System.Collections.Concurrent;
using System.Data.Common;
using CrmAdmin.Data;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Domain.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CrmAdmin.Features.Routing;

/// <summary>What the database knows of one customer number or address: the exception entry it matches and its live related entities (§5).</summary>
public sealed record CustomerFacts(MatchedException? Match, RelatedEntities Related);

/// <summary>
/// Reads a customer's facts in one statement. Routing asks on every call: as five EF Core queries a
/// decision cost ≈ 0.3 ms of CPU, mostly EF's per-execution work and SQLite compiling five
/// statements each time, which capped the API near 4,000 decisions/s on two cores. A dry run reads
/// through a few connections kept open with the statement compiled once; an applied decision reads
/// inside its own write transaction, so what it decides on is what it writes against (C3).
/// </summary>
public sealed class CustomerFactsReader : IDisposable
{
    // More than the cores that can run a decision at once; a connection beyond it is closed after use.
    private static readonly int MaxIdle = Environment.ProcessorCount * 2;

    private readonly ConcurrentQueue<SqliteCommand> idle = new();
    private string? connectionString;
    private bool disposed;

    public async Task<CustomerFacts> ReadAsync(CrmDbContext db, ContactPoint point, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is { } transaction)
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = transaction.GetDbTransaction();
            UseStatement(command);
            return await ReadAsync(command, point, ct);
        }

        var prepared = idle.TryDequeue(out var kept) ? kept : await OpenAsync(db, ct);
        var reusable = false;
        try
        {
            var facts = await ReadAsync(prepared, point, ct);
            reusable = true;
            return facts;
        }
        finally
        {
            // A command whose read failed half-way is not trusted again.
            if (reusable && !disposed && idle.Count < MaxIdle)
            {
                idle.Enqueue(prepared);
            }
            else
            {
                Close(prepared);
            }
        }
    }

    public void Dispose()
    {
        disposed = true;
        while (idle.TryDequeue(out var command))
        {
            Close(command);
        }
    }

    private async Task<SqliteCommand> OpenAsync(CrmDbContext db, CancellationToken ct)
    {
        connectionString ??= db.Database.GetConnectionString();
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        var command = connection.CreateCommand();
        UseStatement(command);
        command.Prepare();
        return command;
    }

    private static void Close(SqliteCommand command)
    {
        var connection = command.Connection;
        command.Dispose();
        connection?.Dispose();
    }

    private static void UseStatement(DbCommand command)
    {
        command.CommandText = Sql;
        foreach (var name in (string[])["@type", "@value", "@domain"])
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
        }
    }

    private static async Task<CustomerFacts> ReadAsync(DbCommand command, ContactPoint point, CancellationToken ct)
    {
        command.Parameters[0].Value = point.Type.ToString();
        command.Parameters[1].Value = point.Value;
        // X4: an address is also matched by an entry for its domain; a phone has no domain.
        command.Parameters[2].Value = point.Type == EntryType.Email ? "@" + point.Value[(point.Value.LastIndexOf('@') + 1)..] : DBNull.Value;
        MatchedException? match = null;
        List<RelatedParty> contacts = [], companies = [];
        List<RelatedLead> leads = [];
        List<RelatedDeal> deals = [];
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetInt64(1);
                var title = reader.GetString(2);
                switch ((Row)reader.GetInt32(0))
                {
                    // The address itself wins over its domain (X4).
                    case Row.Match when match is null || match.Type == EntryType.EmailDomain:
                        match = new MatchedException(id, Enum.Parse<EntryType>(reader.GetString(3)), title, reader.IsDBNull(8) ? null : reader.GetString(8));
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
                }
            }
        }

        // An entity can list the same point twice and a deal can come through both its contact
        // and its company: each once, in id order, as the rules and the explanations expect.
        return leads.Count + deals.Count + contacts.Count + companies.Count == 0
            ? new CustomerFacts(match, RelatedEntities.None)
            : new CustomerFacts(match, new RelatedEntities(InIdOrder(leads, l => l.Id), InIdOrder(deals, d => d.Id), InIdOrder(contacts, c => c.Id), InIdOrder(companies, c => c.Id)));
    }

    private enum Row
    {
        Match,
        Contact,
        Company,
        Lead,
        Deal,
    }

    // Only UNION ALL of index seeks: no ORDER BY, DISTINCT, UNION or IN (subquery), each of which
    // makes SQLite build a temporary b-tree, and their allocations serialized concurrent decisions on
    // SQLite's memory mutex (1,700 decisions/s instead of 4,000 on two cores). Recycled entities
    // (DeletedAt set) are invisible to routing, as EF's query filters make them everywhere else
    // (§5, S2). INDEXED BY, because a CRM whose deals have no company yet has statistics that make
    // SQLite prefer scanning every deal to the index.
    private const string Sql = $"""
        SELECT 0, "Id", "Value", "Type", NULL, NULL, NULL, NULL, "Comment" FROM "ExceptionEntries"
        WHERE "Type" = @type AND "Value" = @value
        UNION ALL
        SELECT 0, "Id", "Value", "Type", NULL, NULL, NULL, NULL, "Comment" FROM "ExceptionEntries"
        WHERE "Type" = '{nameof(EntryType.EmailDomain)}' AND "Value" = @domain
        UNION ALL
        SELECT 1, c."Id", c."Name", NULL, NULL, NULL, NULL, NULL, NULL
        FROM "EntityContactPoints" p JOIN "Contacts" c ON c."Id" = p."OwnerId"
        WHERE p."Type" = @type AND p."Value" = @value AND p."OwnerType" = '{nameof(CrmEntityType.Contact)}' AND c."DeletedAt" IS NULL
        UNION ALL
        SELECT 2, c."Id", c."Name", NULL, NULL, NULL, NULL, NULL, NULL
        FROM "EntityContactPoints" p JOIN "Companies" c ON c."Id" = p."OwnerId"
        WHERE p."Type" = @type AND p."Value" = @value AND p."OwnerType" = '{nameof(CrmEntityType.Company)}' AND c."DeletedAt" IS NULL
        UNION ALL
        SELECT 3, l."Id", l."Title", l."Status", l."ClosedAt", l."ContactId", l."ConvertedToContact", l."ConvertedToDeal", NULL
        FROM "EntityContactPoints" p JOIN "Leads" l ON l."Id" = p."OwnerId"
        WHERE p."Type" = @type AND p."Value" = @value AND p."OwnerType" = '{nameof(CrmEntityType.Lead)}' AND l."DeletedAt" IS NULL
        UNION ALL
        SELECT 4, d."Id", d."Title", d."Stage", d."ClosedAt", d."ContactId", NULL, NULL, NULL
        FROM "EntityContactPoints" p JOIN "Contacts" c ON c."Id" = p."OwnerId"
            JOIN "Deals" d INDEXED BY "IX_Deals_ContactId" ON d."ContactId" = c."Id"
        WHERE p."Type" = @type AND p."Value" = @value AND p."OwnerType" = '{nameof(CrmEntityType.Contact)}' AND c."DeletedAt" IS NULL AND d."DeletedAt" IS NULL
        UNION ALL
        SELECT 4, d."Id", d."Title", d."Stage", d."ClosedAt", d."ContactId", NULL, NULL, NULL
        FROM "EntityContactPoints" p JOIN "Companies" c ON c."Id" = p."OwnerId"
            JOIN "Deals" d INDEXED BY "IX_Deals_CompanyId" ON d."CompanyId" = c."Id"
        WHERE p."Type" = @type AND p."Value" = @value AND p."OwnerType" = '{nameof(CrmEntityType.Company)}' AND c."DeletedAt" IS NULL AND d."DeletedAt" IS NULL
        """;

    private static List<T> InIdOrder<T>(List<T> rows, Func<T, long> id) =>
        rows.Count < 2 ? rows : rows.DistinctBy(id).OrderBy(id).ToList();

    // Stored as the UtcDateTimeConverter writes them: UTC without a kind.
    private static DateTime? UtcOrNull(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);

    private static long? Int64OrNull(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
