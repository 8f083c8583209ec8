using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class HitIndexesHoldHitEntriesOnly : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_HitCount_Id",
                table: "ExceptionEntries");

            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_LastHitAt_Id",
                table: "ExceptionEntries");

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_HitCount_Id",
                table: "ExceptionEntries",
                columns: new[] { "HitCount", "Id" },
                filter: "\"HitCount\" > 0");

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_LastHitAt_Id",
                table: "ExceptionEntries",
                columns: new[] { "LastHitAt", "Id" },
                filter: "\"LastHitAt\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_HitCount_Id",
                table: "ExceptionEntries");

            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_LastHitAt_Id",
                table: "ExceptionEntries");

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_HitCount_Id",
                table: "ExceptionEntries",
                columns: new[] { "HitCount", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_LastHitAt_Id",
                table: "ExceptionEntries",
                columns: new[] { "LastHitAt", "Id" });
        }
    }
}
