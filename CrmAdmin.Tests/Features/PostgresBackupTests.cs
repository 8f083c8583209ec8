using CrmAdmin.Data.Postgres;

namespace CrmAdmin.Tests.Features;

/// <summary>PostgreSQL's backup answer (SPEC §10): the pg_dump and pg_restore commands for the app's own database.</summary>
public sealed class PostgresBackupTests
{
    [Fact]
    public void The_instructions_name_the_apps_server_user_and_database_but_never_its_password()
    {
        var backup = new PostgresBackup("Host=db.internal;Port=6432;Username=crm_app;Password=S3cret-pw;Database=crm_live");

        Assert.False(backup.CanDownload);
        Assert.Contains("pg_dump --host=db.internal --port=6432 --username=crm_app --format=custom --file=crmadmin.dump crm_live;", backup.Instructions);
        Assert.Contains("pg_restore --host=db.internal --port=6432 --username=crm_app --dbname=", backup.Instructions);
        Assert.Contains("DELETE FROM \"DataProtectionKeys\";", backup.Instructions);
        Assert.DoesNotContain("S3cret", backup.Instructions);
    }
}
