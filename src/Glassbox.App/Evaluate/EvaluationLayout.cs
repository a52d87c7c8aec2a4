namespace Glassbox.App;

/// <summary>The files of an evaluation folder.</summary>
public sealed record EvaluationLayout(string Root)
{
    /// <summary>Settings, per (method, metric) scores, means, intervals, ranks, times and skip reasons.</summary>
    public string Json => Path.Combine(Root, "evaluation.json");
    /// <summary>One row per (method, metric).</summary>
    public string Csv => Path.Combine(Root, "evaluation.csv");
    /// <summary>The one-page report.</summary>
    public string Html => Path.Combine(Root, "evaluation.html");
    /// <summary>The charts.</summary>
    public string Figures => Path.Combine(Root, "figures");
    /// <summary>Per-method results, written as each method finishes (what a rerun resumes from).</summary>
    public string Results => Path.Combine(Root, "results");

    /// <summary>results/&lt;method&gt;.json.</summary>
    public string Result(string method) => Path.Combine(Results, method + ".json");
    /// <summary>results/&lt;method&gt;.npy: the method's maps N×K×C×H×W (for agreement metrics on resume).</summary>
    public string Maps(string method) => Path.Combine(Results, method + ".npy");
    /// <summary>A chart in figures/.</summary>
    public string Figure(string name) => Path.Combine(Figures, name);

    /// <summary><paramref name="path"/> relative to the root, with forward slashes.</summary>
    public string Relative(string path) => System.IO.Path.GetRelativePath(Root, path).Replace('\\', '/');

    /// <summary>Names an evaluation folder holds at its top level (and temporary files of atomic writes); anything else makes evaluate refuse the folder.</summary>
    public static bool IsOwnEntry(string name)
        => name is "evaluation.json" or "evaluation.csv" or "evaluation.html" or "figures" or "results"
            || (name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal));
}
