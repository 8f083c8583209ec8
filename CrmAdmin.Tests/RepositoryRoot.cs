namespace CrmAdmin.Tests;

/// <summary>The checkout the tests run from, found by walking up to CrmAdmin.sln.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "CrmAdmin.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("CrmAdmin.sln not found above " + AppContext.BaseDirectory);
    }
}
