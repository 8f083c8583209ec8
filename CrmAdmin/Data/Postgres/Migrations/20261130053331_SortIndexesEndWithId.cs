using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class SortIndexesEndWithId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_CreatedAt",
                table: "ExceptionEntries");

            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_HitCount",
                table: "ExceptionEntries");

            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_LastHitAt",
                table: "ExceptionEntries");

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_CreatedAt_Id",
                table: "ExceptionEntries",
                columns: new[] { "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_HitCount_Id",
                table: "ExceptionEntries",
                columns: new[] { "HitCount", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_LastHitAt_Id",
                table: "ExceptionEntries",
                columns: new[] { "LastHitAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_CreatedAt_Id",
                table: "ExceptionEntries");

            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_HitCount_Id",
                table: "ExceptionEntries");

            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_LastHitAt_Id",
                table: "ExceptionEntries");

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_CreatedAt",
                table: "ExceptionEntries",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_HitCount",
                table: "ExceptionEntries",
                column: "HitCount");

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_LastHitAt",
                table: "ExceptionEntries",
                column: "LastHitAt");
        }
    }
}
