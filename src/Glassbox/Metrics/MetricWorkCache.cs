using System.Runtime.CompilerServices;

namespace Glassbox.Metrics;

/// <summary>
/// Work that several metrics can share when they score the same explanation (e.g. max- and avg-sensitivity's
/// re-explained perturbed copies, which differ only in how the copies' scores are reduced). The caller owns it and
/// keeps one per explanation being scored; entries are keyed by the metric family, the objects the work depends on
/// (compared by reference) and the settings (compared by value).
/// </summary>
public sealed class MetricWorkCache
{
    private readonly Dictionary<Key, object> _items = new();

    /// <summary>Number of results held.</summary>
    public int Count => _items.Count;

    /// <summary>The result stored for (<paramref name="family"/>, <paramref name="settings"/>, <paramref name="sources"/>), computing and storing it first when absent.</summary>
    internal T GetOrAdd<T>(string family, object settings, object[] sources, Func<T> compute) where T : class
    {
        var key = new Key(family, settings, sources);
        if (_items.TryGetValue(key, out var found)) return (T)found;
        var value = compute();
        _items[key] = value;
        return value;
    }

    private sealed class Key(string family, object settings, object[] sources) : IEquatable<Key>
    {
        private readonly string _family = family;
        private readonly object _settings = settings;
        private readonly object[] _sources = sources;

        public bool Equals(Key? other)
        {
            if (other is null || other._family != _family || other._sources.Length != _sources.Length || !other._settings.Equals(_settings)) return false;
            for (int i = 0; i < _sources.Length; i++)
                if (!ReferenceEquals(_sources[i], other._sources[i])) return false;
            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as Key);

        public override int GetHashCode()
        {
            var h = new HashCode();
            h.Add(_family);
            h.Add(_settings);
            foreach (var s in _sources) h.Add(RuntimeHelpers.GetHashCode(s));
            return h.ToHashCode();
        }
    }
}
