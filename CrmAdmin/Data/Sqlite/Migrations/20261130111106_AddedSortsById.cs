using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AddedSortsById : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_CreatedAt_Id",
                table: "ExceptionEntries");

            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_Type_CreatedAt_Id",
                table: "ExceptionEntries");

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_Type_Id",
                table: "ExceptionEntries",
                columns: new[] { "Type", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_Type_Id",
                table: "ExceptionEntries");

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_CreatedAt_Id",
                table: "ExceptionEntries",
                columns: new[] { "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_Type_CreatedAt_Id",
                table: "ExceptionEntries",
                columns: new[] { "Type", "CreatedAt", "Id" });
        }
    }
}
