namespace Glassbox.Attribution.Shapley;

/// <summary>
/// The normal draws of NumPy's legacy generator after <c>np.random.seed(seed)</c>, i.e. successive
/// <c>np.random.randn()</c> values: Mersenne Twister MT19937 (Matsumoto and Nishimura 1998) seeded by its
/// <c>init_genrand</c> recurrence, 53-bit doubles, and the Marsaglia polar method, which yields two draws per accepted pair
/// and caches the second. SHAP's PartitionExplainer breaks priority ties with these draws.
/// </summary>
internal sealed class LegacyNormalDraws
{
    private const int N = 624, M = 397;
    private readonly uint[] _state = new uint[N];
    private int _position;
    private double? _cached;

    /// <summary>The stream of <c>np.random.seed(seed)</c> (0 ≤ seed &lt; 2³²).</summary>
    public LegacyNormalDraws(uint seed)
    {
        _state[0] = seed;
        for (int i = 1; i < N; i++) _state[i] = 1812433253u * (_state[i - 1] ^ (_state[i - 1] >> 30)) + (uint)i;
        _position = N;
    }

    /// <summary>The next <c>np.random.randn()</c>.</summary>
    public double Next()
    {
        if (_cached is double c)
        {
            _cached = null;
            return c;
        }
        double x1, x2, r2;
        do
        {
            x1 = 2.0 * NextDouble() - 1.0;
            x2 = 2.0 * NextDouble() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        }
        while (r2 >= 1.0 || r2 == 0.0);
        double f = Math.Sqrt(-2.0 * Math.Log(r2) / r2);
        _cached = f * x1;
        return f * x2;
    }

    private double NextDouble()
    {
        uint a = NextUInt() >> 5, b = NextUInt() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    private uint NextUInt()
    {
        if (_position >= N) Twist();
        uint y = _state[_position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    private void Twist()
    {
        for (int i = 0; i < N; i++)
        {
            uint y = (_state[i] & 0x80000000u) | (_state[(i + 1) % N] & 0x7fffffffu);
            _state[i] = _state[(i + M) % N] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908b0dfu : 0u);
        }
        _position = 0;
    }
}
