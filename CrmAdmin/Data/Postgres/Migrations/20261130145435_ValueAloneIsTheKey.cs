using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ValueAloneIsTheKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_Type_Value",
                table: "ExceptionEntries");

            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_Value",
                table: "ExceptionEntries");

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_Value",
                table: "ExceptionEntries",
                column: "Value",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_Value",
                table: "ExceptionEntries");

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_Type_Value",
                table: "ExceptionEntries",
                columns: new[] { "Type", "Value" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_Value",
                table: "ExceptionEntries",
                column: "Value");
        }
    }
}
