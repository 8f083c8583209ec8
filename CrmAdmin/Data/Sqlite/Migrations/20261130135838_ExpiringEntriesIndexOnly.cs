using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ExpiringEntriesIndexOnly : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_ExpiresAt",
                table: "ExceptionEntries");

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_ExpiresAt",
                table: "ExceptionEntries",
                column: "ExpiresAt",
                filter: "\"ExpiresAt\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_ExpiresAt",
                table: "ExceptionEntries");

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_ExpiresAt",
                table: "ExceptionEntries",
                column: "ExpiresAt");
        }
    }
}
