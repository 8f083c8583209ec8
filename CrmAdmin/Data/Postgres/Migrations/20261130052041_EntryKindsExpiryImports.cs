using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CrmAdmin.Data.Postgres.Migrations
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
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ImportId",
                table: "ExceptionEntries",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ExceptionImports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    By = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Added = table.Column<int>(type: "integer", nullable: false),
                    AlreadyListed = table.Column<int>(type: "integer", nullable: false),
                    DuplicateInInput = table.Column<int>(type: "integer", nullable: false),
                    Invalid = table.Column<int>(type: "integer", nullable: false),
                    UndoneAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    UndoneBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true)
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
