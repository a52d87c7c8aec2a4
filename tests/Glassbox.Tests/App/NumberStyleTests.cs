using Glassbox.Visualization;

namespace Glassbox.Tests.App;

public class NumberStyleTests
{
    [Theory]
    [InlineData(1.2634e-5, 2, "1.26e-5")]
    [InlineData(-340.0, 2, "-3.40e+2")]
    [InlineData(0.0, 2, "0.00e+0")]
    [InlineData(1e-4, 0, "1e-4")]
    [InlineData(6.02e23, 1, "6.0e+23")]
    [InlineData(double.NaN, 2, "NaN")]
    [InlineData(double.PositiveInfinity, 2, "inf")]
    public void Scientific_UsesShortExponents(double value, int decimals, string expected)
        => Assert.Equal(expected, NumberFormat.Scientific(value, decimals));

    [Theory]
    [InlineData(0.5, "0.5")]
    [InlineData(1000000.0, "1000000")]
    [InlineData(1e-12, "1e-12")]
    [InlineData(-2.5e20, "-2.5e+20")]
    public void Shortest_IsPlainOrShortScientific(double value, string expected)
        => Assert.Equal(expected, NumberFormat.Shortest(value));
}
