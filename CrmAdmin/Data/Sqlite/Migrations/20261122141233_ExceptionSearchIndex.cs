using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ExceptionSearchIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_Type_CreatedAt_Id",
                table: "ExceptionEntries",
                columns: new[] { "Type", "CreatedAt", "Id" });

            // X5's substring filters over a million entries: a trigram index of the folded comment and
            // the value. It trails the table (ExceptionSearchIndexer fills it after each write, so an
            // import pays nothing for it); "IndexedUpTo" says how far, and queries scan the rows above
            // it. The content is the table itself, so the index holds trigrams only (detail=none).
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "ExceptionSearch" USING fts5("CommentFolded", "Value",
                    content='ExceptionEntries', content_rowid='Id', tokenize='trigram case_sensitive 1', detail=none);
                """);
            migrationBuilder.Sql("""
                CREATE TABLE "ExceptionSearchState" (
                    "Id" INTEGER NOT NULL CONSTRAINT "PK_ExceptionSearchState" PRIMARY KEY CHECK ("Id" = 1),
                    "IndexedUpTo" INTEGER NOT NULL);
                """);
            migrationBuilder.Sql("""INSERT INTO "ExceptionSearchState" ("Id", "IndexedUpTo") VALUES (1, 0);""");
            // An indexed row that changes or goes must leave the index with the values it was indexed
            // with; rows above IndexedUpTo were never indexed and must not be "deleted" from it.
            migrationBuilder.Sql("""
                CREATE TRIGGER "ExceptionEntries_SearchDelete" AFTER DELETE ON "ExceptionEntries"
                WHEN old."Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState")
                BEGIN
                    INSERT INTO "ExceptionSearch" ("ExceptionSearch", rowid, "CommentFolded", "Value")
                    VALUES ('delete', old."Id", old."CommentFolded", old."Value");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "ExceptionEntries_SearchUpdate" AFTER UPDATE OF "CommentFolded", "Value" ON "ExceptionEntries"
                WHEN old."Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState")
                BEGIN
                    INSERT INTO "ExceptionSearch" ("ExceptionSearch", rowid, "CommentFolded", "Value")
                    VALUES ('delete', old."Id", old."CommentFolded", old."Value");
                    INSERT INTO "ExceptionSearch" (rowid, "CommentFolded", "Value")
                    VALUES (new."Id", new."CommentFolded", new."Value");
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "ExceptionEntries_SearchUpdate";""");
            migrationBuilder.Sql("""DROP TRIGGER "ExceptionEntries_SearchDelete";""");
            migrationBuilder.Sql("""DROP TABLE "ExceptionSearchState";""");
            migrationBuilder.Sql("""DROP TABLE "ExceptionSearch";""");

            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_Type_CreatedAt_Id",
                table: "ExceptionEntries");
        }
    }
}
