using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ShortCommentTexts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A comment text of one or two characters has no trigram, so its distinct comments were found by reading every one
            // of them, and past 50,000 not looked up at all: the filter scanned the entries, and a rare one ("xq", "ip") read all
            // of them for its count, 0.5–0.9 s at 2.4 million entries with a comment of their own each. The same index of each
            // text's characters and pairs of neighbouring characters as the values' (migration ShortValueTexts) finds them.
            migrationBuilder.Sql("""
                SET LOCAL maintenance_work_mem = '256MB';
                CREATE INDEX "IX_ExceptionSearchComments_Short" ON "ExceptionSearchComments" USING gin (crm_short_texts("CommentFolded"));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX "IX_ExceptionSearchComments_Short";""");
        }
    }
}
