using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ShortValueTexts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A value text of one or two characters has no trigram, so "qz" or "é" among half a million addresses, or
            // "87" among half a million phones, was a scan: 80–330 ms at a million entries. A trigram index of the values,
            // each followed by two end marks (U+E00A, private use), has every one- or two-character text of a value at the
            // start of one of its trigrams: SqliteExceptionSearch reads those trigrams from the index's vocabulary and
            // asks for any of them. An index of its own, so the comments' trigrams are not among them, and one for each
            // class of types (as the main index spells a phone's digits apart), so the addresses' lists of "00" never hold
            // the phones, every one of which holds it. Each value is preceded by its type as a trigram of one
            // private-use character (SqliteExceptionSearch.ValueTypeMarks), so the index answers a filter's type too,
            // and its candidates are the filter's exact matches.
            // They trail the entries as "ExceptionSearch" does: the indexer adds rows up to its mark, the triggers
            // take indexed rows out (FTS5's external content must be given the text it indexed).
            migrationBuilder.Sql($"""
                {Index("ExceptionValueSearch", "NOT IN")}
                {Index("ExceptionPhoneSearch", "IN")}
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "ExceptionEntries_ValueSearchDelete";
                DROP TRIGGER "ExceptionEntries_ValueSearchUpdate";
                DROP TRIGGER "ExceptionEntries_PhoneSearchDelete";
                DROP TRIGGER "ExceptionEntries_PhoneSearchUpdate";
                DROP TABLE "ExceptionValueSearchTerms";
                DROP TABLE "ExceptionValueSearch";
                DROP VIEW "ExceptionValueSearchSource";
                DROP TABLE "ExceptionPhoneSearchTerms";
                DROP TABLE "ExceptionPhoneSearch";
                DROP VIEW "ExceptionPhoneSearchSource";
                """);
        }

        /// <summary>
        /// One class's index ("ExceptionValueSearch": addresses and domains; "ExceptionPhoneSearch": phones and number
        /// prefixes, <paramref name="phones"/> "IN"), its content view, its vocabulary ("…Terms"), filled up to the main
        /// index's mark, and the triggers that take an indexed row out when it changes or goes.
        /// </summary>
        private static string Index(string table, string phones)
        {
            var isOfClass = (string row) => $"""{row}"Type" {phones} ('Phone', 'PhonePrefix')""";
            var trigger = table.Replace("Exception", "", StringComparison.Ordinal);
            return $"""
                CREATE VIEW "{table}Source" AS SELECT "Id", {Indexed("")} AS "Value" FROM "ExceptionEntries" WHERE {isOfClass("")};
                CREATE VIRTUAL TABLE "{table}" USING fts5("Value",
                    content='{table}Source', content_rowid='Id', tokenize='trigram case_sensitive 1', detail=none);
                CREATE VIRTUAL TABLE "{table}Terms" USING fts5vocab('{table}', 'row');
                INSERT INTO "{table}" (rowid, "Value")
                SELECT "Id", "Value" FROM "{table}Source" WHERE "Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState");
                CREATE TRIGGER "ExceptionEntries_{trigger}Delete" AFTER DELETE ON "ExceptionEntries"
                WHEN old."Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND {isOfClass("old.")}
                BEGIN
                    INSERT INTO "{table}" ("{table}", rowid, "Value") VALUES ('delete', old."Id", {Indexed("old.")});
                END;
                CREATE TRIGGER "ExceptionEntries_{trigger}Update" AFTER UPDATE OF "Value", "Type" ON "ExceptionEntries"
                WHEN old."Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState")
                BEGIN
                    INSERT INTO "{table}" ("{table}", rowid, "Value") SELECT 'delete', old."Id", {Indexed("old.")} WHERE {isOfClass("old.")};
                    INSERT INTO "{table}" (rowid, "Value") SELECT new."Id", {Indexed("new.")} WHERE {isOfClass("new.")};
                END;
                """;
        }

        /// <summary>
        /// The row's value as the index holds it: its type as three of one private-use character (U+E011 Email, U+E012
        /// EmailDomain, U+E013 EmailDomainTree, U+E014 Phone, U+E015 PhonePrefix, U+E010 any other), the value, and two end
        /// marks (U+E00A), so its last character and last pair start a trigram too.
        /// </summary>
        private static string Indexed(string row) => $"""
            CASE {row}"Type" WHEN 'Email' THEN char(57361, 57361, 57361) WHEN 'EmailDomain' THEN char(57362, 57362, 57362)
                WHEN 'EmailDomainTree' THEN char(57363, 57363, 57363) WHEN 'Phone' THEN char(57364, 57364, 57364)
                WHEN 'PhonePrefix' THEN char(57365, 57365, 57365) ELSE char(57360, 57360, 57360) END || {row}"Value" || char(57354, 57354)
            """;
    }
}
