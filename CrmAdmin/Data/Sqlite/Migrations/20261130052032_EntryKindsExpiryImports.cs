using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmAdmin.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class EntryKindsExpiryImports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "ExpiresAt",
                table: "ExceptionEntries",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ImportId",
                table: "ExceptionEntries",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ExceptionImports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    By = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Added = table.Column<int>(type: "INTEGER", nullable: false),
                    AlreadyListed = table.Column<int>(type: "INTEGER", nullable: false),
                    DuplicateInInput = table.Column<int>(type: "INTEGER", nullable: false),
                    Invalid = table.Column<int>(type: "INTEGER", nullable: false),
                    UndoneAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    UndoneBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ExceptionImports", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_ExpiresAt",
                table: "ExceptionEntries",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionEntries_ImportId",
                table: "ExceptionEntries",
                column: "ImportId");

            migrationBuilder.CreateIndex(
                name: "IX_ExceptionImports_At",
                table: "ExceptionImports",
                column: "At");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ExceptionImports");

            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_ExpiresAt",
                table: "ExceptionEntries");

            migrationBuilder.DropIndex(
                name: "IX_ExceptionEntries_ImportId",
                table: "ExceptionEntries");

            migrationBuilder.DropColumn(
                name: "ExpiresAt",
                table: "ExceptionEntries");

            migrationBuilder.DropColumn(
                name: "ImportId",
                table: "ExceptionEntries");
        }
    }
}
