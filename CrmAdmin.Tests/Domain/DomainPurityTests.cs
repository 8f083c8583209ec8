using System.Text.RegularExpressions;

namespace CrmAdmin.Tests.Domain;

/// <summary>The domain stays plain C#, so its rules can be tested and reused without a database, a circuit or a request.</summary>
public class DomainPurityTests
{
    [Fact]
    public void Domain_code_uses_no_EF_Core_Blazor_or_HTTP()
    {
        var domain = Path.Combine(RepositoryRoot.Path, "CrmAdmin", "Domain");
        var offenders = Directory.EnumerateFiles(domain, "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => File.ReadLines(file).Select(line => (file, line)))
            .Where(x => Regex.IsMatch(x.line, @"^\s*(global\s+)?using\s+(static\s+)?Microsoft\.(EntityFrameworkCore|AspNetCore)|System\.Net\.Http"))
            .Select(x => $"{Path.GetFileName(x.file)}: {x.line.Trim()}")
            .ToList();

        Assert.True(Directory.EnumerateFiles(domain, "*.cs", SearchOption.AllDirectories).Any());
        Assert.Empty(offenders);
    }

    [Fact]
    public void Domain_types_reference_no_EF_Core_or_ASP_NET_Core_assembly()
    {
        var forbidden = typeof(CrmAdmin.Domain.Exceptions.ExceptionEntry).Assembly.GetTypes()
            .Where(t => t.Namespace?.StartsWith("CrmAdmin.Domain", StringComparison.Ordinal) == true)
            .SelectMany(t => t.GetMembers(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic |
                                          System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly)
                .SelectMany(MemberTypes).Append(t.BaseType).OfType<Type>()
                .Where(mt => mt.Assembly.GetName().Name is { } n && (n.StartsWith("Microsoft.EntityFrameworkCore") || n.StartsWith("Microsoft.AspNetCore")))
                .Select(mt => $"{t.Name} uses {mt.FullName}"))
            .ToList();

        Assert.Empty(forbidden);
    }

    private static IEnumerable<Type> MemberTypes(System.Reflection.MemberInfo member) => member switch
    {
        System.Reflection.FieldInfo f => [f.FieldType],
        System.Reflection.PropertyInfo p => [p.PropertyType],
        System.Reflection.MethodInfo m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType),
        System.Reflection.ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType),
        _ => [],
    };
}
