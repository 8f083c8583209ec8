using System.Globalization;
using CrmAdmin.Features.Exceptions;

namespace CrmAdmin.Tests.Features;

public sealed class ReadAgainAfterTests
{
    [Fact]
    public async Task A_value_is_read_once_while_it_is_younger_than_its_age_and_again_once_older()
    {
        var reads = 0;
        Task<string> Read() => Task.FromResult((++reads).ToString(CultureInfo.InvariantCulture));

        var young = new ReadAgainAfter<string>(TimeSpan.FromHours(1));
        Assert.Equal(("1", "1"), (await young.GetAsync(Read), await young.GetAsync(Read)));

        var old = new ReadAgainAfter<string>(TimeSpan.Zero);
        Assert.Equal(("2", "3"), (await old.GetAsync(Read), await old.GetAsync(Read)));
    }
}
