using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class MainSearchVocabulary : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The main index's vocabulary, read by range like the values' own ("…Terms", migration ShortValueTexts): a short value
            // text with a common comment is looked up in the main index as the trigrams that start with it, with the comment's
            // (SqliteExceptionSearch.CommentWithShortValueAsync). "telemarketing" with "99" of type Email read the value's 35,000
            // entries to test each for the comment, 131 ms at a million entries; the index's lists, merged, take 9.
            // A view of the index, so nothing to fill.
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "ExceptionSearchTerms" USING fts5vocab('ExceptionSearch', 'row');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TABLE "ExceptionSearchTerms";
                """);
        }
    }
}
