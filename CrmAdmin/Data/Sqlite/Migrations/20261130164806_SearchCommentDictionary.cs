using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class SearchCommentDictionary : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A list's comments repeat: an import gives its lines one comment, so a million entries held
            // 8,000 comments in the benchmark. A comment filter looks its text up among the distinct pairs of
            // comment and entry type ("ExceptionSearchComments", never pruned: a pair no entry holds any more
            // finds nothing) and then the entries holding them by key ("ExceptionSearchCommentEntries"), of one
            // type when the filter names it (SqliteExceptionSearch). Through the trigram index every match of a
            // common text was read and checked: "former employee batch 1" took 52 ms, and "telemarketing" of type
            // Phone, which no entry is, 279 ms. Both tables trail the entries as the FTS5 index does: the indexer
            // fills them up to "IndexedUpTo", and the triggers keep the indexed rows' pairs as they change.
            migrationBuilder.Sql("""
                CREATE TABLE "ExceptionSearchComments" (
                    "Id" INTEGER NOT NULL CONSTRAINT "PK_ExceptionSearchComments" PRIMARY KEY,
                    "CommentFolded" TEXT NOT NULL,
                    "Type" TEXT NOT NULL);
                CREATE UNIQUE INDEX "IX_ExceptionSearchComments_CommentFolded_Type" ON "ExceptionSearchComments" ("CommentFolded", "Type");
                CREATE TABLE "ExceptionSearchCommentEntries" (
                    "CommentId" INTEGER NOT NULL,
                    "EntryId" INTEGER NOT NULL,
                    CONSTRAINT "PK_ExceptionSearchCommentEntries" PRIMARY KEY ("CommentId", "EntryId")) WITHOUT ROWID;

                INSERT INTO "ExceptionSearchComments" ("CommentFolded", "Type")
                SELECT DISTINCT "CommentFolded", "Type" FROM "ExceptionEntries"
                WHERE "Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND "CommentFolded" IS NOT NULL;
                INSERT INTO "ExceptionSearchCommentEntries" ("CommentId", "EntryId")
                SELECT c."Id", e."Id" FROM "ExceptionEntries" AS e
                JOIN "ExceptionSearchComments" AS c ON c."CommentFolded" = e."CommentFolded" AND c."Type" = e."Type"
                WHERE e."Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState");

                DROP TRIGGER "ExceptionEntries_SearchDelete";
                DROP TRIGGER "ExceptionEntries_SearchUpdate";
                CREATE TRIGGER "ExceptionEntries_SearchDelete" AFTER DELETE ON "ExceptionEntries"
                WHEN old."Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState")
                BEGIN
                    INSERT INTO "ExceptionSearch" ("ExceptionSearch", rowid, "CommentFolded", "Value")
                    VALUES ('delete', old."Id", old."CommentFolded", old."Value");
                    DELETE FROM "ExceptionSearchCommentEntries" WHERE "EntryId" = old."Id" AND "CommentId" =
                        (SELECT "Id" FROM "ExceptionSearchComments" WHERE "CommentFolded" = old."CommentFolded" AND "Type" = old."Type");
                END;
                CREATE TRIGGER "ExceptionEntries_SearchUpdate" AFTER UPDATE OF "CommentFolded", "Value", "Type" ON "ExceptionEntries"
                WHEN old."Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState")
                BEGIN
                    INSERT INTO "ExceptionSearch" ("ExceptionSearch", rowid, "CommentFolded", "Value")
                    VALUES ('delete', old."Id", old."CommentFolded", old."Value");
                    INSERT INTO "ExceptionSearch" (rowid, "CommentFolded", "Value")
                    VALUES (new."Id", new."CommentFolded", new."Value");
                    DELETE FROM "ExceptionSearchCommentEntries" WHERE "EntryId" = old."Id" AND "CommentId" =
                        (SELECT "Id" FROM "ExceptionSearchComments" WHERE "CommentFolded" = old."CommentFolded" AND "Type" = old."Type");
                    INSERT OR IGNORE INTO "ExceptionSearchComments" ("CommentFolded", "Type")
                    SELECT new."CommentFolded", new."Type" WHERE new."CommentFolded" IS NOT NULL;
                    INSERT OR IGNORE INTO "ExceptionSearchCommentEntries" ("CommentId", "EntryId")
                    SELECT "Id", new."Id" FROM "ExceptionSearchComments" WHERE "CommentFolded" = new."CommentFolded" AND "Type" = new."Type";
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "ExceptionEntries_SearchDelete";
                DROP TRIGGER "ExceptionEntries_SearchUpdate";
                CREATE TRIGGER "ExceptionEntries_SearchDelete" AFTER DELETE ON "ExceptionEntries"
                WHEN old."Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState")
                BEGIN
                    INSERT INTO "ExceptionSearch" ("ExceptionSearch", rowid, "CommentFolded", "Value")
                    VALUES ('delete', old."Id", old."CommentFolded", old."Value");
                END;
                CREATE TRIGGER "ExceptionEntries_SearchUpdate" AFTER UPDATE OF "CommentFolded", "Value" ON "ExceptionEntries"
                WHEN old."Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState")
                BEGIN
                    INSERT INTO "ExceptionSearch" ("ExceptionSearch", rowid, "CommentFolded", "Value")
                    VALUES ('delete', old."Id", old."CommentFolded", old."Value");
                    INSERT INTO "ExceptionSearch" (rowid, "CommentFolded", "Value")
                    VALUES (new."Id", new."CommentFolded", new."Value");
                END;
                DROP TABLE "ExceptionSearchCommentEntries";
                DROP TABLE "ExceptionSearchComments";
                """);
        }
    }
}
