namespace Glassbox.Workflow;

/// <summary>The files and folders of a run's output folder.</summary>
public sealed record OutputLayout(string Root)
{
    /// <summary>Checkpoint of the model trained on all training images.</summary>
    public string ModelA => Path.Combine(Root, "model-a");
    /// <summary>Checkpoint of the model trained on the 80 % split.</summary>
    public string ModelB => Path.Combine(Root, "model-b");
    /// <summary>PNG/SVG/HTML figures.</summary>
    public string Figures => Path.Combine(Root, "figures");
    /// <summary>.npy attributions and inputs.</summary>
    public string Attributions => Path.Combine(Root, "attributions");
    /// <summary>All measured numbers.</summary>
    public string Metrics => Path.Combine(Root, "metrics.json");
    /// <summary>The self-contained HTML report.</summary>
    public string Report => Path.Combine(Root, "report.html");

    /// <summary>A file in the figures folder.</summary>
    public string Figure(string name) => Path.Combine(Figures, name);
    /// <summary>A file in the attributions folder.</summary>
    public string Attribution(string name) => Path.Combine(Attributions, name);

    /// <summary>Creates the folders.</summary>
    public void Create()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Figures);
        Directory.CreateDirectory(Attributions);
    }
}
